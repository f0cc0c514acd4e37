"""Comment ids outgrew 32 bits: every query reads the BigInt ``fullDatabaseId``."""

from __future__ import annotations

import re

from maverick_ext.github import documents, issues
from maverick_ext.github.models import Comment, IssueSnapshot

BIG = 2**32 + 7  # github.com comment ids passed 2**31 in 2024


def node(comment_id: str) -> dict:
    return {
        "fullDatabaseId": comment_id,
        "body": "hi",
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T00:00:00Z",
        "authorAssociation": "OWNER",
        "author": {"login": "alice"},
    }


def test_a_bigint_comment_id_arrives_as_a_string_and_becomes_an_int() -> None:
    comment = Comment.from_graphql(node(str(BIG)))
    assert comment.id == BIG and isinstance(comment.id, int)


def test_comment_order_is_numeric_not_lexical_for_big_ids() -> None:
    snap = IssueSnapshot.from_graphql(
        {"number": 1, "comments": {"nodes": [node(str(BIG)), node("999")]}}
    )
    assert sorted(c.id for c in snap.comments) == [999, BIG]


def test_no_query_selects_the_32_bit_database_id() -> None:
    more_comments = issues.MORE_NODES_QUERY.format(
        connection="comments", page_info=documents.PAGE_INFO, node=documents.COMMENT_FIELDS
    )
    claim_read = documents.claim_read("o", "r", [1, 2], "claude-in-progress")["query"]
    for query in (documents.SNAPSHOT_QUERY, documents.EPIC_QUERY, more_comments, claim_read):
        assert not re.search(r"\bdatabaseId\b", query)
        assert "fullDatabaseId" in query


def test_a_bot_author_keeps_its_bot_suffix_as_rest_and_viewer_spell_it() -> None:
    app = {**node("1"), "author": {"__typename": "Bot", "login": "maverick-app"}}
    user = {**node("2"), "author": {"__typename": "User", "login": "alice"}}
    ghost = {**node("3"), "author": None}
    assert Comment.from_graphql(app).author == "maverick-app[bot]"
    assert Comment.from_graphql(user).author == "alice"
    assert Comment.from_graphql(ghost).author is None
