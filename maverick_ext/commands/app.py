"""The dependencies every command receives through the click context.

Production builds them from the environment; tests pass their own ``App`` as ``obj`` to
click's runner (a ``GhClient`` over a fake runner, a frozen clock, a fixed instance id).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from maverick_ext.records import dataclass, field

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from maverick_ext.config import MaverickConfig
    from maverick_ext.config_files import Coordination, GitHubApp
    from maverick_ext.core.app_auth import CachedToken
    from maverick_ext.core.refs import RepoRef
    from maverick_ext.github.client import GhClient

F = TypeVar("F", bound=Callable[..., Any])
if TYPE_CHECKING:
    # A config section's dataclass (config_files). For type checkers only: a TypeVar bound
    # by name makes Python compile that name, and a process's first compile() costs ~2.5 ms.
    S = TypeVar("S", bound=DataclassInstance)


@dataclass
class App:
    debug: bool = False
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time  # JWT claims, token expiry
    make_client: Callable[..., GhClient] | None = None
    # What every client sends its `gh api` argv through; None starts gh. Tests put an
    # in-process GitHub here and keep the rest of the client exactly as production builds it.
    gh_run: Callable[..., Any] | None = None
    cwd: str | None = None
    # `--as-app` (or github_app.act_as_app): every gh child acts with the App's token.
    as_app: bool = False
    _config: MaverickConfig | None = field(default=None, init=False, repr=False)
    _config_files: tuple[str, ...] | None = field(default=None, init=False, repr=False)
    _repos: dict[str | None, RepoRef | None] = field(default_factory=dict, init=False, repr=False)
    _coordination: Coordination | None = field(default=None, init=False, repr=False)
    _github_app: GitHubApp | None = field(default=None, init=False, repr=False)
    _app_token: CachedToken | None = field(default=None, init=False, repr=False)

    def pause(self, seconds: float) -> None:
        """``sleep``, said on stderr with --debug (next to each ``[gh]`` request line), so a
        run shows every wait it made: retry backoff, a settle window."""
        if self.debug:
            print(f"[sleep] {seconds:.2f} s", file=sys.stderr)
        self.sleep(seconds)

    @property
    def config(self) -> MaverickConfig:
        """The effective configuration (files + environment), read once per command run."""
        if self._config is None:
            from maverick_ext.config import load_config

            self._config = load_config(self.cwd, env=self.env)
        return self._config

    def config_files(self) -> tuple[str, ...]:
        """The configuration files that exist here, looked up once per run: a few stats, so
        that without one the commands never import the validating (pydantic) models."""
        if self._config_files is None:
            from maverick_ext.config_files import config_sources

            self._config_files = config_sources(self.cwd, env=self.env)
        return self._config_files

    def client(self, repo: RepoRef | None) -> GhClient:
        """A `gh api` client bound to ``repo`` (already resolved by ``resolve_repo``), acting
        as the GitHub App when ``--as-app`` or ``github_app.act_as_app`` says so."""
        client = self.gh_client(repo)
        if not self.acting_as_app():
            return client
        from maverick_ext.github.app import token_env

        self.app_token(repo)  # mint (or read the cache) now: a broken App fails up front
        client.credentials = lambda: token_env(self.app_token(repo).token)
        return client

    def app_token(self, repo: RepoRef | None) -> CachedToken:
        """The App's installation token, renewed once it is within five minutes of expiry
        (a heartbeat loop outlives the hour a token lasts)."""
        from datetime import datetime, timezone

        from maverick_ext.core.app_auth import token_usable

        token = self._app_token
        now = datetime.fromtimestamp(self.wall_clock(), tz=timezone.utc)
        if token is None or not token_usable(token.expires_at, now):
            from maverick_ext.services.gh_app import AppSession

            client = self.gh_client(repo)
            session = AppSession(self.github_app(), client, self.env, self.wall_clock)
            self._app_token = token = session.token()
        return token

    def acting_as_app(self) -> bool:
        """``--as-app``, else the config switch. A broken config file is reported by whoever
        needs its settings (preflight lists it), so here it only counts when asked for."""
        if self.as_app:
            return True
        from maverick_ext.errors import InvalidData

        try:
            return self.github_app().act_as_app
        except InvalidData:
            return False

    def gh_client(self, repo: RepoRef | None) -> GhClient:
        """A `gh api` client acting as gh's own account (never as the App)."""
        if self.make_client is not None:
            return self.make_client(repo=repo, debug=self.debug)
        from maverick_ext.errors import InvalidData
        from maverick_ext.github.client import RETRY_WAIT_ENV, GhClient, retry_policy

        configured = None
        # Without a config file the default applies: no need to load (pydantic) models.
        if not self.env.get(RETRY_WAIT_ENV) and self.config_files():
            try:
                configured = self.config.coordination.max_retry_wait_s
            except InvalidData:
                # A broken file is reported by whoever needs its settings (and preflight
                # lists it as a failed check): the client itself falls back to the default.
                configured = None
        client = GhClient(
            repo=repo,
            debug=self.debug,
            sleep=self.pause,
            clock=self.monotonic,
            env=self.env,
            policy=retry_policy(self.env, configured),
        )
        if self.gh_run is not None:
            client.run = self.gh_run
        return client

    def coordination(self) -> Coordination:
        """The ``coordination`` settings, once per run. Without a config file they are the
        defaults (plus the environment's overrides), known from two stats: the hot commands
        then never load the validating (pydantic) models."""
        if self._coordination is None:
            self._coordination = self._with_app_bot(self._read_coordination())
        return self._coordination

    def _with_app_bot(self, coordination: Coordination) -> Coordination:
        """The configured GitHub App's bot is trusted like a configured one (docs/gh-app.md)."""
        from maverick_ext.errors import InvalidData

        try:
            settings = self.github_app()
        except InvalidData:
            return coordination
        if not settings.configured:
            return coordination
        from maverick_ext.records import replace
        from maverick_ext.services.gh_app import known_slugs

        slugs = known_slugs(self.env, settings)
        bots = tuple(dict.fromkeys((*coordination.trusted_bots, *slugs)))
        return replace(coordination, trusted_bots=bots)

    def _read_coordination(self) -> Coordination:
        from maverick_ext.config_files import COORDINATION_DEFAULTS

        return self._section("coordination", COORDINATION_DEFAULTS)

    def github_app(self) -> GitHubApp:
        """The ``github_app`` settings, once per run; without a config file from the
        environment alone, never loading the validating models (as ``coordination``)."""
        if self._github_app is None:
            from maverick_ext.config_files import GITHUB_APP_DEFAULTS

            self._github_app = self._section("github_app", GITHUB_APP_DEFAULTS)
        return self._github_app

    def _section(self, name: str, defaults: S) -> S:
        """Config section ``name`` as its pydantic-free dataclass (``config_files``): without
        a config file the defaults plus the environment's overrides, known from two stats;
        else the validated file's section, every field of the dataclass taken from it."""
        from maverick_ext.config_files import environment_overrides
        from maverick_ext.records import fields, replace

        if not self.config_files():
            return replace(defaults, **environment_overrides(self.env).get(name, {}))
        section = getattr(self.config, name)
        values = {f.name: getattr(section, f.name) for f in fields(defaults)}
        return replace(
            defaults, **{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        )

    def resolve_repo(self, flag: str | None) -> RepoRef | None:
        """``-R`` wins, then ``GH_REPO``, then the clone's remote (as gh picks it); once per
        flag and run (the remote costs a git process)."""
        if flag not in self._repos:
            self._repos[flag] = self._resolve_repo(flag)
        return self._repos[flag]

    def _resolve_repo(self, flag: str | None) -> RepoRef | None:
        from maverick_ext.core.refs import parse_repo

        if flag:
            return parse_repo(flag)
        if self.env.get("GH_REPO"):
            return parse_repo(self.env["GH_REPO"])
        from maverick_ext.git.remotes import repo_from_remotes

        return repo_from_remotes(cwd=self.cwd)


def pass_app(function: F) -> F:
    """For a click command: call ``function`` with the run's App first (tests put theirs in
    click's ``obj``). Commands declared with commands/spec get it without this."""
    import click

    return click.make_pass_decorator(App, ensure=True)(function)  # type: ignore[return-value]
