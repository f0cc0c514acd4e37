"""The emulator's domain model: an in-memory GitHub with GitHub's semantics.

REST handlers and GraphQL resolvers both call these methods, so a rule (adding a label
creates a missing repo label, comments get increasing ids, writes bump ``updated_at``,
merging a PR closes it) lives in exactly one place. ``Store`` is composed of one part per
resource (``identity``, ``repos``, ``issues``, ``comments``, ``labels``, ``git``,
``pulls``) over ``base.StoreBase``; the data and errors are in ``model``. Everything is
guarded by one re-entrant lock; callers that do several steps may hold ``store.lock``
around them.
"""

from __future__ import annotations

from maverick_ext.emulator.store.comments import CommentStore
from maverick_ext.emulator.store.model import (
    ASSOCIATIONS,
    BODY_MAX,
    BOT_SUFFIX,
    LABEL_NAME_MAX,
    LEVELS,
    TRUSTED_DEFAULT_ASSOCIATION,
    WIDE_ID_BASE,
    Comment,
    Conflict,
    Issue,
    Label,
    Node,
    NotFoundError,
    NotMergeable,
    Pull,
    Repo,
    StoreError,
    User,
    ValidationFailed,
    Viewer,
    isoformat,
    parse_level,
    parse_timestamp,
)
from maverick_ext.emulator.store.pulls import PullStore
from maverick_ext.emulator.store.repos import RepoStore


class Store(RepoStore, PullStore, CommentStore):
    """In-memory GitHub state shared by the REST and GraphQL front ends."""


__all__ = [
    "ASSOCIATIONS",
    "BODY_MAX",
    "BOT_SUFFIX",
    "LABEL_NAME_MAX",
    "LEVELS",
    "TRUSTED_DEFAULT_ASSOCIATION",
    "WIDE_ID_BASE",
    "Comment",
    "Conflict",
    "Issue",
    "Label",
    "Node",
    "NotFoundError",
    "NotMergeable",
    "Pull",
    "Repo",
    "Store",
    "StoreError",
    "User",
    "ValidationFailed",
    "Viewer",
    "isoformat",
    "parse_level",
    "parse_timestamp",
]
