"""What a pull request's checks and mergeability say, and when `pr wait` may stop.

Buckets follow gh's `pr checks` (pkg/cmd/pr/checks/aggregate.go): a status context's
``state``, else a check run's ``conclusion`` once ``COMPLETED``, else its ``status``;
SUCCESS passes, SKIPPED and NEUTRAL skip, ERROR/FAILURE/TIMED_OUT/ACTION_REQUIRED fail,
CANCELLED is its own bucket, everything else is pending. Repeated runs of one check count
once, the most recently started (gh's eliminateDuplicates). Two deliberate differences,
because `pr wait` answers "may this merge?" rather than drawing a table: CANCELLED counts
as not passed (gh exits 0 on it), and STARTUP_FAILURE (a workflow that never started,
which gh leaves pending forever) fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from maverick_ext.errors import UsageError
from maverick_ext.records import dataclass

PASS, FAIL, PENDING, SKIPPING, CANCEL = "pass", "fail", "pending", "skipping", "cancel"
BUCKETS = (PASS, FAIL, PENDING, SKIPPING, CANCEL)
_BUCKET_OF = {
    "SUCCESS": PASS,
    "SKIPPED": SKIPPING,
    "NEUTRAL": SKIPPING,
    "ERROR": FAIL,
    "FAILURE": FAIL,
    "TIMED_OUT": FAIL,
    "ACTION_REQUIRED": FAIL,
    "STARTUP_FAILURE": FAIL,
    "CANCELLED": CANCEL,
}

# What `pr wait` waits for: checks and mergeability (default), checks only, the merge.
MODES = ("mergeable", "checks", "merged")
MAX_TIMEOUT_S = 24 * 3600
_TIMEOUT = re.compile(r"^\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>s|m|h|)\s*$", re.IGNORECASE)


def parse_timeout(text: str) -> float:
    """``--timeout``: ``90s``, ``30m``, ``2h`` or seconds; 0 reads once and answers."""
    match = _TIMEOUT.match(text or "")
    if not match:
        raise UsageError(f"invalid --timeout {text!r}", "for example 90s, 30m, 2h (0: read once)")
    seconds = float(match["value"]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match["unit"].lower()]
    if seconds > MAX_TIMEOUT_S:
        raise UsageError(
            f"invalid --timeout {text!r}: at most {MAX_TIMEOUT_S // 3600}h",
            "wait again after it times out (exit 8)",
        )
    return seconds


@dataclass(frozen=True)
class PrCheck:
    name: str
    state: str
    bucket: str
    link: str | None
    workflow: str | None
    event: str | None
    started_at: str | None
    completed_at: str | None
    description: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state,
            "bucket": self.bucket,
            "link": self.link,
            "workflow": self.workflow,
            "event": self.event,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "description": self.description,
        }


def bucket(state: str) -> str:
    return _BUCKET_OF.get(state, PENDING)


def _check(node: Mapping[str, Any]) -> PrCheck:
    run = ((node.get("checkSuite") or {}).get("workflowRun")) or {}
    if node.get("__typename") == "StatusContext":
        state = str(node.get("state") or "")
        name, link, started = node.get("context"), node.get("targetUrl"), node.get("createdAt")
    else:
        completed = node.get("status") == "COMPLETED"
        state = str((node.get("conclusion") if completed else node.get("status")) or "")
        name, link, started = node.get("name"), node.get("detailsUrl"), node.get("startedAt")
    return PrCheck(
        name=str(name or ""),
        state=state,
        bucket=bucket(state),
        link=link,
        workflow=(run.get("workflow") or {}).get("name"),
        event=run.get("event"),
        started_at=started,
        completed_at=node.get("completedAt"),
        description=node.get("description"),
    )


def aggregate(nodes: Iterable[Mapping[str, Any]]) -> list[PrCheck]:
    """The checks of a commit's status rollup, one per check (latest run), sorted by name."""
    latest: dict[tuple[str, ...], PrCheck] = {}
    for node in nodes:
        check = _check(node)
        if node.get("__typename") == "StatusContext":
            key: tuple[str, ...] = ("status", check.name)
        else:
            key = ("run", check.name, check.workflow or "", check.event or "")
        kept = latest.get(key)
        # ISO timestamps order as strings; a run not started yet is the newest.
        if kept is None or (check.started_at or "~") >= (kept.started_at or "~"):
            latest[key] = check
    return sorted(latest.values(), key=lambda c: (c.name, c.workflow or ""))


def counts(checks: Sequence[PrCheck]) -> dict[str, int]:
    return {name: sum(c.bucket == name for c in checks) for name in BUCKETS}


@dataclass(frozen=True)
class PrState:
    """One reading of a pull request: lifecycle, mergeability and its head commit's checks."""

    number: int
    state: str  # OPEN, CLOSED, MERGED
    is_draft: bool
    mergeable: str  # MERGEABLE, CONFLICTING, UNKNOWN
    merge_state_status: str  # CLEAN, BLOCKED, BEHIND, DIRTY, UNSTABLE, HAS_HOOKS, UNKNOWN...
    head_ref: str
    head_sha: str | None
    checks: tuple[PrCheck, ...]


@dataclass(frozen=True)
class Verdict:
    result: str  # passed, merged, failed, conflicting, closed, timed_out
    reason: str


def decide(
    pr: PrState, mode: str, allow_no_checks: bool = False, fail_fast: bool = False
) -> Verdict | None:
    """The answer `pr wait` can give now, or None while it must keep waiting."""
    if pr.state == "MERGED":
        return Verdict("merged", f"PR #{pr.number} is merged")
    if pr.state == "CLOSED":
        return Verdict("closed", f"PR #{pr.number} was closed without merging")
    if mode != "checks" and pr.mergeable == "CONFLICTING":
        return Verdict(
            "conflicting", f"PR #{pr.number} has merge conflicts with its base: rebase it"
        )
    tally = counts(pr.checks)
    if mode == "merged":
        return None
    if not pr.checks and not allow_no_checks:
        return None  # CI may not have reported yet
    if tally[PENDING] and not (fail_fast and tally[FAIL]):
        return None
    if tally[FAIL] or tally[CANCEL]:
        failing = [c.name for c in pr.checks if c.bucket in (FAIL, CANCEL)]
        return Verdict("failed", f"PR #{pr.number}: checks failed: {', '.join(failing)}")
    if mode == "mergeable" and pr.mergeable != "MERGEABLE":
        return None  # GitHub is still computing mergeability (UNKNOWN)
    what = "checks passed" if pr.checks else "no checks reported"
    if mode == "mergeable":
        what += f", mergeable ({pr.merge_state_status})"
    return Verdict("passed", f"PR #{pr.number}: {what}")


def pending_reason(pr: PrState, mode: str) -> str:
    """Why `pr wait` is still waiting (the timeout's message)."""
    if mode == "merged":
        return f"PR #{pr.number} is not merged yet"
    if not pr.checks:
        return f"no checks reported on the '{pr.head_ref}' branch"
    waiting = [c.name for c in pr.checks if c.bucket == PENDING]
    if waiting:
        return f"checks still pending: {', '.join(waiting)}"
    return f"GitHub has not computed mergeability yet ({pr.mergeable})"
