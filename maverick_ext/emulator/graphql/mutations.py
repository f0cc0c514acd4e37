"""Mutation resolvers: each one resolves its node ids, then calls one Store method."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from maverick_ext.emulator import permissions
from maverick_ext.emulator.graphql.connection import encode_cursor
from maverick_ext.emulator.graphql.resolvers import (
    GitHubError,
    _node,
    as_issue,
    ctx,
    resolves,
    subject,
)
from maverick_ext.emulator.store import (
    Comment,
    Issue,
    Label,
    NotFoundError,
    Pull,
    Repo,
    Store,
    StoreError,
    User,
    ValidationFailed,
)

_PHRASES = {
    "already_exists": "has already been taken",
    "missing_field": "can't be blank",
    "invalid": "is invalid",
}


def _store_error(err: StoreError) -> GitHubError:
    """GitHub's GraphQL wording for what REST would answer with a 4xx status."""
    if isinstance(err, NotFoundError):
        return GitHubError("NOT_FOUND", err.message)
    if isinstance(err, ValidationFailed) and err.errors:
        detail = err.errors[0]
        text = detail.get("message") or (
            f"{detail['field'].replace('_', ' ').capitalize()} "
            f"{_PHRASES.get(detail['code'], detail['code'])}"
        )
        return GitHubError("UNPROCESSABLE", text)
    return GitHubError("FORBIDDEN" if err.status == 403 else "UNPROCESSABLE", err.message)


