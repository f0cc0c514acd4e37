"""Where a fresh instance resumes an issue, decided from what GitHub already shows.

Inputs are plain facts: the task-progress phase, whether a block walk is unfinished, who
holds the claim, and the pull request's state. The answer names the next step and the
command that takes it.
"""

from __future__ import annotations

from maverick_ext.core.task_progress import PHASES
from maverick_ext.records import dataclass


@dataclass(frozen=True)
class ResumeFacts:
    number: int
    phase: str | None
    bprop_pending: bool
    held_by_me: bool
    live_holder: str | None  # another instance with a live lease
    stale_holder: str | None  # a holder whose lease ran out
    pr_number: int | None
    pr_state: str | None  # OPEN | CLOSED | MERGED


@dataclass(frozen=True)
class ResumePoint:
    next: str
    instruction: str


def resume_point(f: ResumeFacts) -> ResumePoint:
    n = f.number
    if f.bprop_pending:
        return ResumePoint("bprop", f"a block walk is unfinished: gh maverick bprop resume {n}")
    if f.live_holder and not f.held_by_me:
        return ResumePoint("wait", f"held by {f.live_holder} with a live lease: do not touch #{n}")
    if f.phase in ("complete",) or (f.pr_state == "MERGED" and f.phase == "complete"):
        return ResumePoint("complete", "the work is complete: nothing to resume")
    claim_first = (
        ""
        if f.held_by_me
        else (
            f"gh maverick takeover {n}, then "
            if f.stale_holder
            else f"gh maverick claim {n}, then "
        )
    )
    if f.pr_state == "MERGED":
        return ResumePoint(
            "merged",
            f"{claim_first}finish after the merge: gh maverick issue close-on-merge {n} "
            f"--pr {f.pr_number} --target BRANCH, then release --reason merged",
        )
    if f.pr_state == "CLOSED" or f.phase == "ejected":
        return ResumePoint("ejected", f"the work was ejected: leave #{n} to a human")
    if f.pr_state == "OPEN":
        return ResumePoint(
            "review", f"{claim_first}PR #{f.pr_number} is open: gh maverick pr wait {f.pr_number}"
        )
    if f.phase is None:
        return ResumePoint("start", f"{claim_first}start from the beginning (no progress recorded)")
    position = PHASES.index(f.phase) if f.phase in PHASES else -1
    after = PHASES[position + 1] if 0 <= position < len(PHASES) - 3 else None
    if after is None:
        return ResumePoint("start", f"{claim_first}unknown phase {f.phase!r}: start over")
    return ResumePoint(after, f"{claim_first}resume after {f.phase}: next is {after}")
