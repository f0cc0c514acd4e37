"""The exact `gh api` calls of claim, heartbeat and release, in order, and what they send."""

from __future__ import annotations

import json
from typing import Any

import pytest

from maverick_ext.core.markers import parse_body
from maverick_ext.core.refs import RepoRef
from maverick_ext.github.client import GhClient
from maverick_ext.services.claims import ClaimSettings, Coordinator
from maverick_ext.services.identity import Identity

REPO = RepoRef("octo", "widgets")
GH_API = ["gh", "api", "--include", "--method"]
READ = [*GH_API, "POST", "--input", "-", "graphql"]
ADD_LABEL = [*GH_API, "POST", "--input", "-", "repos/octo/widgets/issues/2/labels"]
POST_COMMENT = [*GH_API, "POST", "--input", "-", "repos/octo/widgets/issues/2/comments"]
# Comment ids passed 2**32 on github.com: nothing may assume 32 bits.
OUR_COMMENT_ID = 2**32 + 101
EDIT_COMMENT = [
    *GH_API,
    "PATCH",
    "--input",
    "-",
    f"repos/octo/widgets/issues/comments/{OUR_COMMENT_ID}",
]
REMOVE_LABEL = [*GH_API, "DELETE", "repos/octo/widgets/issues/2/labels/claude-in-progress"]
NOW = "2026-11-21T11:59:00Z"  # a minute before the Date header of gh_reply

CLAIM_BODY = (
    '```maverick-claim\n{"instance_id": "me", "ttl_s": 600, "state": "active"}\n```\n\n'
    '```maverick-lease\n{"instance_id": "me", "expires_at": "2026-11-21T12:09:00Z"}\n```'
)


def snapshot(labels: list[str], comments: list[dict[str, Any]]) -> str:
    node = {
        "__typename": "Issue",
        "number": 2,
        "title": "Config loader",
        "state": "OPEN",
        "body": "",
        "labels": {"nodes": [{"name": name} for name in labels]},
        "comments": {"pageInfo": {"hasNextPage": False}, "nodes": comments},
        "subIssues": {"nodes": []},
        "blockedBy": {"nodes": []},
        "closedByPullRequestsReferences": {"nodes": []},
    }
    return json.dumps(
        {"data": {"viewer": {"login": "me-bot"}, "repository": {"issueOrPullRequest": node}}}
    )


def our_comment() -> dict[str, Any]:
    return {
        "fullDatabaseId": str(OUR_COMMENT_ID),  # BigInt: a JSON string
        "body": CLAIM_BODY,
        "createdAt": NOW,
        "updatedAt": NOW,
        "authorAssociation": "OWNER",
        "author": {"login": "me-bot"},
    }


REST_COMMENT = json.dumps(
    {
        "id": OUR_COMMENT_ID,
        "body": CLAIM_BODY,
        "created_at": NOW,
        "updated_at": NOW,
        "user": {"login": "me-bot"},
        "author_association": "OWNER",
    }
)


@pytest.fixture
def coordinator() -> Coordinator:
    client = GhClient(repo=REPO, sleep=lambda s: None)
    return Coordinator(client, Identity("me", "box"), lambda s: None, lambda: 0.0)


@pytest.fixture
def sent() -> list[str]:
    """Every request body written to gh's stdin, in order."""
    return []


def test_claim_is_read_label_comment_reread(fp, gh_reply, coordinator, sent) -> None:
    keep = {"stdin_callable": lambda data: sent.append(data)}
    fp.register(READ, stdout=gh_reply(body=snapshot([], [])), **keep)
    fp.register(ADD_LABEL, stdout=gh_reply(body="[]"), **keep)
    fp.register(POST_COMMENT, stdout=gh_reply(201, REST_COMMENT), **keep)
    fp.register(READ, stdout=gh_reply(body=snapshot(["claude-in-progress"], [our_comment()])))

    outcome = coordinator.claim([2], ClaimSettings(settle_s=0))[0]

    assert outcome.code == 0 and outcome.record is not None
    assert outcome.record.fencing_token == OUR_COMMENT_ID
    assert json.loads(sent[1]) == {"labels": ["claude-in-progress"]}
    posted = parse_body(json.loads(sent[2])["body"]).markers
    assert [m.kind for m in posted] == ["claim", "lease"]
    assert posted[0].payload["instance_id"] == "me" and len(posted[0].payload["nonce"]) == 16


def test_heartbeat_is_read_then_edit_own_comment(fp, gh_reply, coordinator, sent) -> None:
    fp.register(READ, stdout=gh_reply(body=snapshot(["claude-in-progress"], [our_comment()])))
    fp.register(
        EDIT_COMMENT,
        stdout=gh_reply(body=REST_COMMENT),
        stdin_callable=lambda data: sent.append(data),
    )

    coordinator.heartbeat(2)

    lease = parse_body(json.loads(sent[0])["body"]).markers[1].payload
    assert lease["heartbeat_at"] == "2026-11-21T12:00:00Z"  # the Date header, not our clock


def test_release_edits_own_comment_then_removes_the_label(fp, gh_reply, coordinator, sent) -> None:
    fp.register(READ, stdout=gh_reply(body=snapshot(["claude-in-progress"], [our_comment()])))
    fp.register(
        EDIT_COMMENT,
        stdout=gh_reply(body=REST_COMMENT),
        stdin_callable=lambda data: sent.append(data),
    )
    fp.register(REMOVE_LABEL, stdout=gh_reply(body="[]"))

    outcome = coordinator.release(2, "merged")

    assert outcome.code == 0
    claim = parse_body(json.loads(sent[0])["body"]).markers[0].payload
    assert (claim["state"], claim["reason"]) == ("released", "merged")
    assert fp.call_count(REMOVE_LABEL) == 1
