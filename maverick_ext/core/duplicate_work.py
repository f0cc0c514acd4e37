"""The duplicate-PR net: two open pull requests or story branches for one issue.

Two agents that both believed they held an issue (a lost race, a takeover the old holder
missed) each push a branch and may open a PR. Only the claim holder's work counts; the
other must be named so a person closes it. The holder's branch is the one its
``maverick-task-progress`` record names; when no record names one, every branch is named
and none is kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from maverick_ext.core.names import story_issue
from maverick_ext.records import dataclass


@dataclass(frozen=True)
class Work:
    """One line of work on an issue: a branch, and the open PR from it if there is one."""

    branch: str
    pr: int | None = None

    def describe(self) -> str:
        return f"PR #{self.pr} ({self.branch})" if self.pr is not None else f"branch {self.branch}"


@dataclass(frozen=True)
class Duplicate:
    issue: int
    kept: Work | None  # the holder's, None when no record says which it is
    extra: tuple[Work, ...]  # what is not the holder's


def work_by_issue(
    branches: Iterable[str], open_prs: Iterable[tuple[int, str, Iterable[int]]]
) -> dict[int, list[Work]]:
    """Issue -> its lines of work: story branches named after it (``feat/42-x``) and open
    PRs (``(number, head branch, issues it closes)``), a PR and its head branch as one."""
    found: dict[int, dict[str, Work]] = {}
    for branch in branches:
        issue = story_issue(branch)
        if issue is not None:
            found.setdefault(issue, {}).setdefault(branch, Work(branch))
    for number, head, closes in open_prs:
        named = story_issue(head)
        for issue in {*closes, *([named] if named is not None else [])}:
            found.setdefault(issue, {})[head] = Work(head, number)
    return {issue: sorted(works.values(), key=lambda w: w.branch) for issue, works in found.items()}


def duplicate(issue: int, works: list[Work], holder_branch: str | None) -> Duplicate | None:
    """None when the issue has at most one line of work."""
    if len(works) < 2:
        return None
    kept = next((w for w in works if w.branch == holder_branch), None)
    return Duplicate(issue, kept, tuple(w for w in works if w is not kept))
