"""The emulator's data: what GitHub holds (users, repositories, issues, pull requests,
comments, labels), the limits it enforces and the errors it answers with.

Errors are ``StoreError`` subclasses carrying the HTTP status GitHub would answer with.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, Literal

from maverick_ext.records import dataclass, field

# GitHub's CommentAuthorAssociation, all eight values.
ASSOCIATIONS = (
    "OWNER",
    "MEMBER",
    "COLLABORATOR",
    "CONTRIBUTOR",
    "FIRST_TIMER",
    "FIRST_TIME_CONTRIBUTOR",
    "MANNEQUIN",
    "NONE",
)
TRUSTED_DEFAULT_ASSOCIATION = "COLLABORATOR"
# A GitHub App (or GITHUB_TOKEN) acts as a Bot whose REST login and viewer.login carry this
# suffix, while GraphQL's Bot.login (e.g. a comment's author) drops it.
BOT_SUFFIX = "[bot]"
# Issue and comment ids start above 2**32, as on github.com (comment ids passed 2**31 in
# 2024), so a 32-bit assumption anywhere fails in tests rather than in production.
WIDE_ID_BASE = 2**32
# GitHub's limits (422 beyond them).
LABEL_NAME_MAX = 50
BODY_MAX = 65_536

# GitHub creates these in every new repository.
DEFAULT_LABELS: tuple[tuple[str, str, str], ...] = (
    ("bug", "d73a4a", "Something isn't working"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("duplicate", "cfd3d7", "This issue or pull request already exists"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("good first issue", "7057ff", "Good for newcomers"),
    ("help wanted", "008672", "Extra attention is needed"),
    ("invalid", "e4e669", "This doesn't seem right"),
    ("question", "d876e3", "Further information is requested"),
    ("wontfix", "ffffff", "This will not be worked on"),
)


class StoreError(Exception):
    """A request GitHub would refuse; ``status`` is the HTTP status it would use."""

    status = 400

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class NotFoundError(StoreError):
    status = 404

    def __init__(self, message: str = "Not Found") -> None:
        super().__init__(message)


class ValidationFailed(StoreError):
    status = 422

    def __init__(self, resource: str, field_: str, code: str, message: str | None = None) -> None:
        error: dict[str, Any] = {"resource": resource, "field": field_, "code": code}
        if message:
            error["message"] = message
        super().__init__("Validation Failed", [error])


class NotMergeable(StoreError):
    status = 405


class Conflict(StoreError):
    status = 409


def make_node_id(prefix: str, kind: str, db_id: int) -> str:
    raw = f"{kind}:{db_id}".encode()
    return f"{prefix}_{base64.urlsafe_b64encode(raw).decode().rstrip('=')}"


@dataclass(eq=False)
class User:
    id: int
    node_id: str
    login: str
    type: Literal["User", "Bot", "Organization"] = "User"
    name: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


# A repository permission, weakest first (the policy over them is in permissions.py).
LEVELS = ("read", "triage", "write", "maintain", "admin")


def parse_level(text: str) -> str | None:
    level = text.strip().lower()
    return level if level in LEVELS else None


@dataclass(eq=False)
class Viewer:
    """The authenticated identity of a request."""

    user: User
    # None: derived per repository (OWNER for the repo owner, NONE for a bot, else
    # COLLABORATOR).
    association: str | None = None
    # read/triage/write/maintain/admin; None: derived from the association
    # (see ``emulator.permissions``).
    permission: str | None = None

    @property
    def login(self) -> str:
        return self.user.login

    def association_for(self, repo: Repo) -> str:
        """The ``author_association`` this identity gets on ``repo``."""
        if self.association:
            return self.association
        if self.user is repo.owner:
            return "OWNER"
        return "NONE" if self.user.type == "Bot" else TRUSTED_DEFAULT_ASSOCIATION


@dataclass(eq=False)
class Label:
    id: int
    node_id: str
    name: str
    color: str
    description: str | None
    default: bool = False


@dataclass(eq=False)
class Comment:
    id: int
    node_id: str
    issue: Issue
    body: str
    user: User
    author_association: str
    created_at: datetime
    updated_at: datetime
    # Store clock (float seconds) from which listings include it (visibility-delay fault).
    visible_at: float = 0.0


@dataclass(eq=False)
class Issue:
    id: int
    node_id: str
    repo: Repo
    number: int
    title: str
    body: str | None
    user: User
    author_association: str
    created_at: datetime
    updated_at: datetime
    state: Literal["open", "closed"] = "open"
    state_reason: str | None = None
    closed_at: datetime | None = None
    closed_by: User | None = None
    locked: bool = False
    labels: list[Label] = field(default_factory=list)
    assignees: list[User] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    parent: Issue | None = None
    sub_issues: list[Issue] = field(default_factory=list)
    blocked_by: list[Issue] = field(default_factory=list)
    blocking: list[Issue] = field(default_factory=list)
    pull: Pull | None = None

    @property
    def is_pull(self) -> bool:
        return self.pull is not None


@dataclass(eq=False)
class Pull:
    """A pull request; ``issue`` carries number, title, body, labels, state and comments."""

    id: int
    node_id: str
    issue: Issue
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    draft: bool = False
    merged: bool = False
    merged_at: datetime | None = None
    merged_by: User | None = None
    merge_commit_sha: str | None = None
    # Mergeability (emulator/checks.py): the head/base pair last computed, and a test's
    # mark that the PR conflicts with its base (no file contents here to merge).
    mergeability_for: tuple[str, str] | None = None
    conflicting: bool = False

    @property
    def repo(self) -> Repo:
        return self.issue.repo

    @property
    def number(self) -> int:
        return self.issue.number


@dataclass(eq=False)
class Repo:
    id: int
    node_id: str
    owner: User
    name: str
    created_at: datetime
    updated_at: datetime
    pushed_at: datetime
    default_branch: str = "main"
    private: bool = False
    description: str | None = None
    labels: dict[str, Label] = field(default_factory=dict)  # keyed by lower-cased name
    issues: dict[int, Issue] = field(default_factory=dict)
    next_number: int = 1
    refs: dict[str, str] = field(default_factory=dict)  # "refs/heads/main" -> sha
    commits: dict[str, tuple[str, ...]] = field(default_factory=dict)  # sha -> parents
    # Commits made through the git database API (message, tree, dates): ``emulator.gitdb``.
    objects: dict[str, Any] = field(default_factory=dict)
    # Check runs by id and commit statuses in creation order (emulator/checks.py).
    check_runs: dict[int, Any] = field(default_factory=dict)
    statuses: list[Any] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


Node = User | Repo | Issue | Comment | Label | Pull


def unique_names(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(str(name).lower(), str(name))
    return list(seen.values())


def check_body(resource: str, body: str | None) -> None:
    """GitHub's 65,536-character limit on issue, pull request and comment bodies."""
    if body is None or len(str(body)) <= BODY_MAX:
        return
    if resource == "IssueComment":
        message = f"Body is too long (maximum is {BODY_MAX} characters)"
        raise ValidationFailed(resource, "data", "unprocessable", message)
    message = f"body is too long (maximum is {BODY_MAX} characters)"
    raise ValidationFailed(resource, "body", "custom", message)


def isoformat(moment: datetime | None) -> str | None:
    """GitHub's timestamp format: ``2024-01-02T03:04:05Z``."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp (``Z`` or offset) into an aware UTC datetime."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
