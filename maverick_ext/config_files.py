"""Where gh-maverick's configuration files are, and the coordination settings without one.

Split from ``config`` so that the commands agents call most (`read`, `guard`, `heartbeat`,
`epic next`) can tell "no configuration file" with a few stats and use the defaults, without
importing the pydantic models that validate a file (docs/ARCHITECTURE.md, Dependencies).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from maverick_ext.errors import UsageError
from maverick_ext.records import dataclass

# Paths as text (os.path): pathlib would cost the hot commands ~3.5 ms to import.
PROJECT_CONFIG = os.path.join(".maverick", "config.json")
USER_CONFIG = os.path.join("gh-maverick", "config.json")


@dataclass(frozen=True)
class Coordination:
    """The ``coordination`` section as the claim and epic commands use it."""

    max_concurrent_worktrees: int = 4
    trusted_bots: tuple[str, ...] = ()
    lease_ttl_s: int = 600
    # How long a claimer waits for competing claims to become visible before re-reading.
    settle_s: float = 2.0
    # All rate-limit waits of one GitHub request together (MAVERICK_MAX_RETRY_WAIT_S wins).
    max_retry_wait_s: float = 600.0
    # The seeds' implementation claims the same issues (docs/claims.md, "Mixed fleets").
    mixed_fleet: bool = False


COORDINATION_DEFAULTS = Coordination()


@dataclass(frozen=True)
class GitHubApp:
    """The ``github_app`` section: the App whose installation token commands may act with.

    ``app_id`` is what the JWT's ``iss`` carries (the App's numeric id or its client id);
    ``act_as_app`` makes every command run as the App, as ``--as-app`` does for one.
    """

    app_id: str = ""
    private_key_path: str = ""
    installation_id: int | None = None
    act_as_app: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.private_key_path and self.installation_id)

    def missing(self) -> list[str]:
        """The keys still unset, by their config names."""
        keys = {
            "github_app.app_id": self.app_id,
            "github_app.private_key_path": self.private_key_path,
            "github_app.installation_id": self.installation_id,
        }
        return [key for key, value in keys.items() if not value]


GITHUB_APP_DEFAULTS = GitHubApp()


def _positive_int(raw: str) -> int:
    if not raw.isdecimal() or int(raw) < 1:
        raise ValueError("expected a whole number of at least 1")
    return int(raw)


def _non_negative_seconds(raw: str) -> float:
    seconds = float(raw)  # ValueError: not a number
    if not seconds >= 0:  # also rejects nan
        raise ValueError("expected 0 or more seconds")
    return seconds


def _switch(raw: str) -> bool:
    value = raw.lower()
    if value not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError("expected 1/true/yes/on or 0/false/no/off")
    return value in ("1", "true", "yes", "on")


# Environment variable -> the (section, key) it overrides, and how its text is read.
ENV_OVERRIDES: dict[str, tuple[str, str, Callable[[str], Any]]] = {
    "MAX_CONCURRENT_WORKTREES": ("coordination", "max_concurrent_worktrees", _positive_int),
    "MAVERICK_SETTLE_S": ("coordination", "settle_s", _non_negative_seconds),
    "MAVERICK_MIXED_FLEET": ("coordination", "mixed_fleet", _switch),
    "MAVERICK_APP_ID": ("github_app", "app_id", str),
    "MAVERICK_APP_PRIVATE_KEY_PATH": ("github_app", "private_key_path", str),
    "MAVERICK_APP_INSTALLATION_ID": ("github_app", "installation_id", _positive_int),
    "MAVERICK_AS_APP": ("github_app", "act_as_app", _switch),
}


def environment_overrides(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The ``ENV_OVERRIDES`` set in ``env``, as config sections; ``UsageError`` names a bad one.

    One precedence order for every setting, highest first: the command's flag, this
    environment, the project file, the user file, the default (docs/git.md, Configuration).
    """
    sections: dict[str, dict[str, Any]] = {}
    for name, (section, key, read) in ENV_OVERRIDES.items():
        raw = env.get(name, "").strip()
        if not raw:
            continue
        try:
            sections.setdefault(section, {})[key] = read(raw)
        except ValueError as exc:
            reason = str(exc) if "expected" in str(exc) else "not a number"
            raise UsageError(f"invalid {name}={raw!r}: {reason}", f"fix or unset {name}") from None
    return sections


def git_top_level(start: str) -> str | None:
    """The nearest directory at or above ``start`` holding `.git` (a dir, or a worktree's file)."""
    directory = start
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def main_checkout(top_level: str) -> str:
    """For a linked worktree (`.git` is a file), the main checkout it belongs to."""
    dot_git = os.path.join(top_level, ".git")
    if not os.path.isfile(dot_git):
        return top_level
    with open(dot_git, encoding="utf-8", errors="replace") as file:
        text = file.read().strip()
    if not text.startswith("gitdir:"):
        return top_level
    # gitdir: <main>/.git/worktrees/<name>
    git_dir = os.path.realpath(os.path.join(top_level, text.removeprefix("gitdir:").strip()))
    worktrees = os.path.dirname(git_dir)
    dot_git_dir = os.path.dirname(worktrees)
    if os.path.basename(worktrees) == "worktrees" and os.path.basename(dot_git_dir) == ".git":
        return os.path.dirname(dot_git_dir)
    return top_level


def project_config_path(cwd: str) -> str | None:
    """The project file that applies in ``cwd``: the worktree's own, else the main checkout's."""
    top = git_top_level(cwd)
    if top is None:
        return None
    for root in dict.fromkeys((top, main_checkout(top))):
        if os.path.isfile(os.path.join(root, PROJECT_CONFIG)):
            return os.path.join(root, PROJECT_CONFIG)
    return None


def user_config_path(env: Mapping[str, str]) -> str:
    home = env.get("HOME") or os.path.expanduser("~")
    return os.path.join(env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), USER_CONFIG)


def config_sources(
    cwd: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The configuration files that exist for ``cwd``, lowest precedence first."""
    env = os.environ if env is None else env
    start = os.path.realpath(cwd if cwd is not None else os.getcwd())
    paths = [user_config_path(env), project_config_path(start)]
    return tuple(path for path in paths if path is not None and os.path.isfile(path))
