"""`git worktree`, `git fetch` and branch queries, each one git call with a fixed argv.

Branch names reaching here have passed ``core.names.check_branch_name`` (no leading
``-``, no ``..``), and paths are absolute, so no argument can be read as an option.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from maverick_ext import process
from maverick_ext.git.runner import GitFailed, git, git_ok, rev_parse
from maverick_ext.records import dataclass

Cwd = str | os.PathLike[str]
ISSUE_CONFIG_KEY = "maverick-issue"
LOCK_NAME = "maverick-worktrees.lock"
LOCK_POLL_S = 0.05


def common_git_dir(repo: Cwd) -> Path:
    """The git dir all worktrees of ``repo`` share (where one machine-wide lock belongs)."""
    return Path(git_ok("rev-parse", "--path-format=absolute", "--git-common-dir", cwd=repo).strip())


@contextmanager
def worktree_lock(repo: Cwd, timeout_s: float) -> Iterator[bool]:
    """Hold the repository's worktree lock (an flock on a file in the common git dir), so
    concurrent creates see each other's worktrees; yields False if it was not free within
    ``timeout_s``. The kernel drops the lock when the holder dies: no stale lock files."""
    path = common_git_dir(repo) / LOCK_NAME
    with open(path, "a") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(LOCK_POLL_S)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class WorktreeEntry:
    """One entry of `git worktree list --porcelain`."""

    path: Path
    head: str | None
    branch: str | None  # None when detached (or bare)
    bare: bool = False
    locked: bool = False
    prunable: bool = False


def parse_worktree_list(porcelain: str) -> list[WorktreeEntry]:
    """Parse `git worktree list --porcelain` (records separated by blank lines)."""
    entries: list[WorktreeEntry] = []
    for record in porcelain.strip().split("\n\n"):
        fields: dict[str, str] = {}
        for line in record.splitlines():
            key, _, value = line.partition(" ")
            fields[key] = value
        if "worktree" not in fields:
            continue
        branch = fields.get("branch")
        entries.append(
            WorktreeEntry(
                path=Path(fields["worktree"]),
                head=fields.get("HEAD"),
                branch=branch.removeprefix("refs/heads/") if branch else None,
                bare="bare" in fields,
                locked="locked" in fields,
                prunable="prunable" in fields,
            )
        )
    return entries


def list_worktrees(repo: Cwd) -> list[WorktreeEntry]:
    return parse_worktree_list(git_ok("worktree", "list", "--porcelain", cwd=repo))


def remotes(repo: Cwd) -> list[str]:
    return git_ok("remote", cwd=repo).split()


def pick_remote_name(repo: Cwd) -> str | None:
    """`origin` when present, else the only remote; None without a (single) remote."""
    names = remotes(repo)
    if "origin" in names:
        return "origin"
    return names[0] if len(names) == 1 else None


def fetch_branch(repo: Cwd, remote: str, branch: str) -> bool:
    """Update ``refs/remotes/<remote>/<branch>``; False when the remote has no such branch."""
    refspec = f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"
    result = git("fetch", "--quiet", "--no-tags", remote, refspec, cwd=repo, timeout=300)
    return result.exit_code == 0


def local_branch_exists(repo: Cwd, branch: str) -> bool:
    return rev_parse(f"refs/heads/{branch}", cwd=repo) is not None


def add_worktree(repo: Cwd, path: Path, branch: str, start_point: str | None) -> None:
    """Check ``branch`` out at ``path``; with ``start_point``, create the branch there first.

    ``--no-track``: a story branch made from origin/main must not push to main.
    """
    if start_point is None:
        git_ok("worktree", "add", str(path), branch, cwd=repo)
    else:
        git_ok("worktree", "add", "--no-track", "-b", branch, str(path), start_point, cwd=repo)


def add_detached_worktree(repo: Cwd, path: Path, commit: str) -> None:
    git_ok("worktree", "add", "--detach", str(path), commit, cwd=repo)


def set_upstream(repo: Cwd, branch: str, remote: str) -> None:
    git_ok("branch", f"--set-upstream-to={remote}/{branch}", branch, cwd=repo)


def remove_worktree(repo: Cwd, path: Path, force: bool) -> None:
    # Twice --force also removes a locked worktree, which is what the user asked for.
    flags = ["--force", "--force"] if force else []
    git_ok("worktree", "remove", *flags, str(path), cwd=repo)


def prune_worktrees(repo: Cwd) -> list[str]:
    """Drop records of worktrees whose directories are gone; git's lines about each."""
    result = git("worktree", "prune", "--verbose", cwd=repo)
    if result.exit_code != 0:
        raise GitFailed(["git", "worktree", "prune"], result)
    # git reports each pruned worktree on stderr.
    return [line for line in result.stderr.splitlines() if line.strip()]


def exclude_locally(repo: Cwd, pattern: str) -> None:
    """Add ``pattern`` to the clone's own ignore file (info/exclude), never to .gitignore."""
    exclude = Path(git_ok("rev-parse", "--git-path", "info/exclude", cwd=repo).strip())
    exclude = exclude if exclude.is_absolute() else Path(repo) / exclude
    existing = exclude.read_text(encoding="utf-8").splitlines() if exclude.exists() else []
    if pattern not in existing:
        exclude.parent.mkdir(parents=True, exist_ok=True)
        with exclude.open("a", encoding="utf-8") as handle:
            handle.write(f"{pattern}\n")


def record_issue(repo: Cwd, branch: str, issue: int) -> None:
    """Remember which issue a branch is for (``branch.<name>.maverick-issue``)."""
    git_ok("config", f"branch.{branch}.{ISSUE_CONFIG_KEY}", str(issue), cwd=repo)


def recorded_issues(repo: Cwd) -> dict[str, int]:
    pattern = rf"^branch\..*\.{ISSUE_CONFIG_KEY}$"
    listing = git("config", "--get-regexp", pattern, cwd=repo).stdout
    issues: dict[str, int] = {}
    for line in listing.splitlines():
        key, _, value = line.partition(" ")
        if value.strip().isdecimal():
            branch = key.removeprefix("branch.").removesuffix(f".{ISSUE_CONFIG_KEY}")
            issues[branch] = int(value)
    return issues


def run_post_create_hook(
    argv: Sequence[str], env: Mapping[str, str], worktree: str, timeout: float
) -> process.ProcessResult:
    """The user's post-create hook (argv, no shell), run inside the new worktree."""
    return process.run(argv, env=env, cwd=worktree, timeout=timeout)
