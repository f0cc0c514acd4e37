"""Block propagations racing in separate processes — real gh + the emulator. Drift between
the marker and GitHub, invalid DAGs shown in full and an epic beyond 100 sub-issues run
in-process (tests/commands/test_epic_commands.py).

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
