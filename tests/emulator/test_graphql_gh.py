"""The real gh's porcelain against the emulator's GraphQL endpoint (and REST where gh uses it)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.emulator.store import Pull

from .conftest import REPO as REST_REPO
from .conftest import Client
from .test_graphql_execute import SNAPSHOT

pytestmark = pytest.mark.e2e

Gh = Callable[..., subprocess.CompletedProcess[str]]


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def ops(emu: Emulator) -> list[str | None]:
    return [e.operation for e in emu.request_log if e.path == "/graphql"]


def _pull(emu: Emulator, head: str = "story-2", body: str = "Closes #2") -> Pull:
    store = emu.store
    with store.lock:
        repo = store.repo(OWNER, REPO)
        owner = store.identify(f"as:{OWNER}:OWNER")
        store.create_ref(repo, "refs/heads/epic", repo.refs["refs/heads/main"])
        return store.create_pull(repo, owner, "Story 2", head, "main", body=body)


def test_issue_view_json(gh: Gh, client: Client, emu: Emulator) -> None:
    client.post(f"{REST_REPO}/issues/2/comments", {"body": "first"})
    client.post(f"{REST_REPO}/issues/2/labels", {"labels": ["needs-human"]})
    out = json.loads(ok(gh("issue", "view", "2", "--json", "title,labels,comments")))
    assert out["title"] == "Config loader"
    assert [lb["name"] for lb in out["labels"]] == ["needs-human"]
    [comment] = out["comments"]
    assert comment["body"] == "first" and comment["authorAssociation"] == "OWNER"
    assert ops(emu) == ["IssueByNumber"]


def test_issue_view_human_output_shows_relations(gh: Gh) -> None:
    out = ok(gh("issue", "view", "4"))
    assert "API endpoints" in out
    assert "parent:\tmaverick-sandbox/demo#1" in out


def test_issue_edit_labels_visible_over_rest(gh: Gh, client: Client) -> None:
    # gh resolves label names to ids first, so the label must exist (as on GitHub).
    client.post(f"{REST_REPO}/labels", {"name": "blocked-by:#4", "color": "ededed"})
    client.post(f"{REST_REPO}/issues/2/labels", {"labels": ["needs-human"]})
    ok(gh("issue", "edit", "2", "--add-label", "blocked-by:#4", "--remove-label", "needs-human"))
    labels = client.get(f"{REST_REPO}/issues/2/labels").json
    assert [lb["name"] for lb in labels] == ["blocked-by:#4"]


def test_issue_edit_with_a_missing_label_fails_like_github(gh: Gh) -> None:
    result = gh("issue", "edit", "2", "--add-label", "no-such-label")
    assert result.returncode == 1
    assert "'no-such-label' not found" in result.stderr


def test_issue_edit_title_and_body(gh: Gh, client: Client) -> None:
    ok(gh("issue", "edit", "8", "--title", "New title", "--body", "New body"))
    issue = client.get(f"{REST_REPO}/issues/8").json
    assert (issue["title"], issue["body"]) == ("New title", "New body")


def test_issue_comment(gh: Gh, client: Client) -> None:
    url = ok(gh("issue", "comment", "2", "--body", "hello from gh")).strip()
    [comment] = client.get(f"{REST_REPO}/issues/2/comments").json
    assert comment["body"] == "hello from gh"
    assert url == comment["html_url"]


def test_issue_close_with_comment_and_reason(gh: Gh, client: Client) -> None:
    ok(gh("issue", "close", "2", "--comment", "done"))
    issue = client.get(f"{REST_REPO}/issues/2").json
    assert (issue["state"], issue["state_reason"]) == ("closed", "completed")
    assert [c["body"] for c in client.get(f"{REST_REPO}/issues/2/comments").json] == ["done"]
    ok(gh("issue", "close", "3", "--reason", "not planned"))
    assert client.get(f"{REST_REPO}/issues/3").json["state_reason"] == "not_planned"
    ok(gh("issue", "reopen", "3"))
    assert client.get(f"{REST_REPO}/issues/3").json["state"] == "open"


def test_issue_list_and_label_filter(gh: Gh, client: Client) -> None:
    listed = json.loads(ok(gh("issue", "list", "--json", "number,state", "--state", "all")))
    assert [i["number"] for i in listed] == [8, 7, 6, 5, 4, 3, 2, 1]
    client.post(f"{REST_REPO}/issues/5/labels", {"labels": ["claude-in-progress"]})
    # --label goes through search (after gh probes SearchType by introspection).
    out = ok(gh("issue", "list", "--label", "claude-in-progress"))
    assert out.split("\t")[0] == "5" and len(out.strip().splitlines()) == 1


def test_label_create_and_list(gh: Gh) -> None:
    ok(gh("label", "create", "merged-to-epic", "--color", "0e8a16", "--description", "d"))
    listed = json.loads(ok(gh("label", "list", "--json", "name,color", "--limit", "100")))
    assert {"name": "merged-to-epic", "color": "0e8a16"} in listed


def test_repo_view(gh: Gh) -> None:
    out = json.loads(ok(gh("repo", "view", f"{OWNER}/{REPO}", "--json", "nameWithOwner")))
    assert out == {"nameWithOwner": f"{OWNER}/{REPO}"}
    assert "gh-maverick sandbox repository" in ok(gh("repo", "view", f"{OWNER}/{REPO}"))


def test_pr_view_list_and_edit_base(gh: Gh, client: Client, emu: Emulator) -> None:
    pull = _pull(emu)
    n = str(pull.number)
    assert "Story 2" in ok(gh("pr", "view", n))
    listed = json.loads(ok(gh("pr", "list", "--json", "number,headRefName,baseRefName")))
    assert listed == [{"number": pull.number, "headRefName": "story-2", "baseRefName": "main"}]
    ok(gh("pr", "edit", n, "--base", "epic"))
    assert client.get(f"{REST_REPO}/pulls/{n}").json["base"]["ref"] == "epic"
    fields = "number,state,baseRefName,headRefName,commits,closingIssuesReferences,mergeable"
    view = json.loads(ok(gh("pr", "view", n, "--json", fields)))
    assert (view["state"], view["baseRefName"], view["mergeable"]) == ("OPEN", "epic", "MERGEABLE")
    assert len(view["commits"]) == 1
    # Retargeted away from the default branch, the closing keyword no longer links.
    assert view["closingIssuesReferences"] == []


def test_pr_view_by_branch_and_merged_list(gh: Gh, emu: Emulator) -> None:
    pull = _pull(emu)
    url = ok(gh("pr", "view", "story-2", "--json", "url", "-q", ".url")).strip()
    assert url.endswith(f"/pull/{pull.number}")
    with emu.store.lock:
        emu.store.merge_pull(pull, emu.store.identify(f"as:{OWNER}:OWNER"))
    merged = json.loads(ok(gh("pr", "list", "--state", "merged", "--json", "number,state")))
    assert merged == [{"number": pull.number, "state": "MERGED"}]
    closed = json.loads(ok(gh("issue", "view", "2", "--json", "closedByPullRequestsReferences")))
    assert [p["number"] for p in closed["closedByPullRequestsReferences"]] == [pull.number]


def test_issue_create_with_label_and_parent(gh: Gh, client: Client) -> None:
    # gh 2.x sends CreateIssueInput.projectIds (null) with every create.
    url = ok(gh("issue", "create", "--title", "New story", "--body", "b", "--label", "bug"))
    number = int(url.strip().rsplit("/", 1)[1])
    issue = client.get(f"{REST_REPO}/issues/{number}").json
    assert (issue["title"], [lb["name"] for lb in issue["labels"]]) == ("New story", ["bug"])


def test_pr_create_then_merge(gh: Gh, client: Client, emu: Emulator) -> None:
    with emu.store.lock:
        repo = emu.store.repo(OWNER, REPO)
        emu.store.create_ref(repo, "refs/heads/feat", repo.refs["refs/heads/main"])
    url = ok(gh("pr", "create", "--title", "Feat", "--body", "Closes #8", "--head", "feat"))
    number = url.strip().rsplit("/", 1)[1]
    assert client.get(f"{REST_REPO}/pulls/{number}").json["base"]["ref"] == "main"
    ok(gh("pr", "merge", number, "--squash"))
    pull = client.get(f"{REST_REPO}/pulls/{number}").json
    assert (pull["merged"], pull["state"]) == (True, "closed")
    again = gh("pr", "merge", number, "--merge")
    assert "already merged" in again.stderr


def test_issue_close_reopen_and_comment(gh: Gh, client: Client) -> None:
    ok(gh("issue", "comment", "8", "--body", "on it"))
    ok(gh("issue", "close", "8"))
    assert client.get(f"{REST_REPO}/issues/8").json["state"] == "closed"
    ok(gh("issue", "reopen", "8"))
    assert client.get(f"{REST_REPO}/issues/8").json["state"] == "open"


def _api_graphql(gh: Gh, query: str, **fields: Any) -> subprocess.CompletedProcess[str]:
    args = ["api", "graphql", "-f", f"query={query}"]
    for name, value in fields.items():
        args += ["-F" if isinstance(value, int) else "-f", f"{name}={value}"]
    return gh(*args)


def test_issue_snapshot_via_gh_api_graphql(gh: Gh, client: Client) -> None:
    client.post(f"{REST_REPO}/issues/4/comments", {"body": "from the owner"})
    outsider = client.as_("as:drive-by:NONE")
    outsider.post(f"{REST_REPO}/issues/4/comments", {"body": "```maverick-claim\n{}\n```"})
    result = _api_graphql(gh, SNAPSHOT, owner=OWNER, name=REPO, number=4)
    snap = json.loads(ok(result))["data"]["repository"]["issueOrPullRequest"]
    assert snap["blockedBy"]["nodes"] == [{"number": 3}]
    assert [c["authorAssociation"] for c in snap["comments"]["nodes"]] == ["OWNER", "NONE"]
    rest_ids = [c["id"] for c in client.get(f"{REST_REPO}/issues/4/comments").json]
    assert [int(c["fullDatabaseId"]) for c in snap["comments"]["nodes"]] == rest_ids


def test_unknown_field_fails_through_gh(gh: Gh) -> None:
    result = _api_graphql(gh, "{ viewer { login bogus } }")
    assert result.returncode == 1
    assert "Field 'bogus' doesn't exist on type 'User'" in result.stderr


def test_nonexistent_issue_through_gh(gh: Gh) -> None:
    result = gh("issue", "view", "99")
    assert result.returncode == 1
    assert "Could not resolve to an issue or pull request with the number of 99" in result.stderr


def test_gh_api_graphql_paginate_walks_all_comments(gh: Gh, emu: Emulator) -> None:
    with emu.store.lock:
        issue = emu.store.issue(emu.store.repo(OWNER, REPO), 2)
        viewer = emu.store.identify(f"as:{OWNER}:OWNER")
        for n in range(230):
            emu.store.add_comment(issue, viewer, f"c{n}")
    query = (
        'query($endCursor: String) { repository(owner: "maverick-sandbox", name: "demo") {'
        " issue(number: 2) { comments(first: 100, after: $endCursor) {"
        " nodes { body } pageInfo { hasNextPage endCursor } } } } }"
    )
    result = gh(
        "api",
        "graphql",
        "--paginate",
        "-f",
        f"query={query}",
        "--jq",
        ".data.repository.issue.comments.nodes[].body",
    )
    assert ok(result).split() == [f"c{n}" for n in range(230)]
    assert len(ops(emu)) == 3  # one request per page of 100
