"""Writers whose association hides them: a member of an organisation with private
membership (the emulator's default, as on GitHub) shows as NONE, yet can write. Every reader
of non-claim markers honours such an author once the collaborator-permission API says
write, asking once per unknown author per command run; a stranger's marker stays ignored
(docs/github-facts.md, issue #10 item 3). Claims never take this path (refs decide them)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from maverick_ext.emulator.seeds import AGENT_TOKEN, OWNER, REPO

from .conftest import CliResult, InProcessEmulator

MEMBER = "as:quiet-member:MEMBER"  # write by default; shows as NONE (private membership)
STRANGER = "as:stranger:NONE"  # read
PERMISSION = "/collaborators/"

Writer = Callable[..., CliResult]


def permission_calls(result: CliResult) -> list[str]:
    return [c.path for c in result.calls if PERMISSION in c.path]


def write_as(inproc: InProcessEmulator, run: Writer, token: str, *args: str) -> None:
    """Run a writing command as ``token``'s account, then go back to being the agents' Bot."""
    inproc.token = token
    try:
        result = run(*args)
        assert result.exit_code == 0, result.stderr
    finally:
        inproc.token = AGENT_TOKEN


# (what the hidden writer runs, the reader the Bot runs, what the reader shows of it)
READERS: dict[str, tuple[tuple[str, ...], tuple[str, ...], Callable[[Any], Any]]] = {
    "task-progress": (
        ("task-progress", "set", "2", "design"),
        ("task-progress", "read", "2", "--json"),
        lambda out: out.get("phase"),
    ),
    "gh-state": (
        ("task-progress", "set", "2", "tasks"),
        ("gh-state", "read", "2", "task-progress"),
        lambda out: out.get("phase"),
    ),
    "resume-point": (
        ("task-progress", "set", "2", "implement", "--branch", "story-2"),
        ("coord", "resume-point", "2"),
        lambda out: out["evidence"].get("branch"),
    ),
    "dag": (
        ("dag", "build", "1", "--write"),
        ("dag", "show", "1", "--json"),
        lambda out: out["source"],  # "github": built afresh, no trusted marker
    ),
}
SHOWN = {"task-progress": "design", "gh-state": "tasks", "resume-point": "story-2", "dag": "marker"}


@pytest.fixture
def as_bot(inproc_emulator: InProcessEmulator) -> InProcessEmulator:
    inproc_emulator.token = AGENT_TOKEN
    return inproc_emulator


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_hidden_writers_markers_count_after_one_permission_call(
    as_bot: InProcessEmulator, run_emulated, reader: str
) -> None:
    write, read, shown = READERS[reader]
    write_as(as_bot, run_emulated, MEMBER, *write)
    write_as(as_bot, run_emulated, MEMBER, *write)  # a second marker comment, same author
    store = as_bot.emulator.store
    comments = store.issue(store.repo(OWNER, REPO), int(write[2])).comments
    assert {c.author_association for c in comments} == {"NONE"}  # hidden, yet a writer

    result = run_emulated(*read)
    assert result.exit_code == 0, result.stderr
    assert shown(json.loads(result.stdout)) == SHOWN[reader]
    assert permission_calls(result) == [
        f"repos/{OWNER}/{REPO}/collaborators/quiet-member/permission"
    ]  # one per unknown author per command run, however many comments


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_strangers_markers_stay_ignored(
    as_bot: InProcessEmulator, run_emulated, reader: str
) -> None:
    write, read, shown = READERS[reader]
    # A stranger cannot write labels or refs, but anyone may comment on a public issue:
    # paste what the hidden writer's command would post.
    write_as(as_bot, run_emulated, MEMBER, *write)
    store = as_bot.emulator.store
    issue = store.issue(store.repo(OWNER, REPO), int(write[2]))
    pasted = [c.body for c in issue.comments]
    for comment in list(issue.comments):
        store.delete_comment(comment)
    for body in pasted:
        store.add_comment(issue, store.identify(STRANGER), body)

    result = run_emulated(*read)
    assert result.exit_code == 0, result.stderr
    assert shown(json.loads(result.stdout)) != SHOWN[reader]
    assert permission_calls(result) == [f"repos/{OWNER}/{REPO}/collaborators/stranger/permission"]
