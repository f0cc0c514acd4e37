"""The GraphQL endpoint over a Store, without HTTP: queries, mutations, errors."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from maverick_ext.emulator.graphql import execute
from maverick_ext.emulator.seeds import OWNER, REPO, seed_demo
from maverick_ext.emulator.store import Repo, Store, Viewer

ISSUE_FIELDS = """
  id fullDatabaseId number title state stateReason body url
  labels(first: 100) { nodes { name } }
  comments(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { fullDatabaseId body createdAt updatedAt authorAssociation author { login } }
  }
  subIssues(first: 100) { nodes { number title state } }
  blockedBy(first: 100) { nodes { number } }
  closedByPullRequestsReferences(first: 10, includeClosedPrs: true) {
    nodes { number state merged url headRefName baseRefName }
  }
"""

SNAPSHOT = (
    """
query IssueSnapshot($owner: String!, $name: String!, $number: Int!, $after: String) {
  viewer { login }
  repository(owner: $owner, name: $name) {
    issueOrPullRequest(number: $number) {
      __typename
      ... on Issue {"""
    + ISSUE_FIELDS
    + """}
      ... on PullRequest { number }
    }
  }
}"""
)


class Env:
    def __init__(self) -> None:
        self.store = Store()
        seed_demo(self.store)
        self.repo: Repo = self.store.repo(OWNER, REPO)
        self.owner: Viewer = self.store.identify(f"as:{OWNER}:OWNER")
        self.outsider: Viewer = self.store.identify("as:drive-by:NONE")

    def run(self, query: str, viewer: Viewer | None = None, **variables: Any) -> dict[str, Any]:
        payload = {"query": query, "variables": variables}
        with self.store.lock:  # as the server does
            return execute(self.store, viewer or self.owner, payload)

    def data(self, query: str, viewer: Viewer | None = None, **variables: Any) -> Any:
        result = self.run(query, viewer, **variables)
        assert "errors" not in result, result
        return result["data"]

    def snapshot(self, number: int, after: str | None = None) -> dict[str, Any]:
        data = self.data(SNAPSHOT, owner=OWNER, name=REPO, number=number, after=after)
        return data["repository"]["issueOrPullRequest"]


@pytest.fixture
def env() -> Env:
    return Env()


# -- the extension's queries ---------------------------------------------------------


def test_issue_snapshot_of_a_story(env: Env) -> None:
    env.store.add_labels(env.store.issue(env.repo, 4), ["claude-in-progress"])
    snap = env.snapshot(4)
    issue = env.store.issue(env.repo, 4)
    assert snap["__typename"] == "Issue"
    assert snap["id"] == issue.node_id
    assert snap["fullDatabaseId"] == str(issue.id)  # a BigInt: a string
    assert (snap["number"], snap["title"], snap["state"]) == (4, "API endpoints", "OPEN")
    assert snap["stateReason"] is None
    assert snap["url"] == "http://github.localhost/maverick-sandbox/demo/issues/4"
    assert snap["labels"]["nodes"] == [{"name": "claude-in-progress"}]
    assert snap["blockedBy"]["nodes"] == [{"number": 3}]
    assert snap["comments"] == {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}


def test_snapshot_of_the_epic_lists_sub_issues_in_order(env: Env) -> None:
    env.store.update_issue(env.store.issue(env.repo, 3), env.owner, state="closed")
    subs = env.snapshot(1)["subIssues"]["nodes"]
    assert [s["number"] for s in subs] == [2, 3, 4, 5, 6, 7]
    assert subs[1] == {"number": 3, "title": "Database schema", "state": "CLOSED"}


def test_snapshot_of_a_pull_request_gives_its_typename(env: Env) -> None:
    pull = env.store.create_pull(env.repo, env.owner, "Story 2", "story-2", "main")
    assert env.snapshot(pull.number) == {"__typename": "PullRequest", "number": pull.number}


def test_comments_paginate_past_100_with_outsider_association(env: Env) -> None:
    issue = env.store.issue(env.repo, 2)
    for n in range(150):
        viewer = env.outsider if n == 120 else env.owner
        env.store.add_comment(issue, viewer, f"comment {n}")
    first = env.snapshot(2)["comments"]
    assert len(first["nodes"]) == 100 and first["pageInfo"]["hasNextPage"]
    second = env.snapshot(2, after=first["pageInfo"]["endCursor"])["comments"]
    assert not second["pageInfo"]["hasNextPage"]
    nodes = first["nodes"] + second["nodes"]
    assert [c["body"] for c in nodes] == [f"comment {n}" for n in range(150)]
    assert [int(c["fullDatabaseId"]) for c in nodes] == [c.id for c in issue.comments]
    assert int(nodes[0]["fullDatabaseId"]) > 2**32  # GitHub-sized ids
    assert nodes[120]["authorAssociation"] == "NONE"
    assert nodes[120]["author"] == {"login": "drive-by"}
    assert {c["authorAssociation"] for i, c in enumerate(nodes) if i != 120} == {"OWNER"}
    assert nodes[0]["createdAt"].endswith("Z")


def test_new_comments_respect_the_visibility_delay(env: Env) -> None:
    issue = env.store.issue(env.repo, 2)
    env.store.faults.update(visibility_delay_ms=5000)
    env.store.add_comment(issue, env.owner, "late")
    assert env.snapshot(2)["comments"]["nodes"] == []
    env.store.advance_clock(6)
    assert [c["body"] for c in env.snapshot(2)["comments"]["nodes"]] == ["late"]


def test_batched_issues_by_alias_with_a_missing_one(env: Env) -> None:
    query = (
        'query($after: String) { repository(owner: "maverick-sandbox", name: "demo") {'
        f" s2: issue(number: 2) {{ {ISSUE_FIELDS} }}"
        f" s3: issue(number: 3) {{ {ISSUE_FIELDS} }}"
        " s99: issue(number: 99) { number } } }"
    )
    result = env.run(query)
    repo = result["data"]["repository"]
    assert (repo["s2"]["number"], repo["s3"]["number"], repo["s99"]) == (2, 3, None)
    [error] = result["errors"]
    assert error["type"] == "NOT_FOUND"
    assert error["path"] == ["repository", "s99"]
    assert error["message"] == "Could not resolve to an Issue with the number of 99."


def test_nonexistent_issue_is_github_not_found(env: Env) -> None:
    result = env.run(SNAPSHOT, owner=OWNER, name=REPO, number=99)
    assert result["data"] == {
        "viewer": {"login": OWNER},
        "repository": {"issueOrPullRequest": None},
    }
    [error] = result["errors"]
    assert error["type"] == "NOT_FOUND"
    assert error["path"] == ["repository", "issueOrPullRequest"]
    assert error["locations"] == [{"line": 5, "column": 5}]
    assert error["message"] == (
        "Could not resolve to an issue or pull request with the number of 99."
    )


def test_unknown_repository(env: Env) -> None:
    result = env.run('{ repository(owner: "nobody", name: "x") { id } }')
    assert result["data"] == {"repository": None}
    assert result["errors"][0]["message"] == (
        "Could not resolve to a Repository with the name 'nobody/x'."
    )


def test_unknown_field_is_a_validation_error_without_data(env: Env) -> None:
    result = env.run('{ repository(owner: "o", name: "r") { issue(number: 1) { bogus } } }')
    assert "data" not in result
    [error] = result["errors"]
    assert error["message"] == "Field 'bogus' doesn't exist on type 'Issue'"
    assert error["extensions"] == {
        "code": "undefinedField",
        "typeName": "Issue",
        "fieldName": "bogus",
    }


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "A query attribute must be specified and must be a string."),
        ({"query": 5}, "A query attribute must be specified and must be a string."),
        ({"query": "{ viewer { login }"}, "Syntax Error"),
        ({"query": "{ viewer { login } }", "variables": [1]}, "Variables are invalid JSON."),
    ],
)
def test_malformed_requests_answer_errors(env: Env, payload: Any, message: str) -> None:
    result = execute(env.store, env.owner, payload)
    assert message in result["errors"][0]["message"]


def test_variables_may_arrive_json_encoded(env: Env) -> None:
    payload = {
        "query": 'query($n: Int!) { repository(owner: "maverick-sandbox", name: '
        '"demo") { issue(number: $n) { title } } }',
        "variables": '{"n": 2}',
    }
    result = execute(env.store, env.owner, payload)
    assert result["data"]["repository"]["issue"]["title"] == "Config loader"


def test_resolver_bug_answers_an_error_instead_of_raising(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: Any) -> list[Any]:
        raise RuntimeError("bug")

    monkeypatch.setattr(env.store, "visible_comments", boom)
    result = env.run(SNAPSHOT, owner=OWNER, name=REPO, number=2)
    assert result["errors"][0]["message"].startswith("Something went wrong")
    assert result["errors"][0]["path"][-1] == "comments"


def test_pagination_limits_like_github(env: Env) -> None:
    q = '{ repository(owner: "maverick-sandbox", name: "demo") { issue(number: 2) { %s } } }'
    too_many = env.run(q % "comments(first: 101) { nodes { id } }")
    assert too_many["errors"][0]["type"] == "EXCESSIVE_PAGINATION"
    unbounded = env.run(q % "comments { nodes { id } }")
    assert unbounded["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"
    assert env.data(q % "comments { totalCount }")["repository"]["issue"]["comments"] == {
        "totalCount": 0
    }


def test_edges_and_total_count(env: Env) -> None:
    data = env.data(
        '{ repository(owner: "maverick-sandbox", name: "demo") { issue(number: 1) {'
        " subIssues(first: 2) { totalCount edges { cursor node { number } } } } } }"
    )
    subs = data["repository"]["issue"]["subIssues"]
    assert subs["totalCount"] == 6
    assert [e["node"]["number"] for e in subs["edges"]] == [2, 3]
    assert all(e["cursor"] for e in subs["edges"])


# -- pull requests ---------------------------------------------------------------------

PULLS = """
query($head: String) { repository(owner: "maverick-sandbox", name: "demo") {
  pullRequests(states: [OPEN], first: 100, headRefName: $head) {
    nodes { number headRefName baseRefName state merged mergedAt url }
  }
} }"""


def test_open_pull_requests_by_head(env: Env) -> None:
    a = env.store.create_pull(env.repo, env.owner, "A", "story-2", "main", body="Fixes #2")
    env.store.create_pull(env.repo, env.owner, "B", "story-3", "main")
    nodes = env.data(PULLS, head="story-2")["repository"]["pullRequests"]["nodes"]
    assert nodes == [
        {
            "number": a.number,
            "headRefName": "story-2",
            "baseRefName": "main",
            "state": "OPEN",
            "merged": False,
            "mergedAt": None,
            "url": f"http://github.localhost/maverick-sandbox/demo/pull/{a.number}",
        }
    ]
    assert len(env.data(PULLS)["repository"]["pullRequests"]["nodes"]) == 2


def test_merged_pull_request_and_closing_references(env: Env) -> None:
    merged = env.store.create_pull(env.repo, env.owner, "A", "story-2", "main", body="Closes #2")
    env.store.merge_pull(merged, env.owner)
    abandoned = env.store.create_pull(env.repo, env.owner, "B", "story-2b", "main", body="fixes #2")
    env.store.update_pull(abandoned, env.owner, state="closed")
    env.store.create_ref(env.repo, "refs/heads/epic", env.repo.refs["refs/heads/main"])
    # Keywords only link PRs into the default branch, as on GitHub.
    env.store.create_pull(env.repo, env.owner, "C", "story-2c", "epic", body="Closes #2")
    pr = env.data(
        'query($n: Int!) { repository(owner: "maverick-sandbox", name: "demo") {'
        " pullRequest(number: $n) { state merged mergedAt mergeCommit { oid } } } }",
        n=merged.number,
    )["repository"]["pullRequest"]
    assert pr["state"] == "MERGED" and pr["merged"] and pr["mergedAt"].endswith("Z")
    assert pr["mergeCommit"]["oid"] == merged.merge_commit_sha
    everything = env.snapshot(2)["closedByPullRequestsReferences"]["nodes"]
    assert [(p["number"], p["state"]) for p in everything] == [
        (merged.number, "MERGED"),
        (abandoned.number, "CLOSED"),
    ]
    default = env.data(
        '{ repository(owner: "maverick-sandbox", name: "demo") { issue(number: 2) {'
        " closedByPullRequestsReferences(first: 10) { nodes { number } } } } }"
    )["repository"]["issue"]["closedByPullRequestsReferences"]["nodes"]
    # includeClosedPrs=false drops closed-unmerged PRs but keeps merged ones.
    assert default == [{"number": merged.number}]


def test_missing_pull_request(env: Env) -> None:
    result = env.run(
        '{ repository(owner: "maverick-sandbox", name: "demo") {'
        " pullRequest(number: 2) { number } } }"
    )
    assert result["errors"][0]["message"] == (
        "Could not resolve to a PullRequest with the number of 2."
    )


# -- mutations -------------------------------------------------------------------------


def test_add_comment_goes_through_the_store(env: Env) -> None:
    issue = env.store.issue(env.repo, 2)
    before = issue.updated_at
    env.store.advance_clock(5)
    data = env.data(
        'mutation($id: ID!) { addComment(input: {subjectId: $id, body: "hi",'
        ' clientMutationId: "m1"}) { clientMutationId'
        " commentEdge { node { fullDatabaseId body url authorAssociation } } } }",
        id=issue.node_id,
    )["addComment"]
    [comment] = issue.comments
    assert data["clientMutationId"] == "m1"
    assert data["commentEdge"]["node"] == {
        "fullDatabaseId": str(comment.id),
        "body": "hi",
        "url": f"http://github.localhost/maverick-sandbox/demo/issues/2#issuecomment-{comment.id}",
        "authorAssociation": "OWNER",
    }
    assert issue.updated_at > before


def test_labels_are_added_and_removed_by_node_id(env: Env) -> None:
    issue = env.store.issue(env.repo, 8)
    label = env.store.create_label(env.repo, "blocked-by:#4", "ededed")
    bug = env.repo.labels["bug"]
    env.data(
        "mutation($i: ID!, $l: [ID!]!) { addLabelsToLabelable(input: {labelableId: $i,"
        " labelIds: $l}) { labelable { ... on Issue { number } } } }",
        i=issue.node_id,
        l=[label.node_id],
    )
    assert [lb.name for lb in issue.labels] == ["bug", "blocked-by:#4"]
    remove = (
        "mutation($i: ID!, $l: [ID!]!) { removeLabelsFromLabelable(input: {labelableId: $i,"
        " labelIds: $l}) { __typename } }"
    )
    env.data(remove, i=issue.node_id, l=[bug.node_id])
    env.data(remove, i=issue.node_id, l=[bug.node_id])  # not present: a no-op
    assert [lb.name for lb in issue.labels] == ["blocked-by:#4"]


def test_label_from_another_repository_is_not_found(env: Env) -> None:
    other = env.store.create_repo(OWNER, "other")
    issue = env.store.issue(env.repo, 8)
    result = env.run(
        "mutation($i: ID!, $l: [ID!]!) { addLabelsToLabelable(input: {labelableId: $i,"
        " labelIds: $l}) { __typename } }",
        i=issue.node_id,
        l=[other.labels["bug"].node_id],
    )
    assert result["errors"][0]["type"] == "NOT_FOUND"


def test_close_with_reason_and_reopen(env: Env) -> None:
    issue = env.store.issue(env.repo, 5)
    close = env.data(
        "mutation($id: ID!) { closeIssue(input: {issueId: $id, stateReason: NOT_PLANNED})"
        " { issue { state stateReason closed closedAt } } }",
        id=issue.node_id,
    )["closeIssue"]["issue"]
    assert (close["state"], close["stateReason"], close["closed"]) == (
        "CLOSED",
        "NOT_PLANNED",
        True,
    )
    assert issue.state == "closed" and issue.state_reason == "not_planned"
    reopened = env.data(
        "mutation($id: ID!) { reopenIssue(input: {issueId: $id}) { issue { state stateReason } } }",
        id=issue.node_id,
    )["reopenIssue"]["issue"]
    assert reopened == {"state": "OPEN", "stateReason": "REOPENED"}


def test_update_pull_request_base(env: Env) -> None:
    pull = env.store.create_pull(env.repo, env.owner, "A", "story-2", "main")
    env.store.create_ref(env.repo, "refs/heads/epic", env.repo.refs["refs/heads/main"])
    data = env.data(
        "mutation($id: ID!) { updatePullRequest(input: {pullRequestId: $id,"
        ' baseRefName: "epic"}) { pullRequest { baseRefName } } }',
        id=pull.node_id,
    )
    assert data["updatePullRequest"]["pullRequest"] == {"baseRefName": "epic"}
    assert pull.base_ref == "epic"
    bad = env.run(
        "mutation($id: ID!) { updatePullRequest(input: {pullRequestId: $id,"
        ' baseRefName: "nope"}) { __typename } }',
        id=pull.node_id,
    )
    assert bad["errors"][0]["type"] == "UNPROCESSABLE"


def test_create_label_and_duplicate(env: Env) -> None:
    q = (
        'mutation($r: ID!) { createLabel(input: {repositoryId: $r, name: "needs-human",'
        ' color: "ff0000"}) { label { name color } } }'
    )
    result = env.run(q, r=env.repo.node_id)
    assert result["errors"][0] == {
        "type": "UNPROCESSABLE",
        "path": ["createLabel"],
        "locations": [{"line": 1, "column": 21}],
        "message": "Name has already been taken",
    }


def test_sub_issues_and_dependencies(env: Env) -> None:
    parent, child, blocker = (env.store.issue(env.repo, n) for n in (8, 2, 3))
    env.data(
        "mutation($p: ID!, $c: ID!) { addSubIssue(input: {issueId: $p, subIssueId: $c,"
        " replaceParent: true}) { issue { number } subIssue { number } } }",
        p=parent.node_id,
        c=child.node_id,
    )
    assert child.parent is parent
    env.data(
        "mutation($i: ID!, $b: ID!) { addBlockedBy(input: {issueId: $i, blockingIssueId: $b})"
        " { issue { blockedBy(first: 5) { nodes { number } } } } }",
        i=parent.node_id,
        b=blocker.node_id,
    )
    assert parent.blocked_by == [blocker]


def test_unknown_node_id(env: Env) -> None:
    result = env.run(
        'mutation { addComment(input: {subjectId: "I_nope", body: "x"}) { __typename } }'
    )
    assert result["errors"][0]["type"] == "NOT_FOUND"
    assert "I_nope" in result["errors"][0]["message"]


# -- what gh probes --------------------------------------------------------------------


def test_search_type_probe_and_introspection(env: Env) -> None:
    probe = env.data(
        'query SearchType_enumValues{SearchType: __type(name: "SearchType")'
        "{enumValues(includeDeprecated: true){name}}}"
    )
    assert {"name": "ISSUE"} in probe["SearchType"]["enumValues"]
    schema = env.data("{ __schema { queryType { name } mutationType { name } } }")
    assert schema["__schema"] == {
        "queryType": {"name": "Query"},
        "mutationType": {"name": "Mutation"},
    }


def test_issue_search_with_labels(env: Env) -> None:
    env.store.add_labels(env.store.issue(env.repo, 3), ["needs-human"])
    data = env.data(
        "query($q: String!) { search(type: ISSUE, last: 30, query: $q) { issueCount"
        " nodes { ... on Issue { number } } } }",
        q='label:"needs-human" repo:maverick-sandbox/demo state:open type:issue',
    )
    assert data["search"] == {"issueCount": 1, "nodes": [{"number": 3}]}


def test_node_lookup(env: Env) -> None:
    issue = env.store.issue(env.repo, 2)
    data = env.data(
        "query($id: ID!) { node(id: $id) { __typename ... on Issue { number } } }", id=issue.node_id
    )
    assert data["node"] == {"__typename": "Issue", "number": 2}


def test_pull_request_head_follows_its_branch(env: Env) -> None:
    pull = env.store.create_pull(env.repo, env.owner, "A", "story-2", "main")
    pushed = env.store.create_commit(env.repo, (pull.head_sha,))
    env.store.update_ref(env.repo, "heads/story-2", pushed)
    pr = env.data(
        'query($n: Int!) { repository(owner: "maverick-sandbox", name: "demo") {'
        " pullRequest(number: $n) { headRefOid commits(first: 10) { totalCount } } } }",
        n=pull.number,
    )["repository"]["pullRequest"]
    assert pr == {"headRefOid": pushed, "commits": {"totalCount": 2}}


def test_graphql_core_is_imported_only_on_first_request() -> None:
    code = (
        "import sys, maverick_ext.emulator.server, maverick_ext.emulator.graphql\n"
        "assert 'graphql' not in sys.modules, 'graphql-core imported eagerly'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- fields that are a table row (graphql/fields.py), not a function -------------------


def test_table_fields_read_the_renamed_attributes_and_fixed_answers(env: Env) -> None:
    pull = env.store.create_pull(env.repo, env.owner, "Story 2", "story-2", "main", draft=True)
    env.store.add_comment(pull.issue, env.owner, "looks good")
    data = env.data(
        """query($owner: String!, $name: String!, $number: Int!) {
          repository(owner: $owner, name: $name) {
            nameWithOwner isPrivate hasIssuesEnabled stargazerCount viewerDefaultMergeMethod
            label(name: "bug") { isDefault }
            pullRequest(number: $number) {
              title author { login } authorAssociation createdAt headRefName baseRefName isDraft
              headRepositoryOwner { login } repository { name } milestone { title } reactionGroups { content }
              comments(first: 1) { nodes { author { login } pullRequest { number } isMinimized } }
            }
          }
        }""",
        owner=OWNER,
        name=REPO,
        number=pull.number,
    )["repository"]
    assert (data["nameWithOwner"], data["isPrivate"]) == (f"{OWNER}/{REPO}", False)
    assert (data["hasIssuesEnabled"], data["stargazerCount"]) == (True, 0)
    assert data["viewerDefaultMergeMethod"] == "MERGE"
    assert data["label"] == {"isDefault": True}
    pr = data["pullRequest"]
    assert (pr["title"], pr["author"], pr["authorAssociation"]) == (
        "Story 2",
        {"login": OWNER},
        "OWNER",
    )
    assert pr["createdAt"].endswith("Z")
    assert (pr["headRefName"], pr["baseRefName"], pr["isDraft"]) == ("story-2", "main", True)
    assert pr["headRepositoryOwner"] == {"login": OWNER} and pr["repository"] == {"name": REPO}
    assert (pr["milestone"], pr["reactionGroups"]) == (None, [])
    comment = pr["comments"]["nodes"][0]
    assert comment == {
        "author": {"login": OWNER},
        "pullRequest": {"number": pull.number},
        "isMinimized": False,
    }


def test_a_table_row_for_a_field_with_a_resolver_fails_the_build(monkeypatch) -> None:
    from maverick_ext.emulator.graphql import engine
    from maverick_ext.emulator.graphql.fields import FIELDS, Fixed

    monkeypatch.setitem(FIELDS, "Issue", {**FIELDS["Issue"], "body": Fixed("")})  # i_body exists
    engine.schema.cache_clear()
    try:
        with pytest.raises(AssertionError, match=r"Issue\.body twice"):
            engine.schema()
    finally:
        monkeypatch.undo()
        engine.schema.cache_clear()
