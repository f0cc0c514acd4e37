"""The emulator's domain model: an in-memory GitHub with GitHub's semantics.

REST handlers and GraphQL resolvers both call these methods, so a rule (adding a label
creates a missing repo label, comments get increasing ids, writes bump ``updated_at``,
merging a PR closes it) lives in exactly one place. Everything is guarded by one
re-entrant lock; callers that do several steps may hold ``store.lock`` around them.

Errors are ``StoreError`` subclasses carrying the HTTP status GitHub would answer with.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, TypeVar

from maverick_ext.emulator.faults import Faults

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


def _node_id(prefix: str, kind: str, db_id: int) -> str:
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
_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(method: _F) -> _F:
    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class Store:
    """In-memory GitHub state shared by the REST and GraphQL front ends."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.lock = threading.RLock()
        self.faults = faults or Faults()
        self.users: dict[str, User] = {}  # keyed by lower-cased login
        self.repos: dict[str, Repo] = {}  # keyed by lower-cased "owner/name"
        self.default_login: str | None = None
        self._nodes: dict[str, Node] = {}
        self._issues_by_id: dict[int, Issue] = {}
        self._comments: dict[int, Comment] = {}
        self._offset_s = 0.0
        # Only forward moves of the clock: time that really "passed" for visibility.
        self._elapsed_s = 0.0
        # Separate sequences per kind, like GitHub; each strictly increasing.
        self._user_ids = itertools.count(1001)
        self._repo_ids = itertools.count(500_001)
        self._issue_ids = itertools.count(WIDE_ID_BASE + 2_000_000_001)
        self._pull_ids = itertools.count(2_800_000_001)
        self._comment_ids = itertools.count(WIDE_ID_BASE + 3_000_000_001)
        self._label_ids = itertools.count(7_000_000_001)
        self._commit_seq = itertools.count(1)

    # -- clock -------------------------------------------------------------------------

    def clock(self) -> float:
        """Server time as epoch seconds (real time + fault skew + advanced offset)."""
        return time.time() + self.faults.clock_skew_s + self._offset_s

    def now(self) -> datetime:
        """Server time as an aware UTC datetime at second resolution (as GitHub reports)."""
        return datetime.fromtimestamp(int(self.clock()), tz=timezone.utc)

    def visibility_clock(self) -> float:
        """The clock stale reads are measured on: real time plus forward moves only.

        Skew and backward moves change the time GitHub *reports*, never what exists or
        is visible: a comment once listed stays listed.
        """
        return time.time() + self._elapsed_s

    @_locked
    def advance_clock(self, seconds: float) -> None:
        """Move the server clock forward (or back, if negative) by ``seconds``."""
        self._offset_s += seconds
        self._elapsed_s += max(seconds, 0.0)

    def set_skew(self, seconds: float) -> None:
        """Set the clock-skew fault: server time = real time + ``seconds`` (+ advanced)."""
        self.faults.update(clock_skew_s=seconds)

    # -- nodes and users ---------------------------------------------------------------

    def node(self, node_id: str) -> Node | None:
        """The object with this GraphQL global id, or None."""
        return self._nodes.get(node_id)

    def _register(self, obj: Node) -> None:
        self._nodes[obj.node_id] = obj

    @_locked
    def ensure_user(self, login: str, type_: Literal["User", "Bot"] = "User") -> User:
        """The user with ``login``, created on first sight."""
        key = login.lower()
        user = self.users.get(key)
        if user is None:
            uid = next(self._user_ids)
            user = User(uid, _node_id("U", "User", uid), login, type_, created_at=self.now())
            self.users[key] = user
            self._register(user)
            if self.default_login is None:
                self.default_login = login
        return user

    def get_user(self, login: str) -> User:
        """An existing user; ``NotFoundError`` otherwise."""
        user = self.users.get(login.lower())
        if user is None:
            raise NotFoundError()
        return user

    @_locked
    def ensure_bot(self, slug: str) -> User:
        """The Bot actor of a GitHub App ``slug``: login ``slug[bot]``, type ``Bot``."""
        login = slug if slug.endswith(BOT_SUFFIX) else f"{slug}{BOT_SUFFIX}"
        return self.ensure_user(login, "Bot")

    @_locked
    def identify(self, token: str) -> Viewer:
        """The identity behind a token, else the default user.

        ``as:LOGIN[:ASSOC[:PERMISSION]]`` acts as that user; ``bot:SLUG[:ASSOC[:PERMISSION]]``
        as the Bot of App ``SLUG`` (an installation token or GITHUB_TOKEN). ``ASSOC`` is one
        of the eight ``author_association`` values (case-insensitive); ``PERMISSION`` one of
        read, triage, write, maintain, admin (an unknown one is read).
        """
        kind, sep, rest = token.partition(":")
        if sep and kind in ("as", "bot"):
            login, _, rest = rest.partition(":")
            assoc, _, level = rest.partition(":")
            assoc = assoc.upper()
            if assoc and assoc not in ASSOCIATIONS:
                assoc = "NONE"
            if login:
                user = self.ensure_bot(login) if kind == "bot" else self.ensure_user(login)
                permission = (parse_level(level) or "read") if level else None
                return Viewer(user, assoc or None, permission)
        return Viewer(self.ensure_user(self.default_login or "maverick-sandbox"))

    def association(self, viewer: Viewer, repo: Repo) -> str:
        """The ``author_association`` a new issue or comment by ``viewer`` gets on ``repo``.

        Under ``private_membership`` an organisation member shows as CONTRIBUTOR (with a
        merged pull request in the repository) or NONE, as GitHub shows private members.
        """
        association = viewer.association_for(repo)
        if association != "MEMBER" or not self.faults.private_membership:
            return association
        contributed = any(
            i.pull is not None and i.pull.merged and i.user is viewer.user
            for i in repo.issues.values()
        )
        return "CONTRIBUTOR" if contributed else "NONE"

    # -- repositories ------------------------------------------------------------------

    @_locked
    def create_repo(
        self,
        owner: str,
        name: str,
        *,
        description: str | None = None,
        default_branch: str = "main",
        default_labels: bool = True,
    ) -> Repo:
        """A new repository with one initial commit on the default branch."""
        key = f"{owner}/{name}".lower()
        if key in self.repos:
            raise ValidationFailed("Repository", "name", "custom", "name already exists")
        owner_user = self.ensure_user(owner)
        rid = next(self._repo_ids)
        now = self.now()
        repo = Repo(
            rid,
            _node_id("R", "Repository", rid),
            owner_user,
            name,
            now,
            now,
            now,
            default_branch=default_branch,
            description=description,
        )
        self.repos[key] = repo
        self._register(repo)
        root = self.create_commit(repo, ())
        repo.refs[f"refs/heads/{default_branch}"] = root
        if default_labels:
            for label_name, color, desc in DEFAULT_LABELS:
                self.create_label(repo, label_name, color, desc, default=True)
        return repo

    def repo_by_id(self, repo_id: int) -> Repo:
        """The repository with this database id (``/repositories/{id}`` paths)."""
        for repo in self.repos.values():
            if repo.id == repo_id:
                return repo
        raise NotFoundError()

    def repo(self, owner: str, name: str) -> Repo:
        """The repository ``owner/name`` (case-insensitive); ``NotFoundError`` otherwise."""
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None:
            raise NotFoundError()
        return repo

    # -- issues ------------------------------------------------------------------------

    @_locked
    def create_issue(
        self,
        repo: Repo,
        viewer: Viewer,
        title: str,
        body: str | None = None,
        labels: Iterable[str] = (),
        assignees: Iterable[str] = (),
    ) -> Issue:
        """Open a new issue; missing labels are created on the repo, like GitHub does."""
        if not title or not str(title).strip():
            raise ValidationFailed("Issue", "title", "missing_field")
        _check_body("Issue", body)
        iid = next(self._issue_ids)
        now = self.now()
        issue = Issue(
            iid,
            _node_id("I", "Issue", iid),
            repo,
            self._next_number(repo),
            str(title),
            body,
            viewer.user,
            self.association(viewer, repo),
            now,
            now,
        )
        issue.labels = [self._ensure_label(repo, n) for n in _unique(labels)]
        issue.assignees = [self.ensure_user(a) for a in _unique(assignees)]
        repo.issues[issue.number] = issue
        self._issues_by_id[iid] = issue
        self._register(issue)
        return issue

    def _next_number(self, repo: Repo) -> int:
        number = repo.next_number
        repo.next_number += 1
        return number

    def issue(self, repo: Repo, number: int) -> Issue:
        """Issue (or PR-as-issue) ``number`` of ``repo``; ``NotFoundError`` otherwise."""
        issue = repo.issues.get(int(number))
        if issue is None:
            raise NotFoundError()
        return issue

    def issue_by_id(self, issue_id: int) -> Issue:
        """An issue by its database ``id`` (what sub-issue and dependency APIs take)."""
        issue = self._issues_by_id.get(int(issue_id))
        if issue is None:
            raise NotFoundError()
        return issue

    @_locked
    def list_issues(
        self,
        repo: Repo,
        state: str = "open",
        labels: Iterable[str] = (),
        include_pulls: bool = True,
    ) -> list[Issue]:
        """Issues newest first (GitHub's default sort), filtered by state and all ``labels``."""
        wanted = {name.lower() for name in labels}
        out = []
        for issue in sorted(repo.issues.values(), key=lambda i: i.number, reverse=True):
            if state != "all" and issue.state != state:
                continue
            if not include_pulls and issue.is_pull:
                continue
            if wanted and not wanted <= {lb.name.lower() for lb in issue.labels}:
                continue
            out.append(issue)
        return out

    @_locked
    def update_issue(
        self,
        issue: Issue,
        viewer: Viewer,
        *,
        title: str | None = None,
        body: str | None = None,
        state: str | None = None,
        state_reason: str | None = None,
        labels: Iterable[str] | None = None,
        assignees: Iterable[str] | None = None,
    ) -> Issue:
        """Edit an issue; closing records ``closed_at``/``closed_by``, reopening clears them."""
        if state is not None and state not in ("open", "closed"):
            raise ValidationFailed("Issue", "state", "invalid")
        if state_reason is not None and state_reason not in (
            "completed",
            "not_planned",
            "reopened",
            "duplicate",
        ):
            raise ValidationFailed("Issue", "state_reason", "invalid")
        if title is not None:
            if not str(title).strip():
                raise ValidationFailed("Issue", "title", "missing_field")
            issue.title = str(title)
        if body is not None:
            _check_body("Issue", body)
            issue.body = body
        if labels is not None:
            issue.labels = [self._ensure_label(issue.repo, n) for n in _unique(labels)]
        if assignees is not None:
            issue.assignees = [self.ensure_user(a) for a in _unique(assignees)]
        now = self.now()
        if state == "closed" and issue.state != "closed":
            issue.state = "closed"
            issue.closed_at = now
            issue.closed_by = viewer.user
            issue.state_reason = state_reason or "completed"
        elif state == "open" and issue.state != "open":
            issue.state = "open"
            issue.closed_at = None
            issue.closed_by = None
            issue.state_reason = "reopened"
        elif state_reason is not None:
            issue.state_reason = state_reason
        self._touch(issue)
        return issue

    def _touch(self, issue: Issue) -> None:
        issue.updated_at = self.now()

    # -- comments ----------------------------------------------------------------------

    @_locked
    def add_comment(self, issue: Issue, viewer: Viewer, body: str | None) -> Comment:
        """A new comment with the next (globally increasing) id; bumps the issue's updated_at.

        Under the visibility-delay fault it stays out of listings for a while, but is
        readable by id at once (as on GitHub, where replicas lag behind the primary).
        """
        if body is None or not str(body).strip():
            raise ValidationFailed("IssueComment", "body", "missing_field")
        _check_body("IssueComment", body)
        cid = next(self._comment_ids)
        now = self.now()
        comment = Comment(
            cid,
            _node_id("IC", "IssueComment", cid),
            issue,
            str(body),
            viewer.user,
            self.association(viewer, issue.repo),
            now,
            now,
            visible_at=self.visibility_clock() + self.faults.visibility_s(),
        )
        issue.comments.append(comment)
        self._comments[cid] = comment
        self._register(comment)
        self._touch(issue)
        return comment

    def comment(self, repo: Repo, comment_id: int) -> Comment:
        """Comment ``comment_id`` if it belongs to ``repo``; ``NotFoundError`` otherwise."""
        comment = self._comments.get(int(comment_id))
        if comment is None or comment.issue.repo is not repo:
            raise NotFoundError()
        return comment

    @_locked
    def visible_comments(self, issue: Issue, now: float | None = None) -> list[Comment]:
        """The comments a listing shows at ``visibility_clock`` time ``now`` (default:
        current), oldest first.

        This is the one rule for stale reads: REST listings and GraphQL use it both.
        """
        at = self.visibility_clock() if now is None else now
        return [c for c in issue.comments if c.visible_at <= at]

    @_locked
    def list_comments(self, issue: Issue, since: datetime | None = None) -> list[Comment]:
        """Visible comments, oldest first, optionally only those updated at/after ``since``."""
        comments = self.visible_comments(issue)
        if since is not None:
            comments = [c for c in comments if c.updated_at >= since]
        return comments

    @_locked
    def update_comment(self, comment: Comment, body: str | None) -> Comment:
        """Edit a comment's body; bumps its ``updated_at`` (the lease heartbeat relies on it)."""
        if body is None or not str(body).strip():
            raise ValidationFailed("IssueComment", "body", "missing_field")
        _check_body("IssueComment", body)
        comment.body = str(body)
        comment.updated_at = self.now()
        return comment

    @_locked
    def delete_comment(self, comment: Comment) -> None:
        """Delete a comment."""
        comment.issue.comments.remove(comment)
        del self._comments[comment.id]
        self._nodes.pop(comment.node_id, None)

    # -- labels ------------------------------------------------------------------------

    def list_labels(self, repo: Repo) -> list[Label]:
        """Repository labels in creation order."""
        return sorted(repo.labels.values(), key=lambda lb: lb.id)

    def label(self, repo: Repo, name: str) -> Label:
        """A repository label by name (case-insensitive); ``NotFoundError`` otherwise."""
        label = repo.labels.get(name.lower())
        if label is None:
            raise NotFoundError()
        return label

    @_locked
    def create_label(
        self,
        repo: Repo,
        name: str,
        color: str | None = None,
        description: str | None = None,
        *,
        default: bool = False,
    ) -> Label:
        """A new repository label; 422 ``already_exists`` if the name is taken."""
        if not name or not str(name).strip():
            raise ValidationFailed("Label", "name", "missing_field")
        _check_label_name(name)
        if name.lower() in repo.labels:
            raise ValidationFailed("Label", "name", "already_exists")
        color = _check_color(color or "ededed")
        lid = next(self._label_ids)
        label = Label(lid, _node_id("LA", "Label", lid), name, color, description, default)
        repo.labels[name.lower()] = label
        self._register(label)
        return label

    @_locked
    def update_label(
        self,
        repo: Repo,
        name: str,
        *,
        new_name: str | None = None,
        color: str | None = None,
        description: str | None = None,
    ) -> Label:
        """Rename or recolour a label (issues carrying it follow, as on GitHub)."""
        label = self.label(repo, name)
        if new_name is not None:
            _check_label_name(new_name)
        if new_name is not None and new_name.lower() != label.name.lower():
            if new_name.lower() in repo.labels:
                raise ValidationFailed("Label", "name", "already_exists")
            del repo.labels[label.name.lower()]
            repo.labels[new_name.lower()] = label
        if new_name is not None:
            label.name = new_name
        if color is not None:
            label.color = _check_color(color)
        if description is not None:
            label.description = description
        return label

    @_locked
    def delete_label(self, repo: Repo, name: str) -> None:
        """Delete a repository label and take it off every issue."""
        label = self.label(repo, name)
        del repo.labels[label.name.lower()]
        self._nodes.pop(label.node_id, None)
        for issue in repo.issues.values():
            if label in issue.labels:
                issue.labels.remove(label)

    def _ensure_label(self, repo: Repo, name: str) -> Label:
        existing = repo.labels.get(name.lower())
        if existing is not None:
            return existing
        if len(name) > LABEL_NAME_MAX:
            # Adding a missing label to an issue answers in another shape than creating it.
            error = ValidationFailed("Label", "name", "invalid")
            error.errors[0] = {"value": name, **error.errors[0]}
            raise error
        return self.create_label(repo, name)

    @_locked
    def add_labels(self, issue: Issue, names: Iterable[str]) -> list[Label]:
        """Add labels to an issue, creating missing repo labels; returns the issue's labels."""
        for name in _unique(names):
            label = self._ensure_label(issue.repo, name)
            if label not in issue.labels:
                issue.labels.append(label)
        self._touch(issue)
        return list(issue.labels)

    @_locked
    def set_labels(self, issue: Issue, names: Iterable[str]) -> list[Label]:
        """Replace all labels of an issue."""
        issue.labels = [self._ensure_label(issue.repo, n) for n in _unique(names)]
        self._touch(issue)
        return list(issue.labels)

    @_locked
    def remove_label(self, issue: Issue, name: str) -> list[Label]:
        """Take one label off an issue; ``NotFoundError`` if it is not on it."""
        for label in issue.labels:
            if label.name.lower() == name.lower():
                issue.labels.remove(label)
                self._touch(issue)
                return list(issue.labels)
        raise NotFoundError("Label does not exist")

    @_locked
    def clear_labels(self, issue: Issue) -> None:
        """Remove every label from an issue."""
        issue.labels = []
        self._touch(issue)

    # -- sub-issues --------------------------------------------------------------------

    @_locked
    def add_sub_issue(self, parent: Issue, child: Issue, replace_parent: bool = False) -> Issue:
        """Make ``child`` the last sub-issue of ``parent``; returns the parent.

        422 if it already has a parent (unless ``replace_parent``), is the parent itself,
        or would create a cycle; sub-issues must share the repository owner.
        """
        if child is parent or child.is_pull:
            raise ValidationFailed("Issue", "sub_issue_id", "invalid")
        if child.repo.owner is not parent.repo.owner:
            raise ValidationFailed("Issue", "sub_issue_id", "invalid")
        ancestor: Issue | None = parent
        while ancestor is not None:
            if ancestor is child:
                raise ValidationFailed("Issue", "sub_issue_id", "invalid", "would create a cycle")
            ancestor = ancestor.parent
        if child.parent is not None:
            if child.parent is parent:
                raise ValidationFailed("Issue", "sub_issue_id", "already_exists")
            if not replace_parent:
                raise ValidationFailed(
                    "Issue", "sub_issue_id", "invalid", "issue already has a parent"
                )
            child.parent.sub_issues.remove(child)
            self._touch(child.parent)
        child.parent = parent
        parent.sub_issues.append(child)
        self._touch(parent)
        self._touch(child)
        return parent

    @_locked
    def remove_sub_issue(self, parent: Issue, child: Issue) -> Issue:
        """Detach ``child`` from ``parent``; returns the parent (``NotFoundError`` if unrelated)."""
        if child.parent is not parent:
            raise NotFoundError()
        parent.sub_issues.remove(child)
        child.parent = None
        self._touch(parent)
        self._touch(child)
        return parent

    @_locked
    def reprioritize_sub_issue(
        self, parent: Issue, child: Issue, after: Issue | None = None, before: Issue | None = None
    ) -> Issue:
        """Move ``child`` right after ``after`` or right before ``before``; returns the parent."""
        if child.parent is not parent or (after is None) == (before is None):
            raise ValidationFailed("Issue", "sub_issue_id", "invalid")
        anchor = after if after is not None else before
        if anchor is None or anchor.parent is not parent or anchor is child:
            raise ValidationFailed("Issue", "sub_issue_id", "invalid")
        parent.sub_issues.remove(child)
        index = parent.sub_issues.index(anchor) + (1 if after is not None else 0)
        parent.sub_issues.insert(index, child)
        self._touch(parent)
        return parent

    # -- dependencies ------------------------------------------------------------------

    @_locked
    def add_blocked_by(self, issue: Issue, blocker: Issue) -> Issue:
        """Record ``issue`` blocked by ``blocker``; returns the blocker (as GitHub does)."""
        if blocker is issue:
            raise ValidationFailed("Issue", "issue_id", "invalid", "an issue cannot block itself")
        if blocker in issue.blocked_by:
            raise ValidationFailed("Issue", "issue_id", "already_exists")
        issue.blocked_by.append(blocker)
        blocker.blocking.append(issue)
        self._touch(issue)
        return blocker

    @_locked
    def remove_blocked_by(self, issue: Issue, blocker: Issue) -> Issue:
        """Drop a blocked-by edge; returns the former blocker."""
        if blocker not in issue.blocked_by:
            raise NotFoundError()
        issue.blocked_by.remove(blocker)
        blocker.blocking.remove(issue)
        self._touch(issue)
        return blocker

    # -- git ---------------------------------------------------------------------------

    @_locked
    def create_commit(self, repo: Repo, parents: Iterable[str]) -> str:
        """A new commit sha in ``repo`` with these parent shas (no trees: only the graph)."""
        parents = tuple(parents)
        for sha in parents:
            if sha not in repo.commits:
                raise ValidationFailed("Commit", "parents", "invalid")
        sha = hashlib.sha1(f"{repo.id}:{next(self._commit_seq)}".encode()).hexdigest()
        repo.commits[sha] = parents
        repo.pushed_at = self.now()
        return sha

    def is_ancestor(self, repo: Repo, ancestor: str, descendant: str) -> bool:
        """True when ``ancestor`` is reachable from ``descendant`` (or equal to it)."""
        stack, seen = [descendant], set()
        while stack:
            sha = stack.pop()
            if sha == ancestor:
                return True
            if sha in seen:
                continue
            seen.add(sha)
            stack.extend(repo.commits.get(sha, ()))
        return False

    def get_ref(self, repo: Repo, ref: str) -> tuple[str, str]:
        """``(full ref name, sha)`` for ``heads/x`` or ``refs/heads/x``; ``NotFoundError``."""
        full = _full_ref(ref)
        sha = repo.refs.get(full)
        if sha is None:
            raise NotFoundError()
        return full, sha

    def matching_refs(self, repo: Repo, prefix: str) -> list[tuple[str, str]]:
        """All ``(ref, sha)`` whose name starts with ``refs/<prefix>``, sorted by name."""
        full = _full_ref(prefix) if prefix else "refs/"
        return sorted((r, s) for r, s in repo.refs.items() if r.startswith(full))

    @_locked
    def create_ref(self, repo: Repo, ref: str, sha: str) -> tuple[str, str]:
        """Create a fully qualified ``refs/...``; 422 if it exists or the sha is unknown."""
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise ValidationFailed("Reference", "ref", "invalid", "ref must start with refs/")
        if sha not in repo.commits:
            raise ValidationFailed("Reference", "sha", "invalid", "Object does not exist")
        if ref in repo.refs:
            raise ValidationFailed("Reference", "ref", "already_exists", "Reference already exists")
        repo.refs[ref] = sha
        return ref, sha

    @_locked
    def update_ref(self, repo: Repo, ref: str, sha: str, force: bool = False) -> tuple[str, str]:
        """Move a ref; without ``force`` only a fast-forward is allowed (422 otherwise)."""
        full, current = self.get_ref(repo, ref)
        if sha not in repo.commits:
            raise ValidationFailed("Reference", "sha", "invalid", "Object does not exist")
        if not force and not self.is_ancestor(repo, current, sha):
            raise ValidationFailed("Reference", "sha", "invalid", "Update is not a fast forward")
        repo.refs[full] = sha
        return full, sha

    @_locked
    def delete_ref(self, repo: Repo, ref: str) -> None:
        """Delete a ref (422 ``Reference does not exist`` when missing, like GitHub)."""
        full = _full_ref(ref)
        if full not in repo.refs:
            raise ValidationFailed("Reference", "ref", "invalid", "Reference does not exist")
        del repo.refs[full]

    # -- pull requests -----------------------------------------------------------------

    @_locked
    def create_pull(
        self,
        repo: Repo,
        viewer: Viewer,
        title: str,
        head: str,
        base: str,
        body: str | None = None,
        draft: bool = False,
    ) -> Pull:
        """Open a PR from branch ``head`` (``owner:branch`` accepted) into ``base``.

        The emulator has no git transport, so a missing head branch is created with one
        new commit on top of ``base`` rather than refused.
        """
        head_branch = head.split(":", 1)[1] if ":" in head else head
        try:
            _, base_sha = self.get_ref(repo, f"heads/{base}")
        except NotFoundError:
            raise ValidationFailed("PullRequest", "base", "invalid") from None
        head_full = f"refs/heads/{head_branch}"
        if head_full not in repo.refs:
            repo.refs[head_full] = self.create_commit(repo, (base_sha,))
        head_sha = repo.refs[head_full]
        if head_branch == base:
            raise ValidationFailed("PullRequest", "head", "invalid", "head and base are equal")
        for other in repo.issues.values():
            if (
                other.pull
                and other.state == "open"
                and other.pull.head_ref == head_branch
                and other.pull.base_ref == base
            ):
                raise ValidationFailed(
                    "PullRequest",
                    "head",
                    "custom",
                    f"A pull request already exists for {repo.owner.login}:{head_branch}.",
                )
        issue = self.create_issue(repo, viewer, title, body)
        pid = next(self._pull_ids)
        pull = Pull(pid, _node_id("PR", "PullRequest", pid), issue, head_branch, head_sha, base,
                    base_sha, draft=draft)  # fmt: skip
        issue.pull = pull
        # GitHub reports the PR's node id on the issue view of a pull request too.
        self._nodes.pop(issue.node_id, None)
        issue.node_id = pull.node_id
        self._register(pull)
        return pull

    @_locked
    def pull(self, repo: Repo, number: int) -> Pull:
        """PR ``number`` with head/base shas current; ``NotFoundError`` if missing or an issue."""
        issue = self.issue(repo, number)
        if issue.pull is None:
            raise NotFoundError()
        self._refresh_shas(issue.pull)
        return issue.pull

    @_locked
    def list_pulls(
        self,
        repo: Repo,
        state: str = "open",
        head: str | None = None,
        base: str | None = None,
    ) -> list[Pull]:
        """PRs newest first; ``head`` is ``owner:branch`` (or a bare branch), ``base`` a branch."""
        head_branch = head.split(":", 1)[1] if head and ":" in head else head
        out = []
        for issue in self.list_issues(repo, state=state):
            pull = issue.pull
            if pull is None:
                continue
            if head_branch and pull.head_ref != head_branch:
                continue
            if base and pull.base_ref != base:
                continue
            self._refresh_shas(pull)
            out.append(pull)
        return out

    def _refresh_shas(self, pull: Pull) -> None:
        # Open PRs track their branches, like GitHub's head/base shas.
        if pull.issue.state == "open":
            pull.head_sha = pull.repo.refs.get(f"refs/heads/{pull.head_ref}", pull.head_sha)
            pull.base_sha = pull.repo.refs.get(f"refs/heads/{pull.base_ref}", pull.base_sha)

    @_locked
    def update_pull(
        self,
        pull: Pull,
        viewer: Viewer,
        *,
        title: str | None = None,
        body: str | None = None,
        state: str | None = None,
        base: str | None = None,
    ) -> Pull:
        """Edit a PR (retarget with ``base``); a merged PR cannot be reopened."""
        if base is not None:
            if f"refs/heads/{base}" not in pull.repo.refs:
                raise ValidationFailed("PullRequest", "base", "invalid")
            pull.base_ref = base
        if state == "open" and pull.merged:
            raise ValidationFailed("PullRequest", "state", "invalid", "merged")
        self.update_issue(pull.issue, viewer, title=title, body=body, state=state)
        self._refresh_shas(pull)
        return pull

    @_locked
    def merge_pull(
        self,
        pull: Pull,
        viewer: Viewer,
        merge_method: str = "merge",
        sha: str | None = None,
    ) -> Pull:
        """Merge: new commit on the base branch, PR merged and closed.

        405 if closed or already merged, 409 if ``sha`` is not the current head.
        """
        self._refresh_shas(pull)
        if pull.merged or pull.issue.state != "open" or pull.conflicting:
            raise NotMergeable("Pull Request is not mergeable")
        if sha is not None and sha != pull.head_sha:
            raise Conflict("Head branch was modified. Review and try the merge again.")
        if merge_method not in ("merge", "squash", "rebase"):
            raise ValidationFailed("PullRequest", "merge_method", "invalid")
        repo = pull.repo
        base_tip = repo.refs[f"refs/heads/{pull.base_ref}"]
        parents = (base_tip, pull.head_sha) if merge_method == "merge" else (base_tip,)
        merged_sha = self.create_commit(repo, parents)
        repo.refs[f"refs/heads/{pull.base_ref}"] = merged_sha
        pull.merged = True
        pull.merged_at = self.now()
        pull.merged_by = viewer.user
        pull.merge_commit_sha = merged_sha
        self.update_issue(pull.issue, viewer, state="closed")
        return pull


