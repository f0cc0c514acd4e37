"""core.checks: gh's buckets, one count per re-run check, and when `pr wait` may stop."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from maverick_ext.core.checks import (
    FAIL,
    PENDING,
    PrState,
    aggregate,
    bucket,
    decide,
    parse_timeout,
)

CHECK_STATES = ["COMPLETED", "IN_PROGRESS", "PENDING", "QUEUED", "REQUESTED", "WAITING"]
CONCLUSIONS = ["ACTION_REQUIRED", "CANCELLED", "FAILURE", "NEUTRAL", "SKIPPED", "STALE",
               "STARTUP_FAILURE", "SUCCESS", "TIMED_OUT"]  # fmt: skip
STATUS_STATES = ["ERROR", "EXPECTED", "FAILURE", "PENDING", "SUCCESS"]


# gh's buckets (pkg/cmd/pr/checks/aggregate.go), state by state.
GH_BUCKETS = {
    "SUCCESS": "pass",
    "SKIPPED": "skipping",
    "NEUTRAL": "skipping",
    "ERROR": "fail",
    "FAILURE": "fail",
    "TIMED_OUT": "fail",
    "ACTION_REQUIRED": "fail",
    "CANCELLED": "cancel",
    "EXPECTED": "pending",
    "REQUESTED": "pending",
    "WAITING": "pending",
    "QUEUED": "pending",
    "PENDING": "pending",
    "IN_PROGRESS": "pending",
    "STALE": "pending",
}


def test_buckets_are_gh_pr_checks_ones_with_the_documented_difference() -> None:
    assert {state: bucket(state) for state in GH_BUCKETS} == GH_BUCKETS
    assert bucket("STARTUP_FAILURE") == "fail"  # gh leaves it pending forever


def test_a_status_context_and_a_check_run_of_one_name_are_two_checks() -> None:
    nodes = [
        {"__typename": "StatusContext", "context": "ci", "state": "SUCCESS"},
        {"__typename": "CheckRun", "name": "ci", "status": "QUEUED", "conclusion": None},
    ]
    assert sorted(c.bucket for c in aggregate(nodes)) == ["pass", "pending"]


nodes = st.lists(
    st.one_of(
        st.builds(lambda n, s, c, t: {"__typename": "CheckRun", "name": n, "status": s,
                                      "conclusion": c, "startedAt": t},
                  st.sampled_from("ab"), st.sampled_from(CHECK_STATES),
                  st.sampled_from(CONCLUSIONS), st.sampled_from(["2026-01-01T00:00:0" + d
                                                                 for d in "0123"])),
        st.builds(lambda n, s: {"__typename": "StatusContext", "context": n, "state": s},
                  st.sampled_from("ab"), st.sampled_from(STATUS_STATES)),
    ),
    max_size=8,
)  # fmt: skip


@given(nodes, st.sampled_from(["MERGEABLE", "CONFLICTING", "UNKNOWN"]),
       st.sampled_from(["mergeable", "checks", "merged"]), st.booleans())  # fmt: skip
def test_pass_only_when_nothing_pends_or_fails_and_conflicts_never_pass(
    contexts, mergeable, mode, fail_fast
) -> None:
    checks = tuple(aggregate(contexts))
    pr = PrState(1, "OPEN", False, mergeable, "UNKNOWN", "b", None, checks)
    verdict = decide(pr, mode, allow_no_checks=True, fail_fast=fail_fast)
    buckets = {c.bucket for c in checks}
    if verdict is not None and verdict.result == "passed":
        assert buckets <= {"pass", "skipping"} and mode != "merged"
        assert mode == "checks" or mergeable == "MERGEABLE"
    if verdict is not None and verdict.result == "failed":
        assert buckets & {FAIL, "cancel"} and (PENDING not in buckets or fail_fast)
    if mode == "merged":
        assert verdict is None or verdict.result == "conflicting"


def test_timeouts_parse_with_units_zero_and_a_ceiling() -> None:
    assert [parse_timeout(t) for t in ("0", "90", "90s", "30m", "2h", "1.5m")] == [
        0, 90, 90, 1800, 7200, 90
    ]  # fmt: skip
