"""Running git: one helper so every call gets the same environment and error reporting."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from maverick_ext import process
from maverick_ext.errors import MaverickError, UsageError

if TYPE_CHECKING:
    from pathlib import Path

# git must never stop to ask (credentials, editor for rebase messages) or colour its output.
QUIET_GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_EDITOR": "true",
    "GIT_SEQUENCE_EDITOR": "true",
    "GIT_MERGE_AUTOEDIT": "no",
    "LC_ALL": "C",
}


class GitFailed(MaverickError):
    """A git command that should have worked did not; the message carries git's own words."""

    def __init__(self, argv: Sequence[str], result: process.ProcessResult) -> None:
        detail = (result.stderr.strip() or result.stdout.strip()).splitlines()
        first = detail[0] if detail else f"exit {result.exit_code}"
        super().__init__(f"`{' '.join(argv)}` failed: {first}")
        self.result = result


def not_a_repository() -> UsageError:
    return UsageError("not inside a git repository", "run this from a clone of the repository")


def git(
    *args: str,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> process.ProcessResult:
    """Run ``git <args>``; returns the result whatever the exit code."""
    child_env = {**os.environ, **(env or {}), **QUIET_GIT_ENV}
    return process.run(["git", *args], cwd=cwd, env=child_env, timeout=timeout)


def git_ok(*args: str, cwd: str | os.PathLike[str] | None = None, **kw: object) -> str:
    """Run ``git <args>`` and return its stdout; ``GitFailed`` on a non-zero exit."""
    result = git(*args, cwd=cwd, **kw)  # type: ignore[arg-type]
    if result.exit_code != 0:
        raise GitFailed(["git", *args], result)
    return result.stdout


def top_level(cwd: str | os.PathLike[str] | None = None) -> Path:
    """The working tree's top directory; UsageError outside a git repository."""
    from pathlib import Path  # here: the claim commands import this module, not pathlib

    result = git("rev-parse", "--show-toplevel", cwd=cwd)
    if result.exit_code != 0:
        raise not_a_repository()
    return Path(result.stdout.strip())


def absolute_git_dir(cwd: str | os.PathLike[str] | None = None) -> str | None:
    """This worktree's own git dir (each linked worktree has one), or None outside a clone."""
    result = git("rev-parse", "--absolute-git-dir", cwd=cwd)
    found = result.stdout.strip()
    return found if result.exit_code == 0 and found else None


def main_top_level(cwd: str | os.PathLike[str] | None = None) -> Path:
    """The main checkout even when called from inside a linked worktree."""
    result = git("rev-parse", "--path-format=absolute", "--git-common-dir", cwd=cwd)
    if result.exit_code != 0 and "not a git repository" in result.stderr:
        raise not_a_repository()
    if result.exit_code != 0:
        raise GitFailed(["git", *result.argv[1:]], result)
    from pathlib import Path

    common_dir = Path(result.stdout.strip())
    # A non-bare repository keeps its git dir as <checkout>/.git.
    return common_dir.parent if common_dir.name == ".git" else top_level(cwd)


def rev_parse(ref: str, cwd: str | os.PathLike[str] | None = None) -> str | None:
    """The commit ``ref`` names, or None when it names none."""
    result = git(
        "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", cwd=cwd
    )
    return result.stdout.strip() if result.exit_code == 0 else None


def is_dirty(cwd: str | os.PathLike[str], *, untracked: bool = True) -> bool:
    """Uncommitted changes (and, with ``untracked``, untracked files) at ``cwd``."""
    mode = "--untracked-files=normal" if untracked else "--untracked-files=no"
    return bool(git_ok("status", "--porcelain", mode, cwd=cwd).strip())


def is_ancestor(ancestor: str, descendant: str, cwd: str | os.PathLike[str] | None = None) -> bool:
    return git("merge-base", "--is-ancestor", ancestor, descendant, cwd=cwd).exit_code == 0


def default_branch(remote: str, cwd: str | os.PathLike[str] | None = None) -> str | None:
    """The remote's default branch as this clone knows it (refs/remotes/<remote>/HEAD)."""
    result = git("symbolic-ref", "--quiet", "--short", f"refs/remotes/{remote}/HEAD", cwd=cwd)
    if result.exit_code == 0 and result.stdout.strip():
        return result.stdout.strip().removeprefix(f"{remote}/")
    # Not recorded locally (e.g. a clone made with an old git): ask the remote once.
    result = git("ls-remote", "--symref", remote, "HEAD", cwd=cwd, timeout=60)
    for line in result.stdout.splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            return line.removeprefix("ref: refs/heads/").removesuffix("\tHEAD")
    return None
