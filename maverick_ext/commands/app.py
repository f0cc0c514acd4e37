"""The dependencies every command receives through the click context.

Production builds them from the environment; tests pass their own ``App`` as ``obj`` to
click's runner (a ``GhClient`` over a fake runner, a frozen clock, a fixed instance id).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from maverick_ext.config_files import Coordination
    from maverick_ext.core.refs import RepoRef
    from maverick_ext.github.client import GhClient

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class App:
    debug: bool = False
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    make_client: Callable[..., GhClient] | None = None
    cwd: str | None = None

    def client(self, repo: RepoRef | None) -> GhClient:
        """A `gh api` client bound to ``repo`` (already resolved by ``resolve_repo``)."""
        if self.make_client is not None:
            return self.make_client(repo=repo, debug=self.debug)
        from maverick_ext.github.client import RETRY_WAIT_ENV, GhClient, retry_policy

        configured = None
        if not self.env.get(RETRY_WAIT_ENV):
            configured = self.coordination().max_retry_wait_s
        return GhClient(
            repo=repo,
            debug=self.debug,
            sleep=self.sleep,
            clock=self.monotonic,
            env=self.env,
            policy=retry_policy(self.env, configured),
        )

    def coordination(self) -> Coordination:
        """The ``coordination`` settings. Without a config file they are the defaults, known
        from two stats: the hot commands then never load the validating (pydantic) models."""
        from maverick_ext.config_files import COORDINATION_DEFAULTS, Coordination, config_sources

        if not config_sources(self.cwd, env=self.env):
            return COORDINATION_DEFAULTS
        from maverick_ext.config import load_config

        section = load_config(self.cwd, env=self.env).coordination
        return Coordination(
            max_concurrent_worktrees=section.max_concurrent_worktrees,
            trusted_bots=tuple(section.trusted_bots),
            lease_ttl_s=section.lease_ttl_s,
            settle_s=section.settle_s,
            max_retry_wait_s=section.max_retry_wait_s,
        )

    def resolve_repo(self, flag: str | None) -> RepoRef | None:
        """``-R`` wins, then ``GH_REPO``, then the clone's remote (as gh picks it)."""
        from maverick_ext.core.refs import parse_repo

        if flag:
            return parse_repo(flag)
        if self.env.get("GH_REPO"):
            return parse_repo(self.env["GH_REPO"])
        from maverick_ext.git.remotes import repo_from_remotes

        return repo_from_remotes(cwd=self.cwd)


pass_app = click.make_pass_decorator(App, ensure=True)
