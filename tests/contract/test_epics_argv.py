"""The exact `gh api` calls of `bprop run` and `state set`, in order, and what they send."""

from __future__ import annotations

import json
from typing import Any

from maverick_ext.core.bprop import notice_body
from maverick_ext.core.epic_state import fact_for
from maverick_ext.core.markers import parse_body, render_comment
from maverick_ext.core.refs import RepoRef
from maverick_ext.github.client import GhClient
from maverick_ext.services import bprop, epics
from maverick_ext.services.epics import read_epic

REPO = RepoRef("octo", "widgets")
GH_API = ["gh", "api", "--include", "--method"]
GRAPHQL = [*GH_API, "POST", "--input", "-", "graphql"]
POST_EPIC_COMMENT = [*GH_API, "POST", "--input", "-", "repos/octo/widgets/issues/1/comments"]
ENSURE_LABEL = [*GH_API, "POST", "--input", "-", "repos/octo/widgets/labels"]
LABEL_6 = [*GH_API, "POST", "--input", "-", "repos/octo/widgets/issues/6/labels"]
NOTICE_6 = [*GH_API, "POST", "--input", "-", "repos/octo/widgets/issues/6/comments"]
EDIT_JOURNAL = [*GH_API, "PATCH", "--input", "-", "repos/octo/widgets/issues/comments/900"]
DELETE_JOURNAL = [*GH_API, "DELETE", "repos/octo/widgets/issues/comments/900"]
NOW = "2026-11-21T11:59:00Z"
DAG = {"epic": 1, "stories": {"4": {"deps": []}, "6": {"deps": ["4"]}}}


def issue(number: int, labels: list[str] = (), comments: list[dict[str, Any]] = ()) -> dict:
    return {
        "__typename": "Issue",
        "number": number,
        "title": f"Story {number}",
        "state": "OPEN",
        "body": "",
        "labels": {"nodes": [{"name": name} for name in labels]},
        "comments": {"pageInfo": {"hasNextPage": False}, "nodes": list(comments)},
        "subIssues": {"nodes": []},
        "blockedBy": {"nodes": []},
        "closedByPullRequestsReferences": {"nodes": []},
    }


def comment(comment_id: int, body: str) -> dict[str, Any]:
    return {
        "fullDatabaseId": str(comment_id),
        "body": body,
        "createdAt": NOW,
        "updatedAt": NOW,
        "authorAssociation": "OWNER",
        "author": {"login": "me-bot"},
    }


def single(node: dict) -> str:
    return json.dumps(
        {"data": {"viewer": {"login": "me-bot"}, "repository": {"issueOrPullRequest": node}}}
    )


def batch(*nodes: dict) -> str:
    aliased = {f"i{node['number']}": node for node in nodes}
    return json.dumps({"data": {"viewer": {"login": "me-bot"}, "repository": aliased}})


def rest_comment(comment_id: int) -> str:
    return json.dumps(
        {"id": comment_id, "body": "", "created_at": NOW, "updated_at": NOW,
         "user": {"login": "me-bot"}, "author_association": "OWNER"}
    )  # fmt: skip


