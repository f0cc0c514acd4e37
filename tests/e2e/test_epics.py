"""Instances racing on one epic: the real `gh maverick` (installed extension) in separate
processes against the demo epic #1. The epic commands one at a time run in-process
(tests/commands/test_epic_commands.py).

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
