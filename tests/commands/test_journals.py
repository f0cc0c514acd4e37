"""Reads never write: a pending block-propagation journal is reported by read commands and
finished by commands that write to the epic (tests/commands/conftest.py: in-process)."""

from __future__ import annotations

import json

import pytest

from maverick_ext.core.markers import render_comment
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.services.bprop import LIVE_JOURNAL_S


def journal_comments(emulator) -> list[int]:
    epic = emulator.store.issue(emulator.store.repo(OWNER, REPO), 1)
    return [c.id for c in epic.comments if "maverick-bprop" in c.body]


def labels(emulator, number: int) -> list[str]:
    return sorted(
        label.name
        for label in emulator.store.issue(emulator.store.repo(OWNER, REPO), number).labels
    )


@pytest.fixture
def abandoned(inproc_emulator):
    """A journal for ejected #4 (descendants #6, #7) whose walker died a while ago."""
    emulator = inproc_emulator.emulator
    payload = {"epic": 1, "ejected": 4, "descendants": [6, 7], "labelled": [], "commented": [],
               "started_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}  # fmt: skip
    body = json.dumps({"body": render_comment([("bprop", payload)])}).encode()
    answer = emulator.handle(
        "POST",
        f"/repos/{OWNER}/{REPO}/issues/1/comments",
        {"Authorization": "token sandbox-token", "Host": "api.github.localhost"},
        body,
    )
    assert answer.status == 201
    emulator.advance_clock(LIVE_JOURNAL_S + 1)
    return emulator


WRITES = {"POST", "PATCH", "PUT", "DELETE"}


@pytest.mark.parametrize(
    "command",
    [
        ("dag", "show", "1"),
        ("dag", "descendants", "1", "4"),
        ("dag", "build", "1"),
        ("state", "show", "1"),
        ("epic", "status", "1"),
        ("epic", "summary", "1"),
    ],
)
def test_a_read_command_warns_and_leaves_the_journal(abandoned, run_emulated, command) -> None:
    before = journal_comments(abandoned)
    result = run_emulated(*command)
    assert result.exit_code == 0, result.stderr
    assert "#4 was interrupted" in result.stderr and "bprop resume 1" in result.stderr
    assert journal_comments(abandoned) == before and labels(abandoned, 6) == []
    writes = [c for c in result.calls if c.method in WRITES and c.path != "graphql"]
    mutations = [c for c in result.calls if c.path == "graphql" and "mutation" in c.body["query"]]
    assert writes == [] and mutations == []


@pytest.mark.parametrize(
    "command",
    [
        ("state", "set", "1", "5", "merged", "--branch", "main"),
        ("dag", "build", "1", "--write"),
        ("state", "show", "1", "--write"),
        ("bprop", "resume", "1"),
    ],
)
def test_a_writing_command_finishes_the_journal_first(abandoned, run_emulated, command) -> None:
    result = run_emulated(*command)
    assert result.exit_code == 0, result.stderr
    assert journal_comments(abandoned) == []
    assert labels(abandoned, 6) == ["blocked-by:#4"] and labels(abandoned, 7) == ["blocked-by:#4"]
