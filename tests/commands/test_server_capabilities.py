"""Servers without Issue.blockedBy or sub-issues (GHES up to 3.18, older servers), as the
emulator's ``absent_issue_fields`` knob makes it: every read goes on without the field and
says so once per command (docs/github-facts.md, issue #10 item 9)."""

from __future__ import annotations

from typing import Any

from maverick_ext.core.refs import parse_repo
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.github import issues
from maverick_ext.github.client import GhClient

from .conftest import InProcessEmulator

PAGE = 100  # GraphQL's page size for an issue's connections (github/issues.py)


def test_epic_commands_run_on_a_server_without_blocked_by_and_sub_issues(
    inproc_emulator: InProcessEmulator, run_emulated
) -> None:
    inproc_emulator.emulator.faults.update(absent_issue_fields="blockedBy,subIssues,parent")
    result = run_emulated("epic", "status", "1", "--json")
    assert result.exit_code == 0, result.stderr
    for field in ("blockedBy", "subIssues", "parent"):
        assert result.stderr.count(f"has no Issue.{field}") == 1, result.stderr
    # The first query learns what is missing; the rest leave it out from the start.
    rejected = [c for c in result.calls if c.path == "graphql" and "blockedBy" in c.body["query"]]
    assert len(rejected) == 1


def test_a_later_page_without_the_field_reads_on_without_it(
    inproc_emulator: InProcessEmulator, capsys
) -> None:
    """Page 2 of an issue's connections gets the same retry as page 1: a server that stops
    knowing ``blockedBy`` between the two (an upgrade rolled back) is read without it, and
    the other connections' later pages still arrive whole."""
    emulator = inproc_emulator.emulator
    store = emulator.store
    with store.lock:
        repo = store.repo(OWNER, REPO)
        owner = store.identify(f"as:{OWNER}:OWNER")
        story = store.issue(repo, 2)
        for n in range(PAGE + 1):
            store.add_comment(story, owner, f"note {n}")
            store.add_blocked_by(story, store.create_issue(repo, owner, f"blocker {n}"))
    sent: list[str] = []

    def run(argv: Any, **kwargs: Any) -> Any:
        answer = inproc_emulator.run(argv, **kwargs)
        sent.append(kwargs.get("input") or "")
        if len(sent) == 1:  # the first page came back with blockedBy; now it is gone
            emulator.faults.update(absent_issue_fields="blockedBy")
        return answer

    client = GhClient(repo=parse_repo(f"{OWNER}/{REPO}"), run=run, sleep=lambda _: None)
    snapshot = issues.fetch_issue(client, 2)
    assert snapshot.blocked_by == []  # none rather than a silent cut at the first 100
    assert [c.body for c in snapshot.comments] == [f"note {n}" for n in range(PAGE + 1)]
    assert capsys.readouterr().err.count("has no Issue.blockedBy") == 1
    assert client.missing_fields == {"blockedBy"}
