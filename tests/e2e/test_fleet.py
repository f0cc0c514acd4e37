"""Agents racing for an epic's next story in separate processes, through the installed
extension. The fleet's commands one at a time (claims, whoami, next --claim, doctor, a
12-story epic drained by three agents) run in-process: tests/commands/test_fleet_commands.py;
the services (find_claims, claim_first): tests/commands/test_claims_protocol.py."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.e2e


def test_many_agents_claiming_next_at_once_each_get_a_different_story(gh_maverick) -> None:
    def pick(i: int) -> subprocess.CompletedProcess[str]:
        return gh_maverick(
            "epic", "next", "1", "--claim", "--settle", "1", "--json", instance=f"agent-{i}"
        )

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(pick, range(3)))
    won = [json.loads(r.stdout)["claimed"] for r in results if r.returncode == 0]
    assert all(r.returncode in (0, 16) for r in results), [r.stderr for r in results]
    numbers = [w["number"] for w in won]
    assert len(numbers) == len(set(numbers)) >= 1  # never two agents on one story
    assert set(numbers) <= {2, 3}
