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


# ---- one account, two spellings (GitHub Apps) and any letter case --------------------


def test_an_app_recognises_its_own_comments_under_either_spelling():
    from maverick_ext.core.trust import same_account

    # viewer.login keeps "[bot]"; GraphQL author.login drops it; logins ignore case.
    assert same_account("maverick-app[bot]", "maverick-app")
    assert same_account("Maverick-App", "maverick-app[BOT]")
    assert not same_account("maverick-app", "maverick-ap")
    assert not same_account(None, None)
    body = render_comment([("claim", CLAIM)])
    policy = TrustPolicy(viewer="maverick-app[bot]")
    parsed = issue_markers([comment(1, "maverick-app", "NONE", body)], policy)
    assert [m.comment_id for m in parsed.markers] == [1]


def test_trusted_bots_accept_either_spelling():
    body = render_comment([("claim", CLAIM)])
    for configured in ("ci-bot", "ci-bot[bot]", "CI-Bot"):
        policy = TrustPolicy(viewer="me", bots=frozenset({configured}))
        for author in ("ci-bot", "ci-bot[bot]"):
            assert issue_markers([comment(1, author, "NONE", body)], policy).markers, (
                configured,
                author,
            )


# ---- author_association: eight values, and the permission API for non-claims --------

DAG = {"epic": 1, "nodes": {"2": []}}


def test_every_association_github_sends_is_known():
    from maverick_ext.core.trust import AUTHOR_ASSOCIATIONS

    assert {"FIRST_TIMER", "FIRST_TIME_CONTRIBUTOR", "MANNEQUIN"} <= AUTHOR_ASSOCIATIONS
    assert len(AUTHOR_ASSOCIATIONS) == 8


def test_a_confirmed_writer_is_trusted_for_records_but_never_for_claims():
    from maverick_ext.core.trust import authors_to_verify

    claim = render_comment([("claim", CLAIM)])
    dag = render_comment([("dag", DAG)])
    comments = [
        comment(1, "private-member", "CONTRIBUTOR", claim),
        comment(2, "private-member", "NONE", dag),
    ]
    policy = TrustPolicy(viewer="me")
    assert authors_to_verify(comments, policy) == ["private-member"]
    assert issue_markers(comments, policy).markers == []
    vouched = policy.with_writers(["Private-Member"])
    assert [m.kind for m in issue_markers(comments, vouched).markers] == ["dag"]
    assert authors_to_verify(comments, vouched) == []


def test_authors_without_non_claim_markers_need_no_lookup():
    from maverick_ext.core.trust import authors_to_verify

    comments = [
        comment(1, "stranger", "NONE", render_comment([("claim", CLAIM)])),
        comment(2, "chatty", "FIRST_TIMER", "just a comment"),
        comment(3, "owner", "OWNER", render_comment([("dag", DAG)])),
        comment(4, None, "NONE", render_comment([("dag", DAG)])),
    ]
    assert authors_to_verify(comments, TrustPolicy(viewer="me")) == []


def test_block_notices_are_records_whose_hidden_authors_get_looked_up():
    """A bprop notice is plain text, not a marker: its author is looked up only when the
    reader asks about notices (services/bprop.py), and a confirmed writer's notice counts."""
    from maverick_ext.core.bprop import is_notice, notice_body
    from maverick_ext.core.trust import authors_to_verify

    comments = [
        comment(1, "quiet-member", "NONE", notice_body(1, 4)),
        comment(2, "chatty", "NONE", "Blocked by #4? looks like it to me"),
    ]
    policy = TrustPolicy(viewer="maverick-agent[bot]")
    assert authors_to_verify(comments, policy) == []  # no marker: the default skips them
    assert authors_to_verify(comments, policy, is_notice) == ["quiet-member"]
    writer = policy.with_writers(["quiet-member"])
    assert writer.trusts_for_records("quiet-member", "NONE")
    assert not writer.trusts("quiet-member", "NONE", "claim")


def test_write_maintain_and_admin_grant_write_read_and_triage_do_not():
    from maverick_ext.core.trust import can_write

    assert can_write({"permission": "admin", "role_name": "admin"})
    assert can_write({"permission": "write", "role_name": "maintain"})
    assert can_write({"permission": "write", "role_name": "write"})
    assert not can_write({"permission": "read", "role_name": "triage"})
    assert not can_write({"permission": "none", "role_name": ""})
    assert not can_write({})
