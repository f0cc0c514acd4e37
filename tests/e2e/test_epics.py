"""Epics end to end: the real `gh maverick` (installed extension) against the demo epic #1.

Demo epic: stories #2-#7 as sub-issues; #4 blocked by #3 natively and "depends on #2" in
text; #5 depends on #2; #6 blocked by #4 natively; #7 depends on #5 and #6.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO

pytestmark = pytest.mark.e2e


def ok(result: subprocess.CompletedProcess[str]) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def labels(emulator: Emulator, number: int) -> list[str]:
    issue = emulator.store.issue(emulator.store.repo(OWNER, REPO), number)
    return [label.name for label in issue.labels]


def test_eject_block_and_plan_the_rest(gh_maverick, emulator: Emulator) -> None:
    assert ok(gh_maverick("state", "set", "1", "4", "ejected", "--json"))["status"] == "ejected"
    ran = ok(gh_maverick("bprop", "run", "1", "--ejected", "4", "--json"))
    assert ran["descendants"] == [6, 7]
    assert "blocked-by:#4" in labels(emulator, 6) and "blocked-by:#4" in labels(emulator, 7)
    state = ok(gh_maverick("state", "show", "1", "--write", "--json"))
    assert state["stories"] == {
        "2": "pending", "3": "pending", "4": "ejected", "5": "pending",
        "6": "blocked", "7": "blocked",
    }  # fmt: skip
    nxt = ok(gh_maverick("epic", "next", "1", "--max", "1", "--json"))
    assert nxt["wave"] == 1 and [s["number"] for s in nxt["stories"]] == [2]
    status = gh_maverick("epic", "status", "1")
    assert status.returncode == 0
    assert "#6     Admin UI         3     blocked" in status.stdout
    summary = ok(gh_maverick("epic", "summary", "1", "--post", "--json"))
    assert summary["counts"]["ejected"] == 1 and summary["closed"] is False
    assert [q["number"] for q in summary["human_queue"]] == [4, 6, 7]


def test_eight_instances_setting_different_stories_at_once_lose_nothing(
    gh_maverick, gh, emulator: Emulator
) -> None:
    # eight stories under one epic: the demo's six plus two more added as sub-issues
    for title in ("Metrics", "Packaging"):
        made = gh("api", f"repos/{OWNER}/{REPO}/issues", "-f", f"title={title}", "--jq", ".id")
        assert made.returncode == 0, made.stderr
        added = gh(
            "api",
            f"repos/{OWNER}/{REPO}/issues/1/sub_issues",
            "-F",
            f"sub_issue_id={made.stdout.strip()}",
        )
        assert added.returncode == 0, added.stderr
    stories = [2, 3, 4, 5, 6, 7, 9, 10]
    with ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(
                lambda n: gh_maverick("state", "set", "1", str(n), "ejected", instance=f"i{n}"),
                stories,
            )
        )
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert all("needs-human" in labels(emulator, n) for n in stories)
    state = ok(gh_maverick("state", "show", "1", "--json"))
    assert {state["stories"][str(n)] for n in stories} == {"ejected"}


def test_a_story_closed_by_hand_is_terminal_and_the_epic_can_complete(
    gh_maverick, gh, emulator: Emulator
) -> None:
    close = gh("issue", "close", "2", "-R", f"{OWNER}/{REPO}", "--reason", "not planned")
    assert close.returncode == 0, close.stderr
    nxt = ok(gh_maverick("epic", "next", "1", "--json"))
    assert [s["number"] for s in nxt["stories"]] == [3]  # #2 skipped, not offered forever
    status = ok(gh_maverick("epic", "status", "1", "--json"))
    row = next(r for r in status["stories"] if r["number"] == 2)
    assert (row["status"], status["counts"]["closed"]) == ("closed", 1)
    for story in (3, 4, 5, 6, 7):
        ok(gh_maverick("state", "set", "1", str(story), "merged", "--branch", "main", "--json"))
    assert ok(gh_maverick("epic", "next", "1", "--json"))["wave"] is None
    summary = ok(gh_maverick("epic", "summary", "1", "--post", "--json"))
    assert (summary["counts"]["merged"], summary["counts"]["closed"]) == (5, 1)
    assert summary["closed"] is True
    assert emulator.store.issue(emulator.store.repo(OWNER, REPO), 1).state == "closed"
