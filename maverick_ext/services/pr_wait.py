"""`pr wait`: poll one pull request until its checks and mergeability answer, bounded.

One GraphQL reading per poll (``github.checks.read_pr``); ``core.checks.decide`` says when
to stop. A reading that fails transiently is retried at the next poll, never taken as an
answer, until the deadline (monotonic clock); no request waits past it.
"""

from __future__ import annotations

from collections.abc import Callable

from maverick_ext.core.checks import PENDING, PrState, Verdict, counts, decide, pending_reason
from maverick_ext.errors import ExitCode, GitHubUnavailable
from maverick_ext.github.checks import read_pr
from maverick_ext.github.client import GhClient
from maverick_ext.records import dataclass

EXIT_CODES = {
    "passed": ExitCode.OK,
    "merged": ExitCode.OK,
    "failed": ExitCode.CHECKS_FAILED,
    "conflicting": ExitCode.NOT_MERGEABLE,
    "closed": ExitCode.NOT_MERGEABLE,
    "timed_out": ExitCode.PENDING,
}


@dataclass(frozen=True)
class WaitResult:
    verdict: Verdict
    pr: PrState
    polls: int
    waited_s: float

    @property
    def exit_code(self) -> ExitCode:
        return EXIT_CODES[self.verdict.result]


def summary(pr: PrState) -> str:
    tally = counts(pr.checks)
    waiting = [c.name for c in pr.checks if c.bucket == PENDING]
    pending = f" ({', '.join(waiting)})" if waiting else ""
    return (
        f"{tally['pass']} passed, {tally['fail']} failed, {tally['pending']} pending{pending}, "
        f"{tally['skipping']} skipped, {tally['cancel']} cancelled; "
        f"mergeable {pr.mergeable} ({pr.merge_state_status})"
    )


def wait_for_pr(
    client: GhClient,
    number: int,
    *,
    mode: str,
    timeout_s: float,
    interval_s: float,
    sleep: Callable[[float], None],
    monotonic: Callable[[], float],
    allow_no_checks: bool = False,
    fail_fast: bool = False,
    notify: Callable[[str], None] = lambda message: None,
) -> WaitResult:
    started = monotonic()
    deadline = started + timeout_s
    client.deadline = deadline if timeout_s > 0 else None
    last: PrState | None = None
    failure: GitHubUnavailable | None = None
    said = ""
    polls = 0
    while True:
        try:
            pr = read_pr(client, number)
        except GitHubUnavailable as exc:
            failure = exc
            notify(f"PR #{number}: reading failed, trying again: {exc.message}")
        else:
            polls, last = polls + 1, pr
            verdict = decide(pr, mode, allow_no_checks, fail_fast)
            if verdict is not None:
                return WaitResult(verdict, pr, polls, monotonic() - started)
            if (now_saying := summary(pr)) != said:
                notify(f"waiting for PR #{number}: {now_saying}")
                said = now_saying
        now = monotonic()
        if now >= deadline:
            if last is None:
                assert failure is not None
                raise failure  # not one reading succeeded: GitHub was unavailable (14)
            why = pending_reason(last, mode)
            return WaitResult(
                Verdict("timed_out", f"PR #{number}: timed out after {timeout_s:g}s: {why}"),
                last, polls, now - started,
            )  # fmt: skip
        sleep(min(interval_s, deadline - now))
