"""Pydantic models at the GitHub boundary: what we read from GraphQL/REST answers.

They accept GitHub's shapes (camelCase GraphQL, snake_case REST) and expose one
snake_case vocabulary to the rest of the code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


def _graphql_login(author: dict[str, Any] | None) -> str | None:
    """GraphQL drops an App's ``[bot]`` suffix that REST and ``viewer.login`` keep: put it
    back so one account has one spelling here (``core.trust.login_key`` compares anyway)."""
    if not author or author.get("login") is None:
        return None
    login = str(author["login"])
    if author.get("__typename") == "Bot" and not login.endswith("[bot]"):
        login += "[bot]"
    return login


class Comment(_Model):
    id: int
    body: str = ""
    created_at: str
    updated_at: str
    author: str | None = None
    author_association: str = "NONE"

    @classmethod
    def from_graphql(cls, node: dict[str, Any]) -> Comment:
        return cls(
            # ``databaseId`` is a 32-bit Int that comment ids outgrew in 2024; the BigInt
            # ``fullDatabaseId`` arrives as a JSON string.
            id=int(node["fullDatabaseId"]),
            body=node.get("body") or "",
            created_at=node["createdAt"],
            updated_at=node["updatedAt"],
            author=_graphql_login(node.get("author")),
            author_association=node.get("authorAssociation") or "NONE",
        )

    @classmethod
    def from_rest(cls, data: dict[str, Any]) -> Comment:
        return cls(
            id=data["id"],
            body=data.get("body") or "",
            created_at=data["created_at"],
            updated_at=data["updated_at"],
            author=(data.get("user") or {}).get("login"),
            author_association=data.get("author_association") or "NONE",
        )


class PullRef(_Model):
    number: int
    state: str  # OPEN | CLOSED | MERGED
    merged: bool = False
    url: str | None = None
    head_ref: str | None = Field(default=None, alias="headRefName")
    base_ref: str | None = Field(default=None, alias="baseRefName")


class IssueSnapshot(_Model):
    """One issue as the coordination protocol sees it, read in a single request."""

    number: int
    title: str = ""
    state: str = "OPEN"
    state_reason: str | None = Field(default=None, alias="stateReason")
    body: str = ""
    url: str | None = None
    labels: list[str] = Field(default_factory=list)
    comments: list[Comment] = Field(default_factory=list)
    sub_issues: list[int] = Field(default_factory=list)
    blocked_by: list[int] = Field(default_factory=list)
    closing_prs: list[PullRef] = Field(default_factory=list)
    viewer: str | None = None
    server_time: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state.upper() == "OPEN"

    @model_validator(mode="before")
    @classmethod
    def _from_graphql(cls, data: Any) -> Any:
        if (
            not isinstance(data, dict)
            or "comments" not in data
            or isinstance(data.get("comments"), list)
        ):
            return data
        data = dict(data)
        data["labels"] = [n["name"] for n in (data.get("labels") or {}).get("nodes", [])]
        data["comments"] = [
            Comment.from_graphql(n) for n in (data.get("comments") or {}).get("nodes", [])
        ]
        data["sub_issues"] = [
            n["number"] for n in (data.pop("subIssues", None) or {}).get("nodes", [])
        ]
        data["blocked_by"] = [
            n["number"] for n in (data.pop("blockedBy", None) or {}).get("nodes", [])
        ]
        data["closing_prs"] = (data.pop("closedByPullRequestsReferences", None) or {}).get(
            "nodes", []
        )
        return data

    @field_validator("body", mode="before")
    @classmethod
    def _none_body(cls, value: Any) -> Any:
        return value or ""
