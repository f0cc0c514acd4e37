"""`pr wait`: one GraphQL reading per poll, gh's buckets, and an exit code per answer.

GitHub's answers are canned first (each poll is one registered `PrChecks` request), then
computed by the in-process emulator from its check runs, statuses and mergeability. A wait
watched live as a process: tests/e2e/test_pr_wait.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from maverick_ext.emulator.seeds import OWNER, REPO

SHA = "a" * 40


def run_node(name: str, status: str = "COMPLETED", conclusion: str | None = "SUCCESS",
             started: str = "2026-11-21T12:00:00Z", workflow: str | None = "CI") -> dict:  # fmt: skip
    return {
        "__typename": "CheckRun",
        "name": name,
        "status": status,
        "conclusion": conclusion if status == "COMPLETED" else None,
        "startedAt": started,
        "completedAt": started if status == "COMPLETED" else None,
        "detailsUrl": f"https://ci.example/{name}",
        "checkSuite": {
            "workflowRun": {"event": "pull_request", "workflow": {"name": workflow}}
            if workflow
            else None
        },
    }


def status_node(context: str, state: str = "SUCCESS") -> dict:
    return {
        "__typename": "StatusContext",
        "context": context,
        "state": state,
        "targetUrl": None,
        "createdAt": "2026-11-21T12:00:00Z",
        "description": f"{context} said {state}",
    }


def pr_data(
    contexts: list[dict] | None,
    state: str = "OPEN",
    mergeable: str = "MERGEABLE",
    merge_state: str = "CLEAN",
) -> dict[str, Any]:
    rollup = None if contexts is None else {
        "state": "PENDING",
        "contexts": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": contexts},
    }  # fmt: skip
    return {
        "repository": {
            "pullRequest": {
                "number": 12,
                "state": state,
                "isDraft": False,
                "mergeable": mergeable,
                "mergeStateStatus": merge_state,
                "headRefName": "feat/12-x",
                "headRefOid": SHA,
                "commits": {"nodes": [{"commit": {"oid": SHA, "statusCheckRollup": rollup}}]},
            }
        }
    }


def test_waits_through_pending_checks_and_unknown_mergeability_then_passes(
    gh_stubs, run_stubbed
) -> None:
    gh_stubs.graphql("PrChecks", pr_data([run_node("build", "IN_PROGRESS")], mergeable="UNKNOWN",
                                         merge_state="UNKNOWN"))  # fmt: skip
    gh_stubs.graphql("PrChecks", pr_data([run_node("build"), status_node("lint")],
                                         mergeable="UNKNOWN", merge_state="UNKNOWN"))  # fmt: skip
    gh_stubs.graphql("PrChecks", pr_data([run_node("build"), status_node("lint")]))

    result = run_stubbed("pr", "wait", "12", "--interval", "5", "--json")

    assert result.exit_code == 0, result.stderr
    shown = result.json()
    assert shown["result"] == "passed" and shown["polls"] == 3 and shown["waited_s"] == 10
    assert shown["counts"] == {"pass": 2, "fail": 0, "pending": 0, "skipping": 0, "cancel": 0}
    assert [c["name"] for c in shown["checks"]] == ["build", "lint"]
    assert [c.operation for c in result.calls] == ["PrChecks"] * 3
    variables = result.calls[0].body["variables"]
    assert variables == {"owner": OWNER, "name": REPO, "number": 12}
    assert "waiting for PR #12: 0 passed, 0 failed, 1 pending (build)" in result.stderr


def test_a_failed_check_exits_18_once_nothing_is_pending(gh_stubs, run_stubbed) -> None:
    gh_stubs.graphql("PrChecks", pr_data([run_node("build", conclusion="FAILURE"),
                                          run_node("test", "QUEUED")]))  # fmt: skip
    gh_stubs.graphql("PrChecks", pr_data([run_node("build", conclusion="FAILURE"),
                                          run_node("test", conclusion="SKIPPED")]))  # fmt: skip

    result = run_stubbed("pr", "wait", "12")

    assert result.exit_code == 18
    assert result.stderr.splitlines()[-1] == "gh-maverick: PR #12: checks failed: build"
    assert result.stdout.splitlines()[1].split()[:3] == ["fail", "build", "FAILURE"]


def test_fail_fast_stops_at_the_first_failure(gh_stubs, run_stubbed) -> None:
    gh_stubs.graphql("PrChecks", pr_data([run_node("build", conclusion="TIMED_OUT"),
                                          run_node("test", "QUEUED")]))  # fmt: skip
    assert run_stubbed("pr", "wait", "12", "--fail-fast").exit_code == 18


def test_times_out_with_exit_8_saying_what_is_still_pending(gh_stubs, run_stubbed) -> None:
    for _ in range(4):  # at 0, 10, 20 and the deadline, 25 s
        gh_stubs.graphql("PrChecks", pr_data([run_node("build", "QUEUED"), run_node("lint")]))

    result = run_stubbed("pr", "wait", "12", "--timeout", "25s", "--json")

    assert result.exit_code == 8
    shown = result.json()
    assert shown["result"] == "timed_out" and shown["polls"] == 4 and shown["waited_s"] == 25
    assert shown["message"] == "PR #12: timed out after 25s: checks still pending: build"


def test_no_checks_is_pending_unless_allowed(gh_stubs, run_stubbed) -> None:
    gh_stubs.graphql("PrChecks", pr_data(None))
    waited = run_stubbed("pr", "wait", "12", "--timeout", "0")
    assert waited.exit_code == 8
    assert "no checks reported on the 'feat/12-x' branch" in waited.stderr

    gh_stubs.graphql("PrChecks", pr_data(None))
    allowed = run_stubbed("pr", "wait", "12", "--allow-no-checks")
    assert allowed.exit_code == 0 and "no checks reported, mergeable (CLEAN)" in allowed.stdout


@pytest.mark.parametrize(
    ("answer", "code", "result"),
    [
        (dict(mergeable="CONFLICTING", merge_state="DIRTY"), 19, "conflicting"),
        (dict(state="CLOSED"), 19, "closed"),
        (dict(state="MERGED", mergeable="UNKNOWN"), 0, "merged"),
    ],
)
def test_conflicts_closed_and_merged_answer_at_once(
    gh_stubs, run_stubbed, answer, code, result
) -> None:
    gh_stubs.graphql("PrChecks", pr_data([run_node("build", "IN_PROGRESS")], **answer))
    waited = run_stubbed("pr", "wait", "12", "--json")
    assert waited.exit_code == code and waited.json()["result"] == result


def test_checks_only_ignores_conflicts_and_takes_the_seed_argument_order(
    gh_stubs, run_stubbed
) -> None:
    gh_stubs.graphql("PrChecks", pr_data([run_node("build")], mergeable="CONFLICTING"))
    waited = run_stubbed("pr", "wait", f"{OWNER}/{REPO}", "12", "--checks", "--timeout", "30m")
    assert waited.exit_code == 0, waited.stderr
    assert waited.stdout.splitlines()[-1] == "PR #12: checks passed"


def test_merged_waits_for_the_merge_itself(gh_stubs, run_stubbed) -> None:
    gh_stubs.graphql("PrChecks", pr_data([run_node("build")]))
    gh_stubs.graphql("PrChecks", pr_data([run_node("build")], state="MERGED"))
    waited = run_stubbed("pr", "wait", "12", "--merged", "--json")
    assert waited.exit_code == 0 and waited.json()["result"] == "merged"
    assert waited.json()["polls"] == 2


def test_a_rerun_check_counts_once_the_latest_run(gh_stubs, run_stubbed) -> None:
    gh_stubs.graphql("PrChecks", pr_data([
        run_node("build", conclusion="FAILURE", started="2026-11-21T12:00:00Z"),
        run_node("build", conclusion="SUCCESS", started="2026-11-21T12:05:00Z"),
    ]))  # fmt: skip
    waited = run_stubbed("pr", "wait", "12", "--json")
    assert waited.exit_code == 0 and waited.json()["counts"]["pass"] == 1


def test_an_unknown_pull_request_is_one_usage_line(gh_stubs, run_stubbed) -> None:
    gh_stubs.register("POST", "graphql", {
        "data": {"repository": {"pullRequest": None}},
        "errors": [{"type": "NOT_FOUND", "path": ["repository", "pullRequest"],
                    "message": "Could not resolve to a PullRequest with the number of 99."}],
    })  # fmt: skip
    waited = run_stubbed("pr", "wait", "99")
    assert waited.exit_code == 2
    assert waited.stderr.strip().splitlines() == [
        f"gh-maverick: pull request #99 does not exist in {OWNER}/{REPO} "
        "(check the number and -R/--repo)"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["12", "--timeout", "soon"], "invalid --timeout 'soon'"),
        (["12", "--timeout", "25h"], "at most 24h"),
        (["12", "--checks", "--merged"], "--checks and --merged exclude each other"),
        (["twelve"], "invalid pull request 'twelve'"),
        (["12", "--interval", "0.5"], "0.5 is not in the range 1<=x<=300"),
    ],
)
def test_bad_arguments_are_one_line_and_ask_nothing(run_stubbed, args, message) -> None:
    waited = run_stubbed("pr", "wait", *args)
    assert waited.exit_code == 2 and message in waited.stderr and waited.calls == []


# -- against the in-process emulator: check runs, statuses and mergeability it computes ------


def _emulated_pull(inproc_emulator):
    store = inproc_emulator.emulator.store
    with store.lock:
        repo = store.repo(OWNER, REPO)
        owner = store.identify(f"as:{OWNER}:OWNER")
        return store.create_pull(repo, owner, "Story 2", "feat/2-x", "main", body="Closes #2")


def _post(inproc_emulator, path: str, body: dict) -> dict:
    answer = inproc_emulator.emulator.handle(
        "POST" if "check-runs/" not in path else "PATCH",
        f"/repos/{OWNER}/{REPO}/{path}",
        {"Authorization": "token sandbox-token", "Host": "api.github.localhost"},
        json.dumps(body).encode(),
    )
    assert answer.status in (200, 201), answer.body
    return answer.body


def test_emulated_checks_and_mergeability_pass_after_unknown(inproc_emulator, run_emulated):
    pull = _emulated_pull(inproc_emulator)
    _post(inproc_emulator, "check-runs", {"name": "build", "head_sha": pull.head_sha,
                                          "conclusion": "success"})  # fmt: skip
    _post(inproc_emulator, f"statuses/{pull.head_sha}", {"state": "success", "context": "lint"})

    result = run_emulated("pr", "wait", str(pull.number), "--json")

    assert result.exit_code == 0, result.stderr
    shown = result.json()
    assert (shown["result"], shown["mergeable"], shown["merge_state_status"]) == (
        "passed", "MERGEABLE", "CLEAN"
    )  # fmt: skip
    assert shown["polls"] == 2  # GitHub computes mergeability after the first reading
    assert {(c["name"], c["bucket"]) for c in shown["checks"]} == {
        ("build", "pass"), ("lint", "pass")
    }  # fmt: skip


def test_emulated_failure_conflict_and_rerun(inproc_emulator, run_emulated):
    pull = _emulated_pull(inproc_emulator)
    run = _post(inproc_emulator, "check-runs", {"name": "build", "head_sha": pull.head_sha})
    _post(inproc_emulator, f"statuses/{pull.head_sha}", {"state": "failure", "context": "lint"})
    _post(inproc_emulator, f"check-runs/{run['id']}", {"conclusion": "success"})

    failed = run_emulated("pr", "wait", str(pull.number), "--json")
    # A failed check answers at once, before GitHub computed mergeability (one response agrees
    # with itself: mergeable and mergeStateStatus both UNKNOWN).
    assert failed.exit_code == 18 and failed.json()["polls"] == 1
    assert (failed.json()["mergeable"], failed.json()["merge_state_status"]) == (
        "UNKNOWN", "UNKNOWN"
    )  # fmt: skip
    assert failed.json()["message"] == f"PR #{pull.number}: checks failed: lint"

    _post(inproc_emulator, f"statuses/{pull.head_sha}", {"state": "success", "context": "lint"})
    pull.conflicting = True
    conflicting = run_emulated("pr", "wait", str(pull.number), "--json")
    assert conflicting.exit_code == 19 and conflicting.json()["merge_state_status"] == "DIRTY"


def test_a_failed_status_exits_18_and_a_check_that_never_ends_times_out_8(
    inproc_emulator, run_emulated
):
    pull = _emulated_pull(inproc_emulator)
    sha = pull.head_sha
    _post(inproc_emulator, f"statuses/{sha}", {"state": "failure", "context": "lint"})
    failed = run_emulated("pr", "wait", str(pull.number), "--interval", "1")
    assert failed.exit_code == 18, failed.stderr
    assert failed.stderr.strip().endswith(f"PR #{pull.number}: checks failed: lint")

    _post(inproc_emulator, f"statuses/{sha}", {"state": "success", "context": "lint"})
    _post(inproc_emulator, "check-runs", {"name": "deploy", "head_sha": sha,
                                          "status": "in_progress"})  # fmt: skip
    timed_out = run_emulated(
        "pr", "wait", f"{OWNER}/{REPO}", str(pull.number), "--checks", "--timeout", "3s",
        "--interval", "1", "--json",
    )  # fmt: skip
    assert timed_out.exit_code == 8, timed_out.stderr
    shown = timed_out.json()
    assert shown["result"] == "timed_out"
    assert shown["message"].endswith("checks still pending: deploy")