def test_bprop_run_is_journal_read_label_notice_record_delete(fp, gh_reply) -> None:
    sent: list[str] = []
    keep = {"stdin_callable": sent.append}
    epic = issue(1, comments=[comment(800, render_comment([("dag", DAG)]))])
    fp.register(GRAPHQL, stdout=gh_reply(body=single(epic)), **keep)
    fp.register(POST_EPIC_COMMENT, stdout=gh_reply(201, rest_comment(900)), **keep)
    fp.register(GRAPHQL, stdout=gh_reply(body=batch(issue(6))), **keep)
    fp.register(ENSURE_LABEL, stdout=gh_reply(201, "{}"), **keep)
    fp.register(LABEL_6, stdout=gh_reply(body="[]"), **keep)
    fp.register(NOTICE_6, stdout=gh_reply(201, rest_comment(901)), **keep)
    fp.register(EDIT_JOURNAL, stdout=gh_reply(body=rest_comment(900)), **keep)
    # the re-read that catches a racing run's duplicate notice: here ours is the only one
    noticed = issue(6, ["blocked-by:#4"], [comment(901, notice_body(1, 4))])
    fp.register(GRAPHQL, stdout=gh_reply(body=batch(noticed)), **keep)
    fp.register(DELETE_JOURNAL, stdout=gh_reply(204, ""))

    ctx = read_epic(GhClient(repo=REPO, sleep=lambda s: None), 1)
    outcome = bprop.run(ctx, 4)

    assert (outcome.descendants, outcome.labelled, outcome.commented) == ([6], [6], [6])
    assert fp.call_count(GRAPHQL) == 3  # the epic, the descendants, the re-read
    journal = parse_body(json.loads(sent[1])["body"]).markers[0]
    assert journal.kind == "bprop"
    assert journal.payload | {"started_at": None, "updated_at": None} == {
        "epic": 1, "ejected": 4, "descendants": [6], "labelled": [], "commented": [],
        "started_at": None, "updated_at": None,
    }  # fmt: skip
    assert json.loads(sent[3])["name"] == "blocked-by:#4"
    assert json.loads(sent[4]) == {"labels": ["blocked-by:#4"]}
    assert "maverick-bprop-notice epic=1 ejected=4" in json.loads(sent[5])["body"]
    recorded = parse_body(json.loads(sent[6])["body"]).markers[0].payload
    assert (recorded["labelled"], recorded["commented"]) == ([6], [6])
    assert fp.call_count(DELETE_JOURNAL) == 1


def test_a_racing_runs_older_notice_wins_and_ours_is_deleted(fp, gh_reply) -> None:
    epic = issue(1, comments=[comment(800, render_comment([("dag", DAG)]))])
    fp.register(GRAPHQL, stdout=gh_reply(body=single(epic)))
    fp.register(POST_EPIC_COMMENT, stdout=gh_reply(201, rest_comment(900)))
    fp.register(GRAPHQL, stdout=gh_reply(body=batch(issue(6, ["blocked-by:#4"]))))
    fp.register(NOTICE_6, stdout=gh_reply(201, rest_comment(902)))
    fp.register(EDIT_JOURNAL, stdout=gh_reply(body=rest_comment(900)))
    raced = [comment(901, notice_body(1, 4)), comment(902, notice_body(1, 4))]
    fp.register(GRAPHQL, stdout=gh_reply(body=batch(issue(6, ["blocked-by:#4"], raced))))
    fp.register(
        [*GH_API, "DELETE", "repos/octo/widgets/issues/comments/902"], stdout=gh_reply(204, "")
    )
    fp.register(DELETE_JOURNAL, stdout=gh_reply(204, ""))

    ctx = read_epic(GhClient(repo=REPO, sleep=lambda s: None), 1)
    outcome = bprop.run(ctx, 4)

    assert (outcome.labelled, outcome.commented) == ([], [])  # 901 stays: the other run's


def test_state_set_is_one_label_on_the_story_only(fp, gh_reply) -> None:
    sent: list[str] = []
    epic = issue(1, comments=[comment(800, render_comment([("dag", DAG)]))])
    fp.register(GRAPHQL, stdout=gh_reply(body=single(epic)))
    fp.register(GRAPHQL, stdout=gh_reply(body=batch(issue(6))))
    # GitHub answers POST .../labels with all the issue's labels: no re-read is needed.
    labels_after = json.dumps([{"name": "needs-human", "color": "d93f0b"}])
    fp.register(LABEL_6, stdout=gh_reply(body=labels_after), stdin_callable=sent.append)

    ctx = read_epic(GhClient(repo=REPO, sleep=lambda s: None), 1)
    status, added = epics.record_fact(ctx, 6, fact_for("ejected"))

    assert (status.status, added) == ("ejected", True)
    assert [json.loads(body) for body in sent] == [{"labels": ["needs-human"]}]
    assert fp.call_count(GRAPHQL) == 2  # the epic, then the story: 3 calls in all
