"""Moving a stacked branch onto its new base with `git rebase --onto`, all or nothing."""

from __future__ import annotations

from pathlib import Path

from maverick_ext.errors import MaverickError
from maverick_ext.git.runner import git, git_ok, rev_parse


class RebaseConflict(MaverickError):
    """The rebase stopped on a conflict; it was aborted and the worktree is as it was."""

    def __init__(self, message: str, hint: str, conflicted: list[str]) -> None:
        super().__init__(message, hint)
        self.conflicted = conflicted


def rebase_onto(worktree: Path, onto: str, upstream: str, branch: str) -> str:
    """Replay the commits of ``branch`` after ``upstream`` onto ``onto``; the new tip.

    ``branch`` must be checked out (and clean) at ``worktree``. Squash merges make the
    sibling's commits look new to git; naming the old sibling tip as ``upstream`` drops
    exactly them. On a conflict the rebase is aborted and ``RebaseConflict`` raised.
    """
    before = rev_parse("HEAD", cwd=worktree)
    result = git("rebase", "--no-autostash", "--onto", onto, upstream, cwd=worktree)
    if result.exit_code == 0:
        return rev_parse("HEAD", cwd=worktree) or ""
    conflicted = git("diff", "--name-only", "--diff-filter=U", cwd=worktree).stdout.split()
    git_ok("rebase", "--abort", cwd=worktree)
    after = rev_parse("HEAD", cwd=worktree)
    if after != before:  # --abort always restores ORIG_HEAD; say so loudly if it did not
        raise MaverickError(
            f"rebase of {branch} failed and its abort left HEAD at {after}, not {before}",
            f"inspect {worktree} by hand (`git reflog`)",
        )
    files = ", ".join(conflicted) or "(git did not name them)"
    raise RebaseConflict(
        f"rebasing {branch} onto {onto} conflicts in {files}; rebase aborted, "
        f"{worktree} is unchanged",
        f"resolve by hand: cd {worktree} && git rebase --onto {onto} {upstream}, "
        "fix the conflicts, git rebase --continue, push, then rerun `gh maverick pr retarget`",
        conflicted,
    )


def push_rebased(worktree: Path, remote: str, branch: str, expected: str | None) -> None:
    """Force-push HEAD to ``branch`` only if the remote still has ``expected`` there.

    A rebase rewrites history, so it needs a force push; the lease makes sure nobody's
    newer push to the branch is overwritten.
    """
    lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
    result = git(
        "push", "--quiet", lease, remote, f"HEAD:refs/heads/{branch}", cwd=worktree, timeout=300
    )
    if result.exit_code != 0:
        detail = (result.stderr.strip().splitlines() or [f"exit {result.exit_code}"])[-1]
        raise MaverickError(
            f"push of rebased {branch} to {remote} was refused: {detail}",
            "someone pushed to it meanwhile: pull their commits, then rerun `pr retarget`",
        )
