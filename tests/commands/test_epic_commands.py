"""Epic commands in-process against the demo epic #1 (moved from tests/e2e/test_epics.py
and test_epic_scale.py: they prove the commands and the emulator's answers, which the real
gh adds nothing to). Instances racing on one epic: test_racing_instances.py.

Demo epic: stories #2-#7 as sub-issues; #4 blocked by #3 natively and "depends on #2" in
text; #5 depends on #2; #6 blocked by #4 natively; #7 depends on #5 and #6.
"""

from __future__ import annotations

import json

from maverick_ext.emulator.seeds import OWNER, REPO

DEMO_DAG = {
    "2": {"deps": [], "files": ["app/config.py"], "title": "Config loader"},
    "3": {"deps": [], "files": ["app/db.py"], "title": "Database schema"},
    "4": {"deps": ["2", "3"], "files": ["app/api.py"], "title": "API endpoints"},
    "5": {"deps": ["2"], "files": ["app/cli.py"], "title": "CLI entry point"},
    "6": {"deps": ["4"], "files": ["app/admin.py"], "title": "Admin UI"},
    "7": {"deps": ["5", "6"], "files": ["docs/index.md"], "title": "Docs"},
}


def ok(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_the_demo_epic_builds_from_sub_issues_native_and_text_dependencies(run_emulated) -> None:
    built = ok(run_emulated("dag", "build", "1", "--write", "--json"))
    assert built["stories"] == DEMO_DAG
    shown = ok(run_emulated("dag", "show", "1", "--json"))
    assert shown["source"] == "marker" and shown["stories"] == DEMO_DAG
    waves = ok(run_emulated("dag", "waves", "1", "--json"))
    assert waves["waves"] == [[2, 3], [4, 5], [6], [7]]
    first = waves["stories"][0]  # the story list, in wave order
    assert (first["number"], first["critical_path"], first["downstream"]) == (2, 4, 4)
    assert first["status"] == "pending" and first["deps"] == []


def test_a_marker_in_the_seeds_exact_shape_is_read_offline_from_stdin(run_stubbed) -> None:
    body = (
        "DAG for the epic\n\n```maverick-dag\n"
        + json.dumps({"epic": 123, "stories": {"140": {"deps": []}, "142": {"deps": ["140"]}}})
        + "\n```\n"
    )
    result = run_stubbed("dag", "waves", "--file", "-", input=body)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["wave 1: #140", "wave 2: #142"]
    assert result.calls == []


def test_a_cycle_exits_15_naming_its_members(run_emulated, inproc_emulator) -> None:
    store = inproc_emulator.emulator.store
    story = store.issue(store.repo(OWNER, REPO), 2)
    store.update_issue(story, store.identify(f"as:{OWNER}:OWNER"), body="depends on #7")
    result = run_emulated("dag", "build", "1")
    assert result.exit_code == 15
    [line] = result.stderr.splitlines()
    assert "dependency cycle among #2, #4, #5, #6, #7" in line


def test_pending_is_accepted_and_explained_never_written(run_emulated) -> None:
    """The seeds' do-epic Phase 4 seeds `pending`: exit 0, the derived status, no write."""
    result = run_emulated("state", "set", "1", "4", "pending")
    assert result.exit_code == 0 and "derived from claims" in result.stdout
    # Reads only: GraphQL queries, nothing else.
    assert all(
        c.path == "graphql" and c.body["query"].lstrip().startswith("query") for c in result.calls
    )


def test_a_live_claim_makes_a_story_in_flight_and_leaves_next(run_emulated) -> None:
    claimed = run_emulated("claim", "2", "--settle", "0", env={"MAVERICK_INSTANCE_ID": "agent-b"})
    assert claimed.exit_code == 0, claimed.stderr
    status = ok(run_emulated("epic", "status", "1", "--json"))
    row = next(r for r in status["stories"] if r["number"] == 2)
    assert (row["status"], row["holder"]) == ("in_flight", "agent-b")
    assert row["lease_left_s"] > 0
    nxt = ok(run_emulated("epic", "next", "1", "--json"))
    assert [s["number"] for s in nxt["stories"]] == [3] and nxt["in_flight"] == [2]


def test_epic_status_and_next_judge_holders_by_the_claim_refs_in_one_call(
    run_emulated, inproc_emulator
) -> None:
    """Claims are decided by refs (docs/claims.md): the epic snapshot selects the claim refs,
    so a story whose ref is gone is free although its claim comment still says active, and
    a taken-over story shows the ref's holder — still one request per command."""
    a, b = {"MAVERICK_INSTANCE_ID": "agent-a"}, {"MAVERICK_INSTANCE_ID": "agent-b"}
    assert run_emulated("claim", "2", "3", "--settle", "0", env=a).exit_code == 0
    repo = inproc_emulator.emulator.store.repo(OWNER, REPO)
    del repo.refs["refs/maverick/claims/2"]  # the ref decides: #2 is nobody's now
    status = run_emulated("epic", "status", "1", "--json")
    assert [(c.method, c.operation) for c in status.calls] == [("POST", "EpicSnapshot")]
    rows = {r["number"]: (r["status"], r["holder"]) for r in status.json()["stories"]}
    assert rows[2] == ("pending", None) and rows[3] == ("in_flight", "agent-a")
    nxt = run_emulated("epic", "next", "1", "--json", env=b)
    assert [(c.method, c.operation) for c in nxt.calls] == [("POST", "EpicSnapshot")]
    assert [s["number"] for s in nxt.json()["stories"]] == [2] and nxt.json()["in_flight"] == [3]


def labels(inproc_emulator, number: int) -> list[str]:
    store = inproc_emulator.emulator.store
    return [label.name for label in store.issue(store.repo(OWNER, REPO), number).labels]


def edit_body(inproc_emulator, number: int, body: str) -> None:
    store = inproc_emulator.emulator.store
    issue = store.issue(store.repo(OWNER, REPO), number)
    store.update_issue(issue, store.identify(f"as:{OWNER}:OWNER"), body=body)


def test_eject_block_and_plan_the_rest(run_emulated, inproc_emulator) -> None:
    assert ok(run_emulated("state", "set", "1", "4", "ejected", "--json"))["status"] == "ejected"
    ran = ok(run_emulated("bprop", "run", "1", "--ejected", "4", "--json"))
    assert ran["descendants"] == [6, 7]
    assert "blocked-by:#4" in labels(inproc_emulator, 6)
    assert "blocked-by:#4" in labels(inproc_emulator, 7)
    state = ok(run_emulated("state", "show", "1", "--write", "--json"))
    assert state["stories"] == {
        "2": "pending", "3": "pending", "4": "ejected", "5": "pending",
        "6": "blocked", "7": "blocked",
    }  # fmt: skip
    nxt = ok(run_emulated("epic", "next", "1", "--max", "1", "--json"))
    assert nxt["wave"] == 1 and [s["number"] for s in nxt["stories"]] == [2]
    status = run_emulated("epic", "status", "1")
    assert status.exit_code == 0
    assert "#6     Admin UI         3     blocked" in status.stdout
    summary = ok(run_emulated("epic", "summary", "1", "--post", "--json"))
    assert summary["counts"]["ejected"] == 1 and summary["closed"] is False
    assert [q["number"] for q in summary["human_queue"]] == [4, 6, 7]


def test_a_story_closed_by_hand_is_terminal_and_the_epic_can_complete(
    run_emulated, inproc_emulator, demo
) -> None:
    store, repo, owner = demo.store, demo.repo, demo.owner
    store.update_issue(store.issue(repo, 2), owner, state="closed", state_reason="not_planned")
    nxt = ok(run_emulated("epic", "next", "1", "--json"))
    assert [s["number"] for s in nxt["stories"]] == [3]  # #2 skipped, not offered forever
    status = ok(run_emulated("epic", "status", "1", "--json"))
    row = next(r for r in status["stories"] if r["number"] == 2)
    assert (row["status"], status["counts"]["closed"]) == ("closed", 1)
    for story in (3, 4, 5, 6, 7):
        ok(run_emulated("state", "set", "1", str(story), "merged", "--branch", "main", "--json"))
    assert ok(run_emulated("epic", "next", "1", "--json"))["wave"] is None
    summary = ok(run_emulated("epic", "summary", "1", "--post", "--json"))
    assert (summary["counts"]["merged"], summary["counts"]["closed"]) == (5, 1)
    assert summary["closed"] is True
    assert store.issue(repo, 1).state == "closed"


def test_a_stale_marker_warns_with_the_difference_and_next_follows_github(
    run_emulated, inproc_emulator
) -> None:
    ok(run_emulated("dag", "build", "1", "--write", "--json"))
    # #3 gains a dependency on #2 after the DAG was recorded
    edit_body(
        inproc_emulator, 3, "Tables and migrations.\n\ndepends on #2\n\nFiles:\n- app/db.py\n"
    )
    nxt = run_emulated("epic", "next", "1", "--json")
    assert [s["number"] for s in ok(nxt)["stories"]] == [2]  # not #3: it now waits on #2
    assert "differs from GitHub: new dependencies #3 on #2" in nxt.stderr
    waves = run_emulated("dag", "waves", "1", "--json")
    assert ok(waves)["waves"][0] == [2] and "new dependencies #3 on #2" in waves.stderr
    ok(run_emulated("dag", "build", "1", "--write", "--json"))  # refreshes the marker
    quiet = run_emulated("epic", "next", "1", "--json")
    assert quiet.exit_code == 0 and "differs" not in quiet.stderr


def test_an_invalid_dag_still_shows_every_story_and_names_every_offender(
    run_emulated, inproc_emulator
) -> None:
    edit_body(inproc_emulator, 2, "depends on #7")  # cycle #2 #4 #5 #6 #7
    edit_body(inproc_emulator, 3, "depends on #99")  # outside the epic
    edit_body(inproc_emulator, 1, "| #2 | a |\n| #42 | not an issue |\n")  # unknown to GitHub
    status = run_emulated("epic", "status", "1", "--json")
    document = ok(status)
    assert sorted(r["number"] for r in document["stories"]) == [2, 3, 4, 5, 6, 7]
    marked = {r["number"] for r in document["stories"] if r["problems"]}
    assert marked == {2, 3, 4, 5, 6, 7}
    for offender in ("#42", "#3 depends on #99", "dependency cycle among #2, #4, #5, #6, #7"):
        assert offender in status.stderr
    summary = ok(run_emulated("epic", "summary", "1", "--json"))
    assert sum(summary["counts"].values()) == 6 and len(summary["dag_problems"]) == 3
    strict = run_emulated("epic", "next", "1")
    assert strict.exit_code == 15 and "#42" in strict.stderr and "cycle" in strict.stderr


def test_an_epic_of_150_sub_issues_is_planned_blocked_and_summarised_whole(
    run_emulated, inproc_emulator, demo
) -> None:
    store, repo, owner = demo.store, demo.repo, demo.owner
    epic = store.create_issue(repo, owner, "Epic: a big one", "150 stories as sub-issues.")
    stories = [store.create_issue(repo, owner, f"Story {i}", "") for i in range(150)]
    root = stories[0].number
    late = [s.number for s in stories[140:]]  # beyond the first page of 100 sub-issues
    for story in stories:
        if story.number in late:
            story.body = f"depends on #{root}"
        store.add_sub_issue(epic, story)
    e = str(epic.number)
    waves = ok(run_emulated("dag", "waves", e, "--json"))
    assert sum(len(w) for w in waves["waves"]) == 150 and waves["waves"][1] == late
    ok(run_emulated("state", "set", e, str(root), "ejected", "--json"))
    ran = ok(run_emulated("bprop", "run", e, "--ejected", str(root), "--json"))
    assert ran["descendants"] == late and ran["labelled"] == late
    summary = ok(run_emulated("epic", "summary", e, "--json"))
    assert summary["counts"]["blocked"] == 10 and summary["counts"]["ejected"] == 1
    assert summary["counts"]["pending"] == 139
    assert sum(summary["counts"].values()) == 150
