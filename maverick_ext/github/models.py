"""What we read from GitHub's GraphQL/REST answers, in one snake_case vocabulary.

Plain dataclasses built by explicit constructors (``from_graphql``, ``from_rest``) rather
than pydantic models: the shape is the one our own query asked GitHub's typed schema for
(the emulator's fidelity tests check it against the published schema), and every `read`,
`guard`, `heartbeat` and `epic next` builds these, where importing pydantic would cost more
than the `gh api` call (docs/ARCHITECTURE.md, Dependencies). An answer missing a field the
schema promises is still reported, as one line (``MalformedAnswer``), not a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from maverick_ext.errors import GitHubUnavailable
from maverick_ext.records import dataclass, field

T = TypeVar("T")


class MalformedAnswer(GitHubUnavailable):
    """GitHub's answer lacked a field our query selected: treated like a transient failure
    (re-read later), never as data."""


def _built(kind: str, build: Callable[[], T]) -> T:
    try:
        return build()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedAnswer(
            f"GitHub's answer for {kind} lacks an expected field ({type(exc).__name__}: {exc})",
            "retry; if it persists, run with --debug and report it",
        ) from None


def _graphql_login(author: dict[str, Any] | None) -> str | None:
    """GraphQL drops an App's ``[bot]`` suffix that REST and ``viewer.login`` keep: put it
    back so one account has one spelling here (``core.trust.login_key`` compares anyway)."""
    if not author or author.get("login") is None:
        return None
    login = str(author["login"])
    if author.get("__typename") == "Bot" and not login.endswith("[bot]"):
        login += "[bot]"
    return login


@dataclass
class Comment:
    id: int
    created_at: str
    updated_at: str
    body: str = ""
    author: str | None = None
    author_association: str = "NONE"
    node_id: str | None = None

    @classmethod
    def from_graphql(cls, node: dict[str, Any]) -> Comment:
        return _built(
            "a comment",
            lambda: cls(
                # ``databaseId`` is a 32-bit Int that comment ids outgrew in 2024; the BigInt
                # ``fullDatabaseId`` arrives as a JSON string.
                id=int(node["fullDatabaseId"]),
                node_id=node.get("id"),
                body=node.get("body") or "",
                created_at=str(node["createdAt"]),
                updated_at=str(node["updatedAt"]),
                author=_graphql_login(node.get("author")),
                author_association=node.get("authorAssociation") or "NONE",
            ),
        )

    @classmethod
    def from_rest(cls, data: dict[str, Any]) -> Comment:
        return _built(
            "a comment",
            lambda: cls(
                id=int(data["id"]),
                body=data.get("body") or "",
                created_at=str(data["created_at"]),
                updated_at=str(data["updated_at"]),
                author=(data.get("user") or {}).get("login"),
                author_association=data.get("author_association") or "NONE",
                node_id=data.get("node_id"),
            ),
        )


@dataclass
class PullRef:
    number: int
    state: str  # OPEN | CLOSED | MERGED
    merged: bool = False
    url: str | None = None
    head_ref: str | None = None
    base_ref: str | None = None

    @classmethod
    def from_graphql(cls, node: dict[str, Any]) -> PullRef:
        return cls(
            number=int(node["number"]),
            state=str(node["state"]),
            merged=bool(node.get("merged")),
            url=node.get("url"),
            head_ref=node.get("headRefName"),
            base_ref=node.get("baseRefName"),
        )


def _nodes(connection: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((connection or {}).get("nodes") or [])


@dataclass
class IssueSnapshot:
    """One issue as the coordination protocol sees it, read in a single request."""

    number: int
    title: str = ""
    state: str = "OPEN"
    state_reason: str | None = None
    body: str = ""
    url: str | None = None
    labels: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    sub_issues: list[int] = field(default_factory=list)
    blocked_by: list[int] = field(default_factory=list)
    closing_prs: list[PullRef] = field(default_factory=list)
    parent: int | None = None  # the issue this is a sub-issue of (its epic)
    viewer: str | None = None
    server_time: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state.upper() == "OPEN"

    @classmethod
    def from_graphql(
        cls,
        node: dict[str, Any],
        viewer: str | None = None,
        server_time: datetime | None = None,
    ) -> IssueSnapshot:
        """From an ``Issue`` node selected with ``ISSUE_FIELDS`` (connections complete)."""
        return _built(
            f"issue {node.get('number')!r}",
            lambda: cls(
                number=int(node["number"]),
                title=node.get("title") or "",
                state=node.get("state") or "OPEN",
                state_reason=node.get("stateReason"),
                body=node.get("body") or "",
                url=node.get("url"),
                labels=[str(n["name"]) for n in _nodes(node.get("labels"))],
                comments=[Comment.from_graphql(n) for n in _nodes(node.get("comments"))],
                sub_issues=[int(n["number"]) for n in _nodes(node.get("subIssues"))],
                blocked_by=[int(n["number"]) for n in _nodes(node.get("blockedBy"))],
                closing_prs=[
                    PullRef.from_graphql(n)
                    for n in _nodes(node.get("closedByPullRequestsReferences"))
                ],
                parent=(node.get("parent") or {}).get("number"),
                viewer=viewer,
                server_time=server_time,
            ),
        )