def mutation(name: str) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., Any]]:
    """Register a mutation: pass its ``input``, echo ``clientMutationId``, map StoreErrors."""

    def register(fn: Callable[..., dict[str, Any]]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def resolve(_: None, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
            try:
                payload = fn(info, input)
            except StoreError as err:
                raise _store_error(err) from None
            return {"clientMutationId": input.get("clientMutationId"), **payload}

        return resolves("Mutation", name)(resolve)

    return register


def _labels_of(info: GraphQLResolveInfo, repo: Repo, ids: list[str] | None) -> list[str]:
    """Label names for node ids, each required to be a label of ``repo``."""
    names = []
    for label_id in ids or ():
        label: Label = _node(info, label_id, Label)
        if repo.labels.get(label.name.lower()) is not label:
            raise GitHubError(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{label_id}'"
            )
        names.append(label.name)
    return names


def _logins(info: GraphQLResolveInfo, ids: list[str] | None) -> list[str] | None:
    return None if ids is None else [_node(info, i, User).login for i in ids]


@mutation("addComment")
def add_comment(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    target = _node(info, input["subjectId"], Issue, Pull)
    c = ctx(info)
    comment = c.store.add_comment(as_issue(target), c.viewer, input["body"])
    return {
        "commentEdge": {"cursor": encode_cursor((comment.id,)), "node": comment},
        "subject": target,
    }


@mutation("addLabelsToLabelable")
def add_labels(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    target = _node(info, input["labelableId"], Issue, Pull)
    issue = as_issue(target)
    permissions.require(ctx(info).viewer, issue.repo, permissions.LABEL)
    ctx(info).store.add_labels(issue, _labels_of(info, issue.repo, input.get("labelIds")))
    return {"labelable": target}


@mutation("removeLabelsFromLabelable")
def remove_labels(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    target = _node(info, input["labelableId"], Issue, Pull)
    issue = as_issue(target)
    permissions.require(ctx(info).viewer, issue.repo, permissions.LABEL)
    present = {lb.name.lower() for lb in issue.labels}
    for name in _labels_of(info, issue.repo, input["labelIds"]):
        # Removing a label the issue does not carry is a no-op in GraphQL (REST says 404).
        if name.lower() in present:
            ctx(info).store.remove_label(issue, name)
    return {"labelable": target}


@mutation("closeIssue")
def close_issue(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    issue = _node(info, input["issueId"], Issue)
    c = ctx(info)
    _may_edit(info, issue)
    reason = (input.get("stateReason") or "COMPLETED").lower()
    return {"issue": c.store.update_issue(issue, c.viewer, state="closed", state_reason=reason)}


@mutation("reopenIssue")
def reopen_issue(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    issue = _node(info, input["issueId"], Issue)
    c = ctx(info)
    _may_edit(info, issue)
    return {"issue": c.store.update_issue(issue, c.viewer, state="open")}


@mutation("updateIssue")
def update_issue(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    issue = _node(info, input["id"], Issue)
    c = ctx(info)
    _may_edit(info, issue, touches_labels=bool({"labelIds", "assigneeIds"} & set(input)))
    labels = input.get("labelIds")
    updated = c.store.update_issue(
        issue,
        c.viewer,
        title=input.get("title"),
        body=input.get("body"),
        state=input["state"].lower() if input.get("state") else None,
        labels=None if labels is None else _labels_of(info, issue.repo, labels),
        assignees=_logins(info, input.get("assigneeIds")),
    )
    return {"issue": updated, "actor": c.viewer.user}


@mutation("createIssue")
def create_issue(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    repo = _node(info, input["repositoryId"], Repo)
    c = ctx(info)
    parent = _node(info, input["parentIssueId"], Issue) if input.get("parentIssueId") else None
    for project_id in input.get("projectIds") or ():
        _node(info, project_id)  # the emulator has no projects: any id is NOT_FOUND
    issue = c.store.create_issue(
        repo,
        c.viewer,
        input["title"],
        input.get("body"),
        labels=_labels_of(info, repo, input.get("labelIds")),
        assignees=_logins(info, input.get("assigneeIds")) or (),
    )
    if parent is not None:
        c.store.add_sub_issue(parent, issue)
    return {"issue": issue}


@mutation("updatePullRequest")
def update_pull(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    pull = _node(info, input["pullRequestId"], Pull)
    c = ctx(info)
    c.store.update_pull(
        pull,
        c.viewer,
        title=input.get("title"),
        body=input.get("body"),
        state=input["state"].lower() if input.get("state") else None,
        base=input.get("baseRefName"),
    )
    labels, assignees = input.get("labelIds"), _logins(info, input.get("assigneeIds"))
    if labels is not None or assignees is not None:
        c.store.update_issue(
            pull.issue,
            c.viewer,
            labels=None if labels is None else _labels_of(info, pull.repo, labels),
            assignees=assignees,
        )
    return {"pullRequest": pull, "actor": c.viewer.user}


@mutation("createPullRequest")
def create_pull(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    repo = _node(info, input["repositoryId"], Repo)
    if input.get("headRepositoryId") and _node(info, input["headRepositoryId"], Repo) is not repo:
        raise GitHubError("UNPROCESSABLE", "The emulator has no forks: head must be in this repo")
    c = ctx(info)
    pull = c.store.create_pull(
        repo,
        c.viewer,
        input["title"],
        input["headRefName"],
        input["baseRefName"],
        input.get("body"),
        draft=bool(input.get("draft")),
    )
    return {"pullRequest": pull}


@mutation("mergePullRequest")
def merge_pull(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    pull = _node(info, input["pullRequestId"], Pull)
    c = ctx(info)
    c.store.merge_pull(
        pull,
        c.viewer,
        merge_method=(input.get("mergeMethod") or "MERGE").lower(),
        sha=input.get("expectedHeadOid"),
    )
    return {"pullRequest": pull, "actor": c.viewer.user}


@mutation("createLabel")
def create_label(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    repo = _node(info, input["repositoryId"], Repo)
    permissions.require(ctx(info).viewer, repo, permissions.CONTENTS)
    label = ctx(info).store.create_label(
        repo, input["name"], input["color"], input.get("description")
    )
    return {"label": label}


def _may_edit(info: GraphQLResolveInfo, issue: Issue, touches_labels: bool = False) -> None:
    """An author may edit their own issue; anything else needs triage."""
    viewer = ctx(info).viewer
    if issue.user is not viewer.user or touches_labels:
        permissions.require(viewer, issue.repo, permissions.EDIT_ISSUE)


def _comment(info: GraphQLResolveInfo, node_id: str) -> Comment:
    """A comment the viewer may change: their own, or anyone's with write access."""
    comment = _node(info, node_id, Comment)
    viewer = ctx(info).viewer
    if comment.user is not viewer.user:
        permissions.require(viewer, comment.issue.repo, permissions.EDIT_OTHERS_COMMENT)
    return comment


@mutation("updateIssueComment")
def update_comment(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    comment = _comment(info, input["id"])
    return {"issueComment": ctx(info).store.update_comment(comment, input["body"])}


@mutation("deleteIssueComment")
def delete_comment(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    ctx(info).store.delete_comment(_comment(info, input["id"]))
    return {}


_ISSUE_URL = re.compile(r"/(?P<owner>[^/]+)/(?P<name>[^/]+)/issues/(?P<number>\d+)/?$")


def _issue_by_url(info: GraphQLResolveInfo, url: str) -> Issue:
    m = _ISSUE_URL.search(url)
    store = ctx(info).store
    try:
        if m is None:
            raise NotFoundError()
        return store.issue(store.repo(m["owner"], m["name"]), int(m["number"]))
    except NotFoundError:
        raise GitHubError(
            "NOT_FOUND", f"Could not resolve to an Issue with the URL of '{url}'."
        ) from None


@mutation("addSubIssue")
def add_sub_issue(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    parent = _node(info, input["issueId"], Issue)
    if input.get("subIssueId"):
        child = _node(info, input["subIssueId"], Issue)
    elif input.get("subIssueUrl"):
        child = _issue_by_url(info, input["subIssueUrl"])
    else:
        raise GitHubError("UNPROCESSABLE", "Either subIssueId or subIssueUrl is required")
    ctx(info).store.add_sub_issue(parent, child, bool(input.get("replaceParent")))
    return {"issue": parent, "subIssue": subject(child)}


@mutation("removeSubIssue")
def remove_sub_issue(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    parent = _node(info, input["issueId"], Issue)
    child = _node(info, input["subIssueId"], Issue)
    ctx(info).store.remove_sub_issue(parent, child)
    return {"issue": parent, "subIssue": child}


def _blocked_by(
    change_edge: Callable[[Store, Issue, Issue], Issue],
) -> Callable[..., dict[str, Any]]:
    """addBlockedBy / removeBlockedBy: the same input and answer, one Store method each."""

    def change(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
        issue = _node(info, input["issueId"], Issue)
        blocker = _node(info, input["blockingIssueId"], Issue)
        change_edge(ctx(info).store, issue, blocker)
        return {"issue": issue, "blockingIssue": blocker}

    return change


mutation("addBlockedBy")(_blocked_by(Store.add_blocked_by))
mutation("removeBlockedBy")(_blocked_by(Store.remove_blocked_by))