def _unique(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(str(name).lower(), str(name))
    return list(seen.values())


def _check_label_name(name: str) -> None:
    if len(name) > LABEL_NAME_MAX:
        raise ValidationFailed(
            "Label", "name", "custom", f"name is too long (maximum is {LABEL_NAME_MAX} characters)"
        )


def _check_body(resource: str, body: str | None) -> None:
    """GitHub's 65,536-character limit on issue, pull request and comment bodies."""
    if body is None or len(str(body)) <= BODY_MAX:
        return
    if resource == "IssueComment":
        message = f"Body is too long (maximum is {BODY_MAX} characters)"
        raise ValidationFailed(resource, "data", "unprocessable", message)
    message = f"body is too long (maximum is {BODY_MAX} characters)"
    raise ValidationFailed(resource, "body", "custom", message)


def _check_color(color: str) -> str:
    color = color.lstrip("#").lower()
    if len(color) != 6 or any(c not in "0123456789abcdef" for c in color):
        raise ValidationFailed("Label", "color", "invalid")
    return color


def _full_ref(ref: str) -> str:
    ref = ref.strip("/")
    return ref if ref.startswith("refs/") else f"refs/{ref}"


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


__all__ = [
    "ASSOCIATIONS",
    "Comment",
    "Conflict",
    "Issue",
    "Label",
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
    "parse_timestamp",
]
