"""The GitHub boundary's constructors: GraphQL/REST shapes in, one vocabulary out."""

from __future__ import annotations

import pytest

from maverick_ext.errors import ExitCode
from maverick_ext.github.models import Comment, IssueSnapshot, MalformedAnswer

NODE = {
    "number": 4,
    "title": "API endpoints",
    "state": "OPEN",
    "body": None,
    "labels": {"nodes": [{"name": "claude-in-progress"}]},
    "comments": {
        "nodes": [
            {
                "fullDatabaseId": "12",
                "body": "hi",
                "createdAt": "2026-01-01T00:00:00Z",
                "updatedAt": "2026-01-01T00:00:01Z",
                "authorAssociation": None,
                "author": None,
            }
        ]
    },
    "subIssues": {"nodes": []},
    "blockedBy": {"nodes": [{"number": 3}]},
    "closedByPullRequestsReferences": {
        "nodes": [{"number": 9, "state": "MERGED", "merged": True, "headRefName": "feat/4"}]
    },
}


def test_an_issue_node_becomes_a_snapshot_with_nulls_as_defaults():
    snap = IssueSnapshot.from_graphql(NODE, viewer="me")
    assert (snap.number, snap.body, snap.labels, snap.blocked_by) == (
        4,
        "",
        ["claude-in-progress"],
        [3],
    )
    (comment,) = snap.comments
    assert comment.id == 12 and comment.author is None and comment.author_association == "NONE"
    assert snap.closing_prs[0].merged and snap.closing_prs[0].head_ref == "feat/4"
    assert snap.viewer == "me" and snap.is_open


@pytest.mark.parametrize(
    "broken",
    [
        {**NODE, "number": None},
        {**NODE, "comments": {"nodes": [{"body": "no id"}]}},
        {**NODE, "labels": {"nodes": [{}]}},
    ],
)
def test_an_answer_missing_a_selected_field_is_one_retryable_line(broken):
    with pytest.raises(MalformedAnswer) as raised:
        IssueSnapshot.from_graphql(broken)
    assert raised.value.exit_code == ExitCode.UNAVAILABLE
    assert "lacks an expected field" in raised.value.one_line()


def test_a_rest_comment_reads_like_a_graphql_one():
    comment = Comment.from_rest(
        {"id": 5, "body": None, "created_at": "t", "updated_at": "u", "user": {"login": "a"}}
    )
    assert (comment.id, comment.body, comment.author) == (5, "", "a")


@pytest.mark.parametrize(
    "raw",
    [
        "Sat, 21 Nov 2026 12:00:00 GMT",  # IMF-fixdate, what GitHub sends
        "Saturday, 21-Nov-26 12:00:00 GMT",  # RFC 850, read by email.utils
        "Sat Nov 21 12:00:00 2026",  # asctime
    ],
)
def test_the_date_header_reads_as_utc_in_every_http_form(raw):
    from datetime import datetime, timezone

    from maverick_ext.github.client import http_date

    assert http_date(raw) == datetime(2026, 11, 21, 12, 0, 0, tzinfo=timezone.utc)


def test_an_unreadable_date_header_is_no_server_time():
    from maverick_ext.github.client import http_date

    assert http_date("Sat, 31 Feb 2026 12:00:00 GMT") is None and http_date("soon") is None
