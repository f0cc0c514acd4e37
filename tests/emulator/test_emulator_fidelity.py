"""Response shapes validated against githubkit's models generated from GitHub's OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest
from githubkit_schemas.latest import models
from pydantic import BaseModel, TypeAdapter

from maverick_ext.emulator import Emulator

from .conftest import REPO, Client


def model(name: str) -> type[BaseModel]:
    """The githubkit model class ``name`` (generated from GitHub's published schema)."""
    return getattr(models, name)


def check(name: str, body: Any, many: bool = False) -> None:
    cls = model(name)
    if many:
        assert isinstance(body, list)
        assert body, f"nothing to validate for {name}"
        TypeAdapter(list[cls]).validate_python(body)  # type: ignore[valid-type]
    else:
        cls.model_validate(body)


def ok(reply: Any, status: int = 200) -> Any:
    assert reply.status == status, reply.raw
    return reply.json


@pytest.fixture
def busy(emu: Emulator, client: Client) -> Client:
    """The demo repo plus a comment, a closed issue, an open and a merged PR, a label."""
    client.post(f"{REPO}/issues/2/comments", {"body": "hello"})
    client.patch(f"{REPO}/issues/8", {"state": "closed", "assignees": ["maverick-sandbox"]})
    client.post(f"{REPO}/pulls", {"title": "open", "head": "a", "base": "main"})
    merged = client.post(f"{REPO}/pulls", {"title": "merged", "head": "b", "base": "main"})
    client.put(f"{REPO}/pulls/{merged.json['number']}/merge", {})
    return client


def test_meta(busy: Client) -> None:
    check("Root", ok(busy.get("/")))
    check("PrivateUser", ok(busy.get("/user")))
    check("PublicUser", ok(busy.get("/users/maverick-sandbox")))
    check("RateLimitOverview", ok(busy.get("/rate_limit")))
    check("FullRepository", ok(busy.get(REPO)))


def test_issues(busy: Client) -> None:
    check("Issue", ok(busy.get(f"{REPO}/issues?state=all&per_page=100")), many=True)
    check("Issue", ok(busy.get(f"{REPO}/issues/8")))
    check("Issue", ok(busy.post(f"{REPO}/issues", {"title": "t"}), 201))
    check("Issue", ok(busy.patch(f"{REPO}/issues/2", {"title": "t2"})))


def test_comments(busy: Client) -> None:
    listed = ok(busy.get(f"{REPO}/issues/2/comments"))
    check("IssueComment", listed, many=True)
    made = ok(busy.post(f"{REPO}/issues/2/comments", {"body": "b"}), 201)
    check("IssueComment", made)
    check("IssueComment", ok(busy.get(f"{REPO}/issues/comments/{made['id']}")))
    check("IssueComment", ok(busy.patch(f"{REPO}/issues/comments/{made['id']}", {"body": "c"})))


def test_labels(busy: Client) -> None:
    check("Label", ok(busy.get(f"{REPO}/labels")), many=True)
    check("Label", ok(busy.post(f"{REPO}/labels", {"name": "n", "color": "ffffff"}), 201))
    check("Label", ok(busy.get(f"{REPO}/labels/n")))
    check("Label", ok(busy.patch(f"{REPO}/labels/n", {"description": "d"})))
    check("Label", ok(busy.post(f"{REPO}/issues/2/labels", {"labels": ["x"]})), many=True)
    check("Label", ok(busy.put(f"{REPO}/issues/2/labels", {"labels": ["y"]})), many=True)
    check("Label", ok(busy.get(f"{REPO}/issues/2/labels")), many=True)


def test_sub_issues_and_dependencies(busy: Client) -> None:
    check("Issue", ok(busy.get(f"{REPO}/issues/1/sub_issues")), many=True)
    check("Issue", ok(busy.get(f"{REPO}/issues/2/parent")))
    eight = ok(busy.get(f"{REPO}/issues/8"))["id"]
    check("Issue", ok(busy.post(f"{REPO}/issues/1/sub_issues", {"sub_issue_id": eight}), 201))
    check("Issue", ok(busy.delete(f"{REPO}/issues/1/sub_issue", {"sub_issue_id": eight})))
    check("Issue", ok(busy.get(f"{REPO}/issues/4/dependencies/blocked_by")), many=True)
    check("Issue", ok(busy.get(f"{REPO}/issues/4/dependencies/blocking")), many=True)
    made = busy.post(f"{REPO}/issues/5/dependencies/blocked_by", {"issue_id": eight})
    check("Issue", ok(made, 201))
    check("Issue", ok(busy.delete(f"{REPO}/issues/5/dependencies/blocked_by/{eight}")))


def test_pulls(busy: Client) -> None:
    check("PullRequestSimple", ok(busy.get(f"{REPO}/pulls?state=all")), many=True)
    for number in (9, 10):
        check("PullRequest", ok(busy.get(f"{REPO}/pulls/{number}")))
    check("PullRequest", ok(busy.patch(f"{REPO}/pulls/9", {"title": "retitled"})))
    check(
        "PullRequest", ok(busy.post(f"{REPO}/pulls", {"title": "c", "head": "c", "base": "a"}), 201)
    )
    check("PullRequestMergeResult", ok(busy.put(f"{REPO}/pulls/9/merge", {})))


def test_collaborator_permission(busy: Client) -> None:
    busy.as_("as:quiet-member:MEMBER").get(REPO)
    for login in ("maverick-sandbox", "quiet-member"):
        check(
            "RepositoryCollaboratorPermission",
            ok(busy.get(f"{REPO}/collaborators/{login}/permission")),
        )


def test_git_refs(busy: Client) -> None:
    main = ok(busy.get(f"{REPO}/git/ref/heads/main"))
    check("GitRef", main)
    check("GitRef", ok(busy.get(f"{REPO}/git/matching-refs/heads")), many=True)
    sha = main["object"]["sha"]
    check("GitRef", ok(busy.post(f"{REPO}/git/refs", {"ref": "refs/heads/z", "sha": sha}), 201))
    check("GitRef", ok(busy.patch(f"{REPO}/git/refs/heads/z", {"sha": sha})))


def test_errors(busy: Client) -> None:
    check("BasicError", busy.get(f"{REPO}/issues/999").json)
    check("ValidationError", busy.post(f"{REPO}/labels", {"name": "bug"}).json)
