"""Epics that stay whole: drift between the marker and GitHub, invalid DAGs shown in full,
racing block propagations, and an epic beyond 100 sub-issues — real gh + the emulator.

The demo epic is #1 with stories #2-#7 (see tests/e2e/test_epics.py).
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.emulator.store import Issue

pytestmark = pytest.mark.e2e
NOTICE_TAG = "maverick-bprop-notice epic={epic} ejected={ejected}"


def ok(result: subprocess.CompletedProcess[str]) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def issue(emulator: Emulator, number: int) -> Issue:
    return emulator.store.issue(emulator.store.repo(OWNER, REPO), number)


def notices(emulator: Emulator, number: int, epic: int, ejected: int) -> int:
    tag = NOTICE_TAG.format(epic=epic, ejected=ejected)
    return sum(tag in c.body for c in emulator.store.list_comments(issue(emulator, number)))


def edit_body(gh, number: int, body: str) -> None:
    edit = gh("api", "-X", "PATCH", f"repos/{OWNER}/{REPO}/issues/{number}", "-f", f"body={body}")
    assert edit.returncode == 0, edit.stderr


def test_a_stale_marker_warns_with_the_difference_and_next_follows_github(gh_maverick, gh) -> None:
    ok(gh_maverick("dag", "build", "1", "--write", "--json"))
    # #3 gains a dependency on #2 after the DAG was recorded
    edit_body(gh, 3, "Tables and migrations.\n\ndepends on #2\n\nFiles:\n- app/db.py\n")
    nxt = gh_maverick("epic", "next", "1", "--json")
    assert [s["number"] for s in ok(nxt)["stories"]] == [2]  # not #3: it now waits on #2
    assert "differs from GitHub: new dependencies #3 on #2" in nxt.stderr
    waves = gh_maverick("dag", "waves", "1", "--json")
    assert ok(waves)["waves"][0] == [2] and "new dependencies #3 on #2" in waves.stderr
    ok(gh_maverick("dag", "build", "1", "--write", "--json"))  # refreshes the marker
    quiet = gh_maverick("epic", "next", "1", "--json")
    assert quiet.returncode == 0 and "differs" not in quiet.stderr


def test_an_invalid_dag_still_shows_every_story_and_names_every_offender(gh_maverick, gh) -> None:
    edit_body(gh, 2, "depends on #7")  # cycle #2 #4 #5 #6 #7
    edit_body(gh, 3, "depends on #99")  # outside the epic
    edit_body(gh, 1, "| #2 | a |\n| #42 | not an issue |\n")  # a story GitHub does not know
    status = gh_maverick("epic", "status", "1", "--json")
    document = ok(status)
    assert sorted(r["number"] for r in document["stories"]) == [2, 3, 4, 5, 6, 7]
    marked = {r["number"] for r in document["stories"] if r["problems"]}
    assert marked == {2, 3, 4, 5, 6, 7}
    for offender in ("#42", "#3 depends on #99", "dependency cycle among #2, #4, #5, #6, #7"):
        assert offender in status.stderr
    summary = ok(gh_maverick("epic", "summary", "1", "--json"))
    assert sum(summary["counts"].values()) == 6 and len(summary["dag_problems"]) == 3
    strict = gh_maverick("epic", "next", "1")
    assert strict.returncode == 15 and "#42" in strict.stderr and "cycle" in strict.stderr


def test_racing_block_propagations_post_one_notice_per_descendant(
    gh_maverick, emulator: Emulator
) -> None:
    ok(gh_maverick("state", "set", "1", "2", "ejected", "--json"))
    with ThreadPoolExecutor(4) as pool:
        runs = list(
            pool.map(
                lambda i: gh_maverick("bprop", "run", "1", "--ejected", "2", instance=f"r{i}"),
                range(4),
            )
        )
    assert all(r.returncode in (0, 11) for r in runs), [r.stderr for r in runs]  # 11: seen running
    rerun = ok(gh_maverick("bprop", "run", "1", "--ejected", "2", "--json"))
    assert rerun["descendants"] == [4, 5, 6, 7] and rerun["commented"] == []
    assert {n: notices(emulator, n, 1, 2) for n in (4, 5, 6, 7)} == dict.fromkeys((4, 5, 6, 7), 1)
    assert all("blocked-by:#2" in [lb.name for lb in issue(emulator, n).labels] for n in (4, 7))


def test_an_epic_of_150_sub_issues_is_planned_blocked_and_summarised_whole(
    gh_maverick, emulator: Emulator
) -> None:
    store = emulator.store
    repo = store.repo(OWNER, REPO)
    owner = store.identify(f"as:{OWNER}:OWNER")
    epic = store.create_issue(repo, owner, "Epic: a big one", "150 stories as sub-issues.")
    stories = [store.create_issue(repo, owner, f"Story {i}", "") for i in range(150)]
    root = stories[0].number
    late = [s.number for s in stories[140:]]  # beyond the first page of 100 sub-issues
    for story in stories:
        if story.number in late:
            story.body = f"depends on #{root}"
        store.add_sub_issue(epic, story)
    e = str(epic.number)
    waves = ok(gh_maverick("dag", "waves", e, "--json"))
    assert sum(len(w) for w in waves["waves"]) == 150 and waves["waves"][1] == late
    ok(gh_maverick("state", "set", e, str(root), "ejected", "--json"))
    ran = ok(gh_maverick("bprop", "run", e, "--ejected", str(root), "--json"))
    assert ran["descendants"] == late and ran["labelled"] == late
    summary = ok(gh_maverick("epic", "summary", e, "--json"))
    assert summary["counts"]["blocked"] == 10 and summary["counts"]["ejected"] == 1
    assert summary["counts"]["pending"] == 139
    assert sum(summary["counts"].values()) == 150
