"""Commands the seeds' newest skills call (maverick-harness 5.1.1 templates), in-process
against the demo epic: task progress, artefact comments, preflight per skill, and the seeds'
argument order and output under `coord`."""

from __future__ import annotations

import json

import pytest

from maverick_ext.core.markers import render_comment
from maverick_ext.emulator.seeds import OWNER, REPO

FAST = {"MAVERICK_SETTLE_S": "0.2"}
SLUG = f"{OWNER}/{REPO}"


def ok(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return result.json()


def post_as_owner(inproc_emulator, number: int, body: str) -> int:
    store = inproc_emulator.emulator.store
    owner = store.identify(f"as:{OWNER}:OWNER")
    issue = store.issue(store.repo(OWNER, REPO), number)
    return store.add_comment(issue, owner, body).id


def comments_of(inproc_emulator, number: int) -> list[str]:
    store = inproc_emulator.emulator.store
    return [c.body for c in store.issue(store.repo(OWNER, REPO), number).comments]


def test_task_progress_accretes_in_one_comment(run_emulated, inproc_emulator) -> None:
    assert ok(run_emulated("task-progress", "read", "8")) == {}
    first = ok(run_emulated("task-progress", "set", SLUG, "8", "claimed", "--json"))
    ok(run_emulated("task-progress", "set", "8", "design", "--comment", "design=11", "--json"))
    ok(run_emulated("task-progress", "set", "8", "branch", "--branch", "feat/8-x", "--json"))
    last = ok(
        run_emulated(
            "task-progress",
            "set",
            "8",
            "implement",
            "--task-done",
            "2",
            "--task-done",
            "1",
            "--comment",
            "plan=12",
            "--json",
        )
    )
    assert last["comment_id"] == first["comment_id"]  # edited in place, never a second one
    markers = [b for b in comments_of(inproc_emulator, 8) if "maverick-task-progress" in b]
    assert len(markers) == 1
    read = ok(run_emulated("task-progress", "read", SLUG, "8"))
    assert read["phase"] == "implement" and read["branch"] == "feat/8-x"
    assert read["comments"] == {"design": 11, "plan": 12} and read["tasks_done"] == [1, 2]
    assert read["instance_id"] == "agent-a" and read["updated_at"].endswith("Z")


@pytest.mark.parametrize(
    "payload",
    [
        # The seeds' implementation: only comment ids, no phase yet.
        {"comments": {"design": 77}, "instance_id": "seed-1", "updated_at": "2026-07-02T10:20:00Z"},
        # 5.1.1's full shape, with fields we do not model.
        {
            "phase": "tasks",
            "instance_id": "abc123def0",
            "updated_at": "2026-07-02T10:20:00Z",
            "branch": "feat/42-add-export",
            "comments": {"design": 123, "plan": 124, "tasks": 125},
            "has_sub_issues": True,
            "authorized": ["infra"],
        },
    ],
)
def test_the_seeds_task_progress_markers_read_and_keep_their_fields(
    run_emulated, inproc_emulator, payload
) -> None:
    post_as_owner(inproc_emulator, 8, render_comment([("task-progress", payload)], "seed"))
    assert ok(run_emulated("task-progress", "read", "8")) == payload
    after = ok(run_emulated("task-progress", "set", "8", "review", "--json"))
    kept = {k: v for k, v in payload.items() if k not in ("phase", "instance_id", "updated_at")}
    assert {k: after[k] for k in kept} == kept and after["phase"] == "review"


def test_task_progress_bad_input_is_one_line_exit_2(run_emulated) -> None:
    for args, says in {
        ("task-progress", "set", "8", "lunch"): "unknown phase",
        ("task-progress", "set", "8"): "nothing to record",
        ("task-progress", "set", "8", "--comment", "review=3"): "invalid --comment",
        ("task-progress", "read", "999"): "does not exist",
    }.items():
        result = run_emulated(*args)
        assert result.exit_code == 2 and says in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_artefact_comments_are_posted_recorded_and_updated_by_id(
    run_emulated, inproc_emulator, tmp_path
) -> None:
    design = tmp_path / "design.md"
    design.write_text("# Design\n\nv1\n")
    missing = run_emulated(
        "issue", "comment", "update", "8", "--kind", "design", "--body-file", str(design)
    )
    assert missing.exit_code == 2 and "post it first" in missing.stderr
    posted = ok(
        run_emulated(
            "issue",
            "comment",
            "post",
            SLUG,
            "8",
            "--kind",
            "design",
            "--body-file",
            str(design),
            "--json",
        )
    )
    progress = ok(run_emulated("task-progress", "read", "8"))
    assert progress["comments"] == {"design": posted["comment_id"]}
    design.write_text("# Design\n\nv2\n")
    updated = ok(
        run_emulated(
            "issue",
            "comment",
            "update",
            "8",
            "--kind",
            "design",
            "--body-file",
            str(design),
            "--json",
        )
    )
    assert updated["comment_id"] == posted["comment_id"]
    assert "# Design\n\nv2\n" in comments_of(inproc_emulator, 8)
    empty = tmp_path / "empty.md"
    empty.write_text("  \n")
    blank = run_emulated(
        "issue", "comment", "post", "8", "--kind", "plan", "--body-file", str(empty)
    )
    assert blank.exit_code == 2 and "empty" in blank.stderr


def test_preflight_knows_every_seed_skill_and_refuses_others(run_emulated) -> None:
    unknown = run_emulated("preflight", "do-everything")
    assert unknown.exit_code == 2 and "do-issue-solo" in unknown.stderr
    for skill in ("do-init", "do-issue-guided", "do-code", "do-test", "do-docs"):
        result = run_emulated("preflight", skill, "--json")
        assert result.exit_code in (0, 1), result.stderr  # checks run; gh is absent here
        assert result.json()["workflow"] == skill


def test_coord_speaks_json_takes_the_repo_first_and_status_is_read(run_emulated) -> None:
    claimed = ok(run_emulated("coord", "claim", SLUG, "--scope", "2,3", env=FAST))
    assert [r["issue"] for r in claimed["results"]] == [2, 3]
    status = ok(run_emulated("coord", "status", SLUG, "2"))
    assert status["lease_live"] is True and status["holder"]["instance_id"] == "agent-a"
    assert status["claim"]["scope"] == ["2", "3"]
    text = run_emulated("read", "2")  # the top-level verb keeps human output
    assert text.exit_code == 0 and "held by agent-a" in text.stdout
    released = ok(run_emulated("coord", "release", SLUG, "2", "--reason", "session-end"))
    assert released["results"][0]["action"] == "released"
    assert released["results"][0]["record"]["reason"] == "session-end"
    after = ok(run_emulated("coord", "read", SLUG, "2"))  # a released ref: nobody holds #2
    assert after["holder"] is None and after["in_progress"] is False
    assert after["mode"] == "ref"
    ended = after["records"][0]  # what ended it, from the comment the release marked
    assert ended["released_at"] and (ended["state"], ended["reason"], ended["instance_id"]) == (
        "released",
        "session-end",
        "agent-a",
    )
    assert [r["state"] for r in after["records"]].count("released") == 1  # listed once
    empty = run_emulated("coord", "release", SLUG, "3", "--reason", " ")
    assert empty.exit_code == 2 and "empty --reason" in empty.stderr


def test_state_set_in_the_seeds_order_with_derived_statuses(run_emulated) -> None:
    pending = run_emulated("state", "set", SLUG, "5", "pending")
    assert (
        pending.exit_code == 0 and "derived" in pending.stdout and "#5 is pending" in pending.stdout
    )
    flight = ok(run_emulated("state", "set", SLUG, "1", "5", "in_flight", "--json"))
    assert flight["status"] == "pending" and flight["label"] is None
    ejected = ok(run_emulated("state", "set", SLUG, "5", "ejected", "--json"))
    assert ejected["status"] == "ejected" and ejected["label"] == "needs-human"
    orphan = run_emulated("state", "set", SLUG, "8", "ejected")
    assert orphan.exit_code == 2 and "not a sub-issue" in orphan.stderr
    assert (
        json.loads(run_emulated("state", "show", SLUG, "1", "--json").stdout)["stories"]["5"]
        == "ejected"
    )


def test_gh_state_write_validates_then_dag_commands_plan_from_it(
    run_emulated, inproc_emulator, tmp_path
) -> None:
    dag = {"epic": 1, "stories": {"2": {"deps": []}, "3": {"deps": ["2"]}, "4": {"deps": ["3"]}}}
    path = tmp_path / "dag.json"
    path.write_text(json.dumps(dag))
    written = ok(
        run_emulated(
            "gh-state", "write", SLUG, "1", "maverick-dag", "--payload-file", str(path), "--json"
        )
    )
    assert ok(run_emulated("gh-state", "read", SLUG, "1", "maverick-dag")) == dag
    # GitHub's stories stay authoritative; the agent's marker adds its dependency (#3 on #2).
    waves = ok(run_emulated("dag", "waves", SLUG, "1", "--json"))["waves"]
    assert waves == [[2], [3, 5], [4], [6], [7]]
    before = comments_of(inproc_emulator, 1)
    for bad, code, says in (
        ({"epic": 1, "stories": {"2": {"deps": ["3"]}, "3": {"deps": ["2"]}}}, 15, "cycle"),
        ({"epic": 9, "stories": {}}, 15, "names epic #9"),
        ({"epic": "one"}, 15, "epic"),
    ):
        path.write_text(json.dumps(bad))
        result = run_emulated("gh-state", "write", "1", "dag", "--payload-file", str(path))
        assert result.exit_code == code and says in result.stderr, result.stderr
    assert comments_of(inproc_emulator, 1) == before  # nothing written by a refused payload
    forged = run_emulated("gh-state", "write", "1", "maverick-claim", "--payload-file", str(path))
    assert forged.exit_code == 2 and "claim protocol" in forged.stderr
    path.write_text(json.dumps({**dag, "stories": {**dag["stories"], "5": {"deps": ["4"]}}}))
    again = ok(run_emulated("gh-state", "write", "1", "dag", "--payload-file", str(path), "--json"))
    assert again["comment_id"] == written["comment_id"]  # the same comment, edited


def test_close_on_merge_audits_labels_and_closes_by_policy_once(
    run_emulated, inproc_emulator, tmp_path
) -> None:
    store = inproc_emulator.emulator.store
    repo = store.repo(OWNER, REPO)
    args = ("issue", "close-on-merge", SLUG, "5", "--pr", "57", "--target", "main", "--json")
    first = ok(run_emulated(*args))
    assert first["closed"] is True and first["label"] == "merged-to-main"
    again = ok(run_emulated(*args))
    assert again["audit_comment_id"] == first["audit_comment_id"]
    issue = store.issue(repo, 5)
    assert issue.state == "closed" and "merged-to-main" in [lab.name for lab in issue.labels]
    assert sum("close-on-merge pr=57" in b for b in comments_of(inproc_emulator, 5)) == 1

    project = tmp_path / "project"
    (project / ".maverick").mkdir(parents=True)
    (project / ".maverick" / "config.json").write_text(
        json.dumps({"issue_lifecycle": {"close_policy": "on_default_branch_merge"}})
    )
    (project / ".git").mkdir()  # a project root for the config lookup
    kept = ok(
        run_emulated(
            "issue",
            "close-on-merge",
            "6",
            "--pr",
            "58",
            "--target",
            "develop",
            "--json",
            cwd=project,
        )
    )
    assert kept["closed"] is False and kept["policy"] == "on_default_branch_merge"
    assert store.issue(repo, 6).state == "open"


def test_resume_point_follows_progress_claims_and_block_walks(
    run_emulated, inproc_emulator
) -> None:
    def where(number: str = "8", **env: str) -> dict:
        return ok(run_emulated("coord", "resume-point", SLUG, number, env={**FAST, **env}))

    assert where()["next"] == "start"
    ok(run_emulated("task-progress", "set", "8", "design", "--json"))
    fresh = where()
    assert fresh["next"] == "tasks" and "claim 8" in fresh["instruction"]
    ok(run_emulated("claim", "8", "--json", env=FAST))
    mine = where()
    assert mine["next"] == "tasks" and mine["evidence"]["held_by_me"] is True
    assert where(MAVERICK_INSTANCE_ID="other")["next"] == "wait"
    journal = {"epic": 8, "ejected": 2, "descendants": [4], "labelled": []}
    post_as_owner(inproc_emulator, 8, render_comment([("bprop", journal)], "walk"))
    assert where()["next"] == "bprop"
