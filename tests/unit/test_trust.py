"""Only trusted authors change coordination state."""

from __future__ import annotations

from maverick_ext.core.markers import render_comment
from maverick_ext.core.trust import TrustPolicy, issue_markers
from maverick_ext.github.models import Comment

CLAIM = {"instance_id": "a", "host": "h", "scope": ["1"], "claimed_at": "2026-11-21T12:00:00Z"}


def comment(cid: int, author: str | None, association: str, body: str) -> Comment:
    return Comment(
        id=cid,
        body=body,
        created_at="2026-11-21T12:00:00Z",
        updated_at="2026-11-21T12:00:00Z",
        author=author,
        author_association=association,
    )


def test_members_owners_collaborators_the_viewer_and_bots_are_trusted():
    policy = TrustPolicy(viewer="me", bots=frozenset({"maverick-app[bot]"}))
    body = render_comment([("claim", CLAIM)])
    comments = [
        comment(1, "owner", "OWNER", body),
        comment(2, "member", "MEMBER", body),
        comment(3, "collab", "COLLABORATOR", body),
        comment(4, "me", "CONTRIBUTOR", body),
        comment(5, "maverick-app[bot]", "NONE", body),
        comment(6, "stranger", "NONE", body),
        comment(7, "drive-by", "CONTRIBUTOR", body),
        comment(8, None, "NONE", body),
    ]
    assert [m.comment_id for m in issue_markers(comments, policy).markers] == [1, 2, 3, 4, 5]


def test_untrusted_markers_are_ignored_without_spamming_warnings():
    bad = "```maverick-claim\n{oops\n```"
    parsed = issue_markers([comment(1, "stranger", "NONE", bad)], TrustPolicy(viewer="me"))
    assert parsed.markers == [] and parsed.warnings == []


def test_markers_come_oldest_first_with_their_comment_metadata_and_typed_payload():
    body = render_comment([("claim", CLAIM)])
    parsed = issue_markers(
        [comment(9, "me", "OWNER", body), comment(3, "me", "OWNER", body)], TrustPolicy(viewer="me")
    )
    assert [m.comment_id for m in parsed.markers] == [3, 9]
    assert parsed.markers[0].author == "me" and parsed.markers[0].typed.instance_id == "a"


def test_a_trusted_marker_with_a_wrong_shape_is_a_warning():
    body = render_comment([("claim", {"host": "no instance id"})])
    parsed = issue_markers([comment(4, "me", "OWNER", body)], TrustPolicy(viewer="me"))
    assert parsed.markers == [] and "instance_id" in str(parsed.warnings[0])
