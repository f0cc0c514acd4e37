"""IssueComment fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from maverick_ext.emulator.graphql.resolvers import RESOLVERS, WEB_BASE, ctx, issue_path
from maverick_ext.emulator.permissions import allowed
from maverick_ext.emulator.store import Comment, Viewer

# -- IssueComment ----------------------------------------------------------------------


def _can_change(comment: Comment, viewer: Viewer) -> bool:
    return comment.user is viewer.user or allowed(viewer, comment.issue.repo, "write")


def _comment_fields() -> dict[str, Callable[[Comment, GraphQLResolveInfo], Any]]:
    return {
        "fullDatabaseId": lambda c, _: str(c.id),
        "url": lambda c, _: f"{WEB_BASE}{issue_path(c.issue)}#issuecomment-{c.id}",
        "resourcePath": lambda c, _: f"{issue_path(c.issue)}#issuecomment-{c.id}",
        "includesCreatedEdit": lambda c, _: c.updated_at != c.created_at,
        "lastEditedAt": lambda c, _: c.updated_at if c.updated_at != c.created_at else None,
        "viewerDidAuthor": lambda c, info: c.user is ctx(info).viewer.user,
        "viewerCanUpdate": lambda c, info: _can_change(c, ctx(info).viewer),
        "viewerCanDelete": lambda c, info: _can_change(c, ctx(info).viewer),
    }


for _name, _comment_fn in _comment_fields().items():
    RESOLVERS.setdefault("IssueComment", {})[_name] = _comment_fn
