"""Older servers (GHES ≤ 3.18) lack Issue.blockedBy / sub-issues: read without, say so once."""

from __future__ import annotations

import json

import pytest
from graphql import parse

from maverick_ext.github import capabilities, issues
from maverick_ext.github.client import GhClient

from .test_epics_argv import GRAPHQL, REPO, issue, single


def undefined(field: str) -> str:
    return json.dumps(
        {"errors": [{"message": f"Field '{field}' doesn't exist on type 'Issue'",
                     "extensions": {"code": "undefinedField", "typeName": "Issue",
                                    "fieldName": field}}]}
    )  # fmt: skip


@pytest.mark.parametrize(
    "fields", [{"blockedBy"}, {"subIssues"}, {"blockedBy", "subIssues", "parent"}]
)
def test_dropping_fields_leaves_valid_graphql_without_them(fields) -> None:
    for query in (issues.SNAPSHOT_QUERY, issues.EPIC_QUERY):
        reduced = capabilities.without_fields(query, fields)
        parse(reduced)
        assert not any(f"{field}(" in reduced or f"{field} {{" in reduced for field in fields)
        assert "comments(first: 100)" in reduced


def test_a_server_without_blocked_by_is_read_without_it_and_said_once(fp, gh_reply, capsys):
    sent: list[str] = []
    keep = {"stdin_callable": sent.append}
    fp.register(GRAPHQL, stdout=gh_reply(200, undefined("blockedBy")), **keep)
    node = issue(2)
    node.pop("blockedBy")
    for _ in range(2):
        fp.register(GRAPHQL, stdout=gh_reply(body=single(node)), **keep)
    client = GhClient(repo=REPO)
    assert issues.fetch_issue(client, 2).blocked_by == []
    assert issues.fetch_issue(client, 2).number == 2  # the second read leaves it out at once
    queries = [json.loads(body)["query"] for body in sent]
    assert "blockedBy" in queries[0] and all("blockedBy" not in q for q in queries[1:])
    assert len(queries) == 3
    err = capsys.readouterr().err
    assert err.count("has no Issue.blockedBy") == 1


def test_an_unknown_missing_field_is_still_a_rejection(fp, gh_reply):
    from maverick_ext.errors import GitHubRejected

    fp.register(GRAPHQL, stdout=gh_reply(200, undefined("title")))
    with pytest.raises(GitHubRejected):
        issues.fetch_issue(GhClient(repo=REPO), 2)
