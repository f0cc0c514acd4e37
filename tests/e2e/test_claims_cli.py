"""Processes racing for one issue through the real gh and the installed extension: the
protocol property that needs separate processes. One exit code per situation an agent meets
(`claim|heartbeat|release|takeover|guard|read`) runs in-process:
tests/commands/test_claim_commands.py."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import real_gh

pytestmark = pytest.mark.e2e


def test_concurrent_claimers_in_separate_processes_yield_exactly_one_owner(
    emulator, gh_maverick, extension_home, tmp_path
) -> None:
    """Property 1: new comments stay invisible for 0.4 s, the settle window is 1 s."""
    emulator.faults.update(visibility_delay_ms=400)
    base = {**os.environ, **emulator.env(), **extension_home, "MAVERICK_SETTLE_S": "1"}
    racers = [
        subprocess.Popen(
            [real_gh(), "maverick", "claim", "3"],
            env={**base, "MAVERICK_INSTANCE_ID": f"racer-{n}"},
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    codes = [racer.wait(timeout=60) for racer in racers]

    assert codes.count(0) == 1, codes
    assert set(codes) <= {0, 11, 13}
    winner = f"racer-{codes.index(0)}"
    emulator.faults.update(visibility_delay_ms=0)
    state = json.loads(gh_maverick("read", "3", "--json").stdout)
    assert state["holder"]["instance_id"] == winner
    # Losers withdrew their own comments; nobody else's record is active.
    assert [r["state"] for r in state["records"]].count("active") == 1
