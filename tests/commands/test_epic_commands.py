"""Epic commands in-process against the demo epic #1 (moved from tests/e2e/test_epics.py:
they prove the commands and the emulator's answers, which the real gh adds nothing to;
the end-to-end journey and the eight racing processes stay there).

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
