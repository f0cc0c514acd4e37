"""What every GraphQL resolver shares: the registry, the request context, type resolution,
connections, URLs and the node lookups of ``Query``.

The fields live by resource (``identity``, ``repos``, ``issues``, ``labels``, ``pulls``,
``comments``, ``git``, ``mutations``); a field that is only a store attribute under another
name, or a fixed answer, is a row of ``fields.FIELDS`` instead of a function. Queries read
the store's dataclasses directly; every write goes through a Store method so GitHub's rules
(labels created on first use, ids, ``updated_at`` bumps, closing) live in one place. PRs are
``Pull`` objects whose issue-side data (number, title, labels, comments) sits on
``pull.issue``; wherever a value may be a PR, ``subject()`` turns an issue into its Pull.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)

from maverick_ext.emulator.graphql.connection import check_bounds, paginate
from maverick_ext.emulator.store import Comment, Issue, Label, Pull, Repo, Store, User, Viewer
from maverick_ext.records import dataclass, field

# gh derives web URLs for GH_HOST=github.localhost as http://github.localhost/ (no TLS).
WEB_BASE = "http://github.localhost"


class GitHubError(Exception):
    """An error GitHub reports in ``errors`` with a ``type`` (NOT_FOUND, UNPROCESSABLE, …)."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message


@dataclass
class Context:
    store: Store
    viewer: Viewer
    # One store-clock reading per request, so every listing in a response agrees on what
    # the visibility-delay fault hides.
    clock: float
    # Other answers read once per request, so a response agrees with itself (a PR's
    # mergeability, which its first reading sets computing: graphql/checks.py).
    readings: dict[Any, Any] = field(default_factory=dict)


Resolver = Callable[..., Any]
RESOLVERS: dict[str, dict[str, Resolver]] = {}


def resolves(type_name: str, *fields: str) -> Callable[[Resolver], Resolver]:
    def register(fn: Resolver) -> Resolver:
        for name in fields:
            RESOLVERS.setdefault(type_name, {})[name] = fn
        return fn

    return register


def ctx(info: GraphQLResolveInfo) -> Context:
    return info.context


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def default_resolver(obj: Any, info: GraphQLResolveInfo, **_: Any) -> Any:
    """Dicts by key; store objects by snake_case attribute, ``id`` being the node id."""
    name = info.field_name
    if isinstance(obj, dict):
        return obj.get(name)
    if name == "id":
        return obj.node_id
    if name == "databaseId":
        return obj.id
    return getattr(obj, _CAMEL.sub("_", name).lower(), None)


# -- type resolution -------------------------------------------------------------------


def typename(obj: Any, *_: Any) -> str:
    """The GraphQL object type of a store object (for interfaces and unions)."""
    if isinstance(obj, dict):
        return obj["__typename"]
    if isinstance(obj, User):
        return obj.type  # "User", "Bot" or "Organization", exactly GitHub's type names
    if isinstance(obj, Issue):
        return "PullRequest" if obj.is_pull else "Issue"
    return {Repo: "Repository", Pull: "PullRequest", Comment: "IssueComment", Label: "Label"}[
        type(obj)
    ]


def subject(issue: Issue) -> Issue | Pull:
    """A PR-backed issue as its Pull (GraphQL's PullRequest), else the issue itself."""
    return issue.pull if issue.pull is not None else issue


def as_issue(obj: Issue | Pull) -> Issue:
    return obj.issue if isinstance(obj, Pull) else obj


# -- connections -----------------------------------------------------------------------


def _selects_items(info: GraphQLResolveInfo) -> bool:
    """Whether the query reads ``nodes``/``edges`` (totalCount alone needs no page size)."""

    def walk(selection_set: SelectionSetNode | None) -> bool:
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode) and sel.name.value in ("nodes", "edges"):
                return True
            if isinstance(sel, InlineFragmentNode) and walk(sel.selection_set):
                return True
            if isinstance(sel, FragmentSpreadNode):
                fragment = info.fragments[sel.name.value]
                if walk(fragment.selection_set):
                    return True
        return False

    return any(walk(node.selection_set) for node in info.field_nodes)


def connection(
    info: GraphQLResolveInfo,
    items: Iterable[Any],
    key: Callable[[Any], tuple[Any, ...]],
    args: dict[str, Any],
    *,
    descending: bool = False,
) -> dict[str, Any]:
    first, last = args.get("first"), args.get("last")
    check_bounds(info.field_name, first, last, required=_selects_items(info))
    return paginate(
        list(items),
        key,
        descending=descending,
        first=first,
        after=args.get("after"),
        last=last,
        before=args.get("before"),
    )


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def by_position(items: list[Any]) -> tuple[list[Any], Callable[[Any], tuple[int]]]:
    """Manual orders (sub-issue priority, dependency lists) page by position."""
    index = {id(item): i for i, item in enumerate(items)}
    return items, lambda item: (index[id(item)],)


def order_issues(issues: list[Issue], order: dict[str, str] | None) -> dict[str, Any]:
    field = (order or {}).get("field", "CREATED_AT")
    descending = (order or {}).get("direction", "ASC") == "DESC"
    sort_key: Callable[[Issue], tuple[int, int]] = {
        "CREATED_AT": lambda i: (epoch(i.created_at), i.number),
        "UPDATED_AT": lambda i: (epoch(i.updated_at), i.number),
        "COMMENTS": lambda i: (len(i.comments), i.number),
    }[field]
    return {
        "items": sorted(issues, key=sort_key, reverse=descending),
        "key": sort_key,
        "descending": descending,
    }


# -- URLs ------------------------------------------------------------------------------


def repo_path(repo: Repo) -> str:
    return f"/{repo.owner.login}/{repo.name}"


def issue_path(issue: Issue) -> str:
    kind = "pull" if issue.is_pull else "issues"
    return f"{repo_path(issue.repo)}/{kind}/{issue.number}"


def avatar_url(user: User) -> str:
    return f"{WEB_BASE}/avatars/u/{user.id}?v=4"


# -- Query -----------------------------------------------------------------------------


def _node(info: GraphQLResolveInfo, node_id: str, *kinds: type) -> Any:
    obj = ctx(info).store.node(node_id)
    if isinstance(obj, Issue) and obj.pull is not None:
        obj = obj.pull
    if obj is None or (kinds and not isinstance(obj, kinds)):
        raise GitHubError(
            "NOT_FOUND", f"Could not resolve to a node with the global id of '{node_id}'"
        )
    return obj


@resolves("Query", "node")
def q_node(_: None, info: GraphQLResolveInfo, id: str) -> Any:
    return _node(info, id)


@resolves("Query", "nodes")
def q_nodes(_: None, info: GraphQLResolveInfo, ids: list[str]) -> list[Any]:
    return [ctx(info).store.node(i) for i in ids]


@resolves("Query", "rateLimit")
def q_rate_limit(_: None, info: GraphQLResolveInfo, **__: Any) -> dict[str, Any]:
    reset = ctx(info).store.now() + timedelta(hours=1)
    return {
        "cost": 1,
        "limit": 5000,
        "nodeCount": 0,
        "remaining": 4999,
        "resetAt": reset,
        "used": 1,
    }


def pr_state(pull: Pull) -> str:
    if pull.merged:
        return "MERGED"
    return "OPEN" if pull.issue.state == "open" else "CLOSED"
