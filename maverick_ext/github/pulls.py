"""Typed pull-request calls over ``GhClient`` (REST)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, model_validator

from maverick_ext.errors import GitHubRejected, NotFound
from maverick_ext.github.client import GhClient


class PullRequest(BaseModel):
    """The fields of a REST ``pull-request`` that stacking decisions need."""

    model_config = ConfigDict(extra="ignore")

    number: int
    title: str = ""
    state: str  # open | closed
    merged: bool = False
    draft: bool = False
    html_url: str | None = None
    head_ref: str
    head_sha: str | None = None
    base_ref: str
    base_sha: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "head" not in data:
            return data
        head, base = data.get("head") or {}, data.get("base") or {}
        return {
            **data,
            # Listings omit `merged`; `merged_at` is in both shapes.
            "merged": bool(data.get("merged") or data.get("merged_at")),
            "head_ref": head.get("ref"),
            "head_sha": head.get("sha"),
            "base_ref": base.get("ref"),
            "base_sha": base.get("sha"),
        }

    @property
    def is_open(self) -> bool:
        return self.state == "open"


def get_pull(client: GhClient, number: int) -> PullRequest:
    try:
        response = client.get(client.repo_path(f"pulls/{number}"))
    except NotFound:
        raise NotFound(
            f"pull request #{number} does not exist in {client.require_repo().full_name}",
            "check the number and -R/--repo",
        ) from None
    return PullRequest.model_validate(response.data)


def list_pulls(
    client: GhClient, *, head: str | None = None, base: str | None = None, state: str = "open"
) -> list[PullRequest]:
    """PRs by head branch (same repository) and/or base branch, newest first."""
    query = [f"state={state}"]
    if head is not None:
        query.append(f"head={quote(f'{client.require_repo().owner}:{head}', safe='')}")
    if base is not None:
        query.append(f"base={quote(base, safe='')}")
    items, _ = client.paginate(client.repo_path(f"pulls?{'&'.join(query)}"))
    return [PullRequest.model_validate(item) for item in items]


def branch_names(client: GhClient) -> list[str]:
    """Every branch, in 1 REST request (``git/matching-refs`` answers one unpaginated list);
    an empty repository (409) has none."""
    try:
        response = client.get(client.repo_path("git/matching-refs/heads/"))
    except GitHubRejected as exc:
        if exc.status == 409:
            return []
        raise
    refs = (item.get("ref") for item in response.data or [] if isinstance(item, dict))
    return sorted(str(ref).removeprefix("refs/heads/") for ref in refs if ref)


def update_base(client: GhClient, number: int, base: str) -> PullRequest:
    """Retarget PR ``number`` onto ``base`` (idempotent: PATCH)."""
    response = client.patch(client.repo_path(f"pulls/{number}"), {"base": base})
    return PullRequest.model_validate(response.data)
