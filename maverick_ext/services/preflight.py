"""Preflight: can this machine and clone run a Maverick workflow? Each unmet check says how
to fix it. Checks that depend on an unmet one are skipped rather than failed twice.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from maverick_ext.config_files import GitHubApp
from maverick_ext.core.labels import STANDARD_LABELS
from maverick_ext.errors import MaverickError
from maverick_ext.git.runner import git
from maverick_ext.github import issues as gh_issues
from maverick_ext.github import local as gh_local
from maverick_ext.records import asdict, dataclass, field

MIN_GH = (2, 30, 0)
# `git rev-parse --path-format=absolute` (used to find the main checkout) needs 2.31.
MIN_GIT = (2, 31, 0)
# Below this many core REST calls left, an epic run would stall on the rate limit.
MIN_RATE_REMAINING = 200
# Every skill name the seeds' CLI knows (maverick-harness 5.1.1), with the checks it can
# do without. Only do-epic runs stories side by side in worktrees; the bootstrap skills
# (do-init, do-install, do-adopt) are what creates the labels, so they cannot need them.
_NO_WORKTREES = frozenset({"worktrees"})
_BOOTSTRAP = frozenset({"worktrees", "labels"})
WORKFLOWS: dict[str | None, frozenset[str]] = {
    None: frozenset(),
    "do-epic": frozenset(),
    **dict.fromkeys(
        (
            "do-issue-solo",
            "do-issue-guided",
            "do-code",
            "do-test",
            "do-docs",
            "do-upskill",
            "do-maverick-alignment",
            "do-pullrequest-review",
            "do-cybersecurity-review",
        ),
        _NO_WORKTREES,
    ),
    **dict.fromkeys(("do-init", "do-install", "do-adopt"), _BOOTSTRAP),
}


@dataclass
class Check:
    name: str
    status: str  # pass | fail | skip
    detail: str
    fix: str | None = None


@dataclass
class PreflightReport:
    workflow: str | None
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.status != "fail" for check in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "ok": self.ok,
            "checks": [asdict(check) for check in self.checks],
        }


def parse_version(text: str) -> tuple[int, ...] | None:
    """The first dotted version in ``text`` (``gh version 2.102.0 (…)`` → (2, 102, 0))."""
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    return tuple(int(part or 0) for part in match.groups()) if match else None


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


@dataclass
class Preflight:
    """The checks, run in order; what they need from the outside world is injected."""

    env: Mapping[str, str]
    cwd: str | os.PathLike[str] | None
    resolve_repo: Callable[[], Any]
    make_client: Callable[[Any], Any]
    # The github_app settings (raises InvalidData for a broken config file), and a client
    # that acts as gh's own account (the App check must not need the App to work).
    github_app: Callable[[], GitHubApp] = lambda: GitHubApp()
    make_gh_client: Callable[[Any], Any] | None = None
    report: PreflightReport = field(default_factory=lambda: PreflightReport(None))

    def _add(self, name: str, ok: bool, detail: str, fix: str | None = None) -> bool:
        self.report.checks.append(
            Check(name, "pass" if ok else "fail", detail, fix if not ok else None)
        )
        return ok

    def _skip(self, name: str, because: str) -> None:
        self.report.checks.append(Check(name, "skip", because))

    def _tool(self, name: str, minimum: tuple[int, ...], install: str) -> bool:
        try:
            result = gh_local.version(self.env) if name == "gh" else git("--version", env=self.env)
        except MaverickError as exc:
            return self._add(name, False, exc.message, install)
        version = parse_version(result.stdout)
        if result.exit_code != 0 or version is None:
            return self._add(name, False, f"`{name} --version` failed", install)
        return self._add(
            name,
            version >= minimum,
            f"{name} {_dotted(version)}" + ("" if version >= minimum else f" < {_dotted(minimum)}"),
            f"upgrade {name} to {_dotted(minimum)} or later",
        )

    def run(self, workflow: str | None) -> PreflightReport:
        self.report = PreflightReport(workflow)
        excluded = WORKFLOWS[workflow]
        has_gh = self._tool("gh", MIN_GH, "install GitHub CLI: https://cli.github.com")
        has_git = self._tool("git", MIN_GIT, "install git: https://git-scm.com/downloads")
        in_repo = self._repository(has_git)
        if "worktrees" not in excluded:
            self._worktrees(in_repo)
        repo = self._remote()
        authed = self._auth(has_gh, repo)
        self._config()
        client = self.make_client(repo) if authed and repo is not None else None
        if "labels" not in excluded:
            self._labels(client)
        self._rate_limit(client)
        self._github_app(has_gh, repo)
        return self.report

    def _repository(self, has_git: bool) -> bool:
        if not has_git:
            self._skip("repository", "git is missing")
            return False
        result = git("rev-parse", "--show-toplevel", cwd=self.cwd, env=self.env)
        return self._add(
            "repository",
            result.exit_code == 0,
            result.stdout.strip() if result.exit_code == 0 else "not inside a git repository",
            "cd into a clone of the repository (gh repo clone OWNER/REPO)",
        )

    def _worktrees(self, in_repo: bool) -> None:
        if not in_repo:
            self._skip("worktrees", "not inside a git repository")
            return
        result = git("worktree", "list", cwd=self.cwd, env=self.env)
        first = (result.stderr.strip().splitlines() or [""])[0]
        self._add(
            "worktrees",
            result.exit_code == 0,
            "git worktree is usable" if result.exit_code == 0 else first,
            "use a non-bare clone with git >= 2.31",
        )

    def _remote(self) -> Any:
        try:
            repo = self.resolve_repo()
        except MaverickError as exc:
            self._add("remote", False, exc.message, "pass -R OWNER/REPO or fix GH_REPO")
            return None
        self._add(
            "remote",
            repo is not None,
            str(repo) if repo is not None else "no GitHub remote and no GH_REPO",
            "git remote add origin https://github.com/OWNER/REPO.git, or set GH_REPO",
        )
        return repo

    def _auth(self, has_gh: bool, repo: Any) -> bool:
        if not has_gh:
            self._skip("gh auth", "gh is missing")
            return False
        host = getattr(repo, "host", None) or self.env.get("GH_HOST") or "github.com"
        logged_in = gh_local.is_logged_in(host, self.env)
        return self._add(
            "gh auth",
            logged_in,
            f"authenticated to {host}" if logged_in else f"not logged in to {host}",
            f"gh auth login --hostname {host} (or set GH_TOKEN)",
        )

    def _config(self) -> None:
        from maverick_ext.config import load_config

        try:
            sources = load_config(self.cwd, env=self.env).sources
        except MaverickError as exc:
            self._add("config", False, exc.message, exc.hint)
            return
        files = ", ".join(str(path) for path in sources) or "no config files (defaults)"
        self._add("config", True, files)

    def _github_app(self, has_gh: bool, repo: Any) -> bool:
        """The App the seeds make mandatory: key file, JWT accepted, installation found.
        Not configuring one at all is allowed (commands act as gh's account)."""
        from maverick_ext.github import app as app_calls
        from maverick_ext.services import gh_app

        name = "github app"
        try:
            settings = self.github_app()
        except MaverickError:
            self._skip(name, "the config is invalid")
            return False
        if not settings.configured:
            if settings.missing() == GitHubApp().missing() and not settings.act_as_app:
                self._skip(name, "no GitHub App configured (commands act as gh's account)")
                return False
            return self._add(
                name,
                False,
                f"incomplete: {', '.join(settings.missing())} unset",
                "set them in the config file or MAVERICK_APP_* (docs/gh-app.md)",
            )
        if not has_gh:
            self._skip(name, "gh is missing")
            return False
        try:
            jwt = gh_app.app_jwt(settings, time.time())
            client = (self.make_gh_client or self.make_client)(repo)
            found = app_calls.authenticated_app(client, jwt)
            assert settings.installation_id is not None
            app_calls.installation(client, jwt, settings.installation_id)
        except MaverickError as exc:
            return self._add(name, False, exc.message, exc.hint)
        return self._add(
            name,
            True,
            f"{found.get('slug')} (id {settings.app_id}), installation {settings.installation_id}",
        )

    def _labels(self, client: Any) -> None:
        if client is None:
            self._skip("labels", "no authenticated repository")
            return
        try:
            present = set(gh_issues.label_names(client))
        except MaverickError as exc:
            self._add("labels", False, exc.message, exc.hint)
            return
        missing = [name for name, _, _ in STANDARD_LABELS if name not in present]
        self._add(
            "labels",
            not missing,
            f"missing: {', '.join(missing)}" if missing else "all Maverick labels exist",
            "gh maverick init",
        )

    def _rate_limit(self, client: Any) -> None:
        if client is None:
            self._skip("rate limit", "no authenticated repository")
            return
        try:
            core = gh_issues.core_rate_limit(client)
        except (MaverickError, KeyError, TypeError) as exc:
            self._add("rate limit", False, f"cannot read the rate limit: {exc}", "retry later")
            return
        remaining, limit = int(core["remaining"]), int(core["limit"])
        self._add(
            "rate limit",
            remaining >= MIN_RATE_REMAINING,
            f"{remaining} of {limit} REST calls left",
            f"wait until the limit resets (epoch {core.get('reset')})",
        )
