"""Malformed data from trusted authors (issue #10 item 13): every reader treats it one way,
warns, and never exits 1 — a label ``blocked-by:#²`` or ``blocked-by:#abc`` blocks the story
for ``claim`` (10) and keeps it out of ``epic next`` alike; a journal with float or negative
numbers is read as far as it makes sense, with a warning (docs/github-facts.md)."""

from __future__ import annotations

import pytest

from maverick_ext.emulator.seeds import OWNER, REPO

from .conftest import InProcessEmulator


@pytest.mark.parametrize(
    "label", ["blocked-by:#²", "blocked-by:#-3", "blocked-by:#abc", "blocked-by:#"]
)
def test_a_malformed_block_label_blocks_claim_and_epic_next_alike(
    inproc_emulator: InProcessEmulator, run_emulated, label: str
) -> None:
    store = inproc_emulator.emulator.store
    store.add_labels(store.issue(store.repo(OWNER, REPO), 2), [label])

    offered = run_emulated("epic", "next", "1", "--json")
    assert offered.exit_code == 0, offered.stderr
    assert 2 not in [s["number"] for s in offered.json()["stories"]]
    assert 3 in [s["number"] for s in offered.json()["stories"]]
    claimed = run_emulated("claim", "2", "--settle", "0")
    assert claimed.exit_code == 10, claimed.stderr
    assert "Traceback" not in offered.stderr + claimed.stderr


@pytest.mark.parametrize(
    "journal",
    [
        '{"epic": 1, "ejected": 3.0, "descendants": [4.0]}',  # whole floats: read as numbers
        '{"epic": 1, "ejected": 4, "descendants": [-1, 6]}',  # no issue -1: skipped, warned
    ],
)
def test_a_malformed_journal_never_exits_1(
    inproc_emulator: InProcessEmulator, run_emulated, journal: str
) -> None:
    store = inproc_emulator.emulator.store
    owner = store.identify(f"as:{OWNER}:OWNER")
    store.add_comment(
        store.issue(store.repo(OWNER, REPO), 1), owner, f"```maverick-bprop\n{journal}\n```\n"
    )
    for args in (("epic", "status", "1", "--json"), ("bprop", "resume", "1", "--json")):
        result = run_emulated(*args)
        assert result.exit_code not in (1,), (args, result.stderr)
        assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr
