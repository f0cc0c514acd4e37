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


OUR_COMMIT = "c" * 40
RECORD = (
    "maverick claim #2 epoch 1 by me\n\n```maverick-claim-record\n"
    '{"epoch": 1, "instance_id": "me", "issue": 2, "login": "me-bot", "nonce": "n0nce", '
    '"ttl_s": 600, "v": 1}\n```\n'
)


def snapshot(labels: list[str], comments: list[dict[str, Any]], tip: bool = False) -> str:
    node = {
        "__typename": "Issue",
        "id": "I_2",
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
    ref = {"target": {"oid": OUR_COMMIT, "message": RECORD, "committedDate": NOW}}
    repository = {
        "id": "R_1",
        "viewerPermission": "WRITE",
        "isEmpty": False,
        "label": {"id": "LA_1"},
        "i2": node,
        "r2": ref if tip else None,
    }
    return json.dumps({"data": {"viewer": {"login": "me-bot"}, "repository": repository}})


def our_comment() -> dict[str, Any]:
    return {
        "id": "IC_ours",
        "fullDatabaseId": str(OUR_COMMENT_ID),  # BigInt: a JSON string
        "body": CLAIM_BODY.replace('"state": "active"', '"state": "active", "nonce": "n0nce"'),
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


POST_COMMIT = [*GH_API, "POST", "--input", "-", "repos/octo/widgets/git/commits"]


def test_claim_is_read_commit_swap_then_comment_and_label(fp, gh_reply, coordinator, sent):
    keep = {"stdin_callable": lambda data: sent.append(data)}
    fp.register(READ, stdout=gh_reply(body=snapshot([], [])), **keep)
    fp.register(POST_COMMIT, stdout=gh_reply(201, json.dumps({"sha": OUR_COMMIT})), **keep)
    fp.register(READ, stdout=gh_reply(body='{"data": {"updateRefs": {}}}'), **keep)
    added = {"data": {"add": {"commentEdge": {"node": our_comment()}}, "label": {}}}
    fp.register(READ, stdout=gh_reply(body=json.dumps(added)), **keep)

    outcome = coordinator.claim([2], ClaimSettings(settle_s=0))[0]

    assert outcome.code == 0 and outcome.record is not None
    assert (outcome.record.fencing_token, outcome.record.commit) == (1, OUR_COMMIT)
    commit = json.loads(sent[1])
    assert commit["tree"] == "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    assert commit["parents"] == [] and "author" not in commit and "committer" not in commit
    assert '"epoch": 1' in commit["message"] and '"login": "me-bot"' in commit["message"]
    swap = json.loads(sent[2])["variables"]["input"]
    assert swap == {
        "repositoryId": "R_1",
        "refUpdates": [
            {"name": "refs/maverick/claims/2", "beforeOid": "0" * 40, "afterOid": OUR_COMMIT}
        ],
    }
    projection = json.loads(sent[3])
    assert projection["variables"]["label"] == "LA_1"
    posted = parse_body(projection["variables"]["body"]).markers
    assert [m.kind for m in posted] == ["claim", "lease"]
    assert posted[0].payload["commit"] == OUR_COMMIT and posted[0].payload["mode"] == "ref"


def test_heartbeat_is_read_then_one_mutation_reading_the_ref(fp, gh_reply, coordinator, sent):
    fp.register(READ, stdout=gh_reply(body=snapshot(["claude-in-progress"], [our_comment()], True)))
    beat = {"data": {"updateIssueComment": {"issueComment": {
        "updatedAt": "2026-11-21T12:00:00Z", "issue": {"labels": {"nodes": []}},
        "repository": {"ref": {"target": {"oid": OUR_COMMIT}}}}}}}  # fmt: skip
    fp.register(READ, stdout=gh_reply(body=json.dumps(beat)), stdin_callable=sent.append)

    outcome = coordinator.heartbeat(2)

    assert outcome.code == 0
    request = json.loads(sent[0])
    assert 'ref(qualifiedName: "refs/maverick/claims/2")' in request["query"]
    lease = parse_body(request["variables"]["body"]).markers[1].payload
    assert lease["heartbeat_at"] == "2026-11-21T12:00:00Z"  # the Date header, not our clock


def test_heartbeat_of_a_remembered_claim_is_one_mutation(fp, gh_reply, sent, tmp_path):
    """The first heartbeat reads (2 calls) and remembers the claim in the instance's state
    dir; the next process of that instance sends only the mutation (1 call)."""
    fp.register(READ, stdout=gh_reply(body=snapshot(["claude-in-progress"], [our_comment()], True)))
    beat = {"data": {"updateIssueComment": {"issueComment": {
        "updatedAt": "2026-11-21T12:00:00Z", "issue": {"labels": {"nodes": []}},
        "repository": {"ref": {"target": {"oid": OUR_COMMIT}}}}}}}  # fmt: skip
    for _ in range(2):
        fp.register(READ, stdout=gh_reply(body=json.dumps(beat)), stdin_callable=sent.append)

    def process() -> Coordinator:
        client = GhClient(repo=REPO, sleep=lambda s: None)
        return Coordinator(client, Identity("me", "box"), lambda s: None, lambda: 0.0,
                           memo_dir=tmp_path)  # fmt: skip

    assert process().heartbeat(2).code == 0
    assert fp.call_count(READ) == 2
    assert process().heartbeat(2).code == 0
    assert fp.call_count(READ) == 3  # one more request: the mutation alone
    request = json.loads(sent[1])
    assert request["variables"]["id"] == "IC_ours"
    assert 'ref(qualifiedName: "refs/maverick/claims/2")' in request["query"]


def test_release_is_read_released_commit_then_ref_comment_and_label_in_one_request(
    fp, gh_reply, coordinator, sent
) -> None:
    fp.register(READ, stdout=gh_reply(body=snapshot(["claude-in-progress"], [our_comment()], True)))
    released_commit = "e" * 40
    fp.register(POST_COMMIT, stdout=gh_reply(201, json.dumps({"sha": released_commit})),
                stdin_callable=sent.append)  # fmt: skip
    done = {"data": {"ref": {}, "comment": {}, "label": {}}}
    fp.register(READ, stdout=gh_reply(body=json.dumps(done)), stdin_callable=sent.append)

    outcome = coordinator.release(2, "merged")

    assert outcome.code == 0
    commit, request = json.loads(sent[0]), json.loads(sent[1])
    # The ref moves on to a child of our claim commit whose record says released.
    assert commit["parents"] == [OUR_COMMIT] and '"state": "released"' in commit["message"]
    assert (request["variables"]["oid"], request["variables"]["after"]) == (
        OUR_COMMIT, released_commit,
    )  # fmt: skip
    claim = parse_body(request["variables"]["body"]).markers[0].payload
    assert (claim["state"], claim["reason"]) == ("released", "merged")
    assert request["variables"]["label"] == "LA_1"
