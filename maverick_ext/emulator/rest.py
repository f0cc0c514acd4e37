"""REST routing and handlers, plus the per-request pipeline (auth, faults, headers, ETag).

Handlers stay thin: parse the request, call one Store method, shape the result. Every
GitHub rule lives in the Store so the GraphQL side behaves identically.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import itertools
import json
import math
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from maverick_ext.emulator import checks, gitdb, permissions, shapes
from maverick_ext.emulator.apps import BAD_CREDENTIALS, looks_like_jwt
from maverick_ext.emulator.faults import Faults
from maverick_ext.emulator.shapes import Json, Urls
from maverick_ext.emulator.store import (
    Comment,
    Conflict,
    Issue,
    NotFoundError,
    Repo,
    Store,
    StoreError,
    ValidationFailed,
    Viewer,
    parse_timestamp,
)
from maverick_ext.records import dataclass, field

DOCS = "https://docs.github.com/rest"
SCOPES = "gist, read:org, repo, workflow"
RATE_LIMIT = 5000
RATE_WINDOW_S = 3600
_GRAPHQL_OP = re.compile(r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


@dataclass
class Request:
    """One API request, already split into path and query."""

    method: str
    path: str  # origin-form, still percent-encoded, without /api/v3
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    host: str

    @classmethod
    def parse(cls, method: str, target: str, headers: dict[str, str], body: bytes) -> Request:
        """Accept both absolute-URI (proxy) and origin-form targets; drop ``/api/v3``."""
        lowered = {k.lower(): v for k, v in headers.items()}
        parts = urlsplit(target)
        host = parts.netloc or lowered.get("host", "127.0.0.1")
        path = parts.path or "/"
        if path == "/api/v3" or path.startswith("/api/v3/"):
            path = path[len("/api/v3") :] or "/"
        if len(path) > 1:
            path = path.rstrip("/")
        query = parse_qs(parts.query, keep_blank_values=True)
        return cls(method.upper(), path, query, lowered, body, host)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-serialisable, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)
    graphql_operation: str | None = None

    def encoded(self) -> bytes:
        return b"" if self.body is None else json.dumps(self.body).encode()


@dataclass
class Ctx:
    """What a handler gets: the store, who is asking, and how to build URLs."""

    store: Store
    viewer: Viewer
    urls: Urls
    req: Request
    rate: tuple[int, int] = (RATE_LIMIT, 0)  # (remaining, reset epoch) after this call

    def json(self) -> Any:
        if not self.req.body.strip():
            return {}
        try:
            return json.loads(self.req.body)
        except ValueError:
            raise StoreError("Problems parsing JSON") from None

    def obj(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise StoreError("Problems parsing JSON")
        return data


def error_body(message: str, status: int, errors: list[dict[str, Any]] | None = None) -> Json:
    body: Json = {"message": message, "documentation_url": DOCS, "status": str(status)}
    if errors:
        body["errors"] = errors
    return body


# -- routing ---------------------------------------------------------------------------

Handler = Callable[..., Response]
_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []
_REPO = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"


def route(method: str, pattern: str, needs: str | None = None) -> Callable[[Handler], Handler]:
    """Register a handler; named groups arrive URL-decoded as keyword arguments.

    ``needs``: the repository permission the request requires (``emulator.permissions``).
    """

    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, re.compile(f"^{pattern.replace('{repo}', _REPO)}$"), handler))
        handler.needs = needs  # type: ignore[attr-defined]
        return handler

    return register


def find_route(method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
    """The handler and decoded path parameters for a request, or None (404)."""
    for verb, pattern, handler in _ROUTES:
        match = pattern.match(path)
        if match and verb == method:
            return handler, {k: unquote(v) for k, v in match.groupdict().items()}
    return None


def _repo(ctx: Ctx, owner: str, name: str) -> Repo:
    return ctx.store.repo(owner, name)


def _issue(ctx: Ctx, owner: str, name: str, number: str) -> Issue:
    return ctx.store.issue(_repo(ctx, owner, name), int(number))


def _int_field(data: dict[str, Any], name: str, resource: str) -> int:
    # GitHub rejects "123" (a string) for id fields: gh api users must pass -F, not -f.
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(resource, name, "invalid", f"{name} must be an integer")
    return value


def _str_list(value: Any, resource: str, field_: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ValidationFailed(resource, field_, "invalid")
    names = []
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            names.append(item["name"])
        elif isinstance(item, str):
            names.append(item)
        else:
            raise ValidationFailed(resource, field_, "invalid")
    return names


def _page(ctx: Ctx, items: list[Any], shape: Callable[[Any], Json]) -> Response:
    """Slice ``items`` by ``page``/``per_page`` and add GitHub's ``Link`` header."""
    req = ctx.req
    try:
        per_page = min(max(int(req.arg("per_page", "30") or 30), 1), 100)
        page = max(int(req.arg("page", "1") or 1), 1)
    except ValueError:
        raise ValidationFailed("Query", "page", "invalid") from None
    start = (page - 1) * per_page
    body = [shape(item) for item in items[start : start + per_page]]
    last = max(math.ceil(len(items) / per_page), 1)
    links = []

    path = _by_repository_id(ctx, req.path)

    def url(n: int) -> str:
        query = {k: v[-1] for k, v in req.query.items()} | {"page": str(n)}
        return f"<{ctx.urls.api}{path}?{urlencode(query)}>"

    if page < last:
        links += [f'{url(page + 1)}; rel="next"', f'{url(last)}; rel="last"']
    if page > 1:
        links += [f'{url(1)}; rel="first"', f'{url(min(page - 1, last))}; rel="prev"']
    headers = {"Link": ", ".join(links)} if links else {}
    return Response(200, body, headers)


_REPO_PREFIX = re.compile(r"^/repos/([^/]+)/([^/]+)(/.*)?$")
_REPOSITORIES_PREFIX = re.compile(r"^/repositories/([0-9]+)(/.*)?$")


def _by_repository_id(ctx: Ctx, path: str) -> str:
    """github.com's pagination links name the repository by id: ``/repositories/ID/...``."""
    match = _REPO_PREFIX.match(path)
    if match is None:
        return path
    repo = ctx.store.repo(unquote(match[1]), unquote(match[2]))
    return f"/repositories/{repo.id}{match[3] or ''}"


def _by_owner_and_name(store: Store, path: str) -> str:
    """``/repositories/ID/...`` (what those links point at) as ``/repos/OWNER/NAME/...``."""
    match = _REPOSITORIES_PREFIX.match(path)
    if match is None:
        return path
    repo = store.repo_by_id(int(match[1]))
    return f"/repos/{repo.full_name}{match[2] or ''}"


def _created(body: Json) -> Response:
    return Response(201, body, {"Location": body["url"]})


# -- meta ------------------------------------------------------------------------------


@route("GET", "/")
def get_root(ctx: Ctx) -> Response:
    return Response(200, shapes.root(ctx.urls))


@route("GET", "/rate_limit")
def get_rate_limit(ctx: Ctx) -> Response:
    remaining, reset = ctx.rate
    return Response(200, shapes.rate_limit(RATE_LIMIT, remaining, reset))


@route("GET", "/user")
def get_viewer(ctx: Ctx) -> Response:
    if ctx.viewer.user.type == "Bot":
        # An installation token is not a user: GitHub refuses /user (viewer.login works).
        return Response(403, error_body("Resource not accessible by integration", 403))
    return Response(200, shapes.full_user(ctx.urls, ctx.viewer.user, private=True))


@route("GET", "/users/(?P<login>[^/]+)")
def get_user(ctx: Ctx, login: str) -> Response:
    return Response(200, shapes.full_user(ctx.urls, ctx.store.get_user(login), private=False))


@route("GET", "{repo}/collaborators/(?P<username>[^/]+)/permission")
def get_collaborator_permission(ctx: Ctx, owner: str, name: str, username: str) -> Response:
    repo = _repo(ctx, owner, name)
    if not permissions.allowed(ctx.viewer, repo, permissions.ASK_PERMISSION):
        if repo.private:
            raise NotFoundError()
        return Response(403, error_body(permissions.ASK_PERMISSION_REFUSED, 403))
    user = ctx.store.get_user(unquote(username))
    role = permissions.permission(ctx.store.standing(user), repo)
    base_role = permissions.LEGACY_BASE_ROLE[role]
    return Response(200, shapes.collaborator_permission(ctx.urls, user, role, base_role))


@route("GET", "/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)")
def get_repo(ctx: Ctx, owner: str, name: str) -> Response:
    return Response(200, shapes.repository(ctx.urls, _repo(ctx, owner, name)))


# -- issues ----------------------------------------------------------------------------


@route("GET", "{repo}/issues")
def list_issues(ctx: Ctx, owner: str, name: str) -> Response:
    state = ctx.req.arg("state", "open") or "open"
    if state not in ("open", "closed", "all"):
        raise ValidationFailed("Issue", "state", "invalid")
    labels = [lb for lb in (ctx.req.arg("labels") or "").split(",") if lb]
    issues = ctx.store.list_issues(_repo(ctx, owner, name), state=state, labels=labels)
    return _page(ctx, issues, lambda i: shapes.issue(ctx.urls, ctx.store, i))


@route("POST", "{repo}/issues")
def create_issue(ctx: Ctx, owner: str, name: str) -> Response:
    data = ctx.obj()
    issue = ctx.store.create_issue(
        _repo(ctx, owner, name),
        ctx.viewer,
        data.get("title") or "",
        data.get("body"),
        _str_list(data.get("labels", []), "Issue", "labels"),
        _str_list(data.get("assignees", []), "Issue", "assignees"),
    )
    return _created(shapes.issue(ctx.urls, ctx.store, issue))


@route("GET", "{repo}/issues/(?P<number>[0-9]+)")
def get_issue(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    return Response(200, shapes.issue(ctx.urls, ctx.store, _issue(ctx, owner, name, number)))


@route("PATCH", "{repo}/issues/(?P<number>[0-9]+)")
def update_issue(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    data = ctx.obj()
    issue = _issue(ctx, owner, name, number)
    if issue.user is not ctx.viewer.user or {"labels", "assignees"} & set(data):
        permissions.require(ctx.viewer, issue.repo, permissions.EDIT_ISSUE)
    labels = data.get("labels")
    assignees = data.get("assignees")
    ctx.store.update_issue(
        issue,
        ctx.viewer,
        title=data.get("title"),
        body=data.get("body"),
        state=data.get("state"),
        state_reason=data.get("state_reason"),
        labels=None if labels is None else _str_list(labels, "Issue", "labels"),
        assignees=None if assignees is None else _str_list(assignees, "Issue", "assignees"),
    )
    return Response(200, shapes.issue(ctx.urls, ctx.store, issue))


# -- comments --------------------------------------------------------------------------


@route("GET", "{repo}/issues/(?P<number>[0-9]+)/comments")
def list_comments(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    since_text = ctx.req.arg("since")
    try:
        since = parse_timestamp(since_text) if since_text else None
    except ValueError:
        raise ValidationFailed("Query", "since", "invalid") from None
    comments = ctx.store.list_comments(_issue(ctx, owner, name, number), since=since)
    return _page(ctx, comments, lambda c: shapes.comment(ctx.urls, c))


@route("POST", "{repo}/issues/(?P<number>[0-9]+)/comments")
def create_comment(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    body = ctx.obj().get("body")
    comment = ctx.store.add_comment(_issue(ctx, owner, name, number), ctx.viewer, body)
    return _created(shapes.comment(ctx.urls, comment))


@route("GET", "{repo}/issues/comments/(?P<cid>[0-9]+)")
def get_comment(ctx: Ctx, owner: str, name: str, cid: str) -> Response:
    comment = ctx.store.comment(_repo(ctx, owner, name), int(cid))
    return Response(200, shapes.comment(ctx.urls, comment))


@route("PATCH", "{repo}/issues/comments/(?P<cid>[0-9]+)")
def update_comment(ctx: Ctx, owner: str, name: str, cid: str) -> Response:
    comment = ctx.store.comment(_repo(ctx, owner, name), int(cid))
    _may_change(ctx, comment)
    ctx.store.update_comment(comment, ctx.obj().get("body"))
    return Response(200, shapes.comment(ctx.urls, comment))


@route("DELETE", "{repo}/issues/comments/(?P<cid>[0-9]+)")
def delete_comment(ctx: Ctx, owner: str, name: str, cid: str) -> Response:
    comment = ctx.store.comment(_repo(ctx, owner, name), int(cid))
    _may_change(ctx, comment)
    ctx.store.delete_comment(comment)
    return Response(204)


def _may_change(ctx: Ctx, comment: Comment) -> None:
    """Anyone may edit their own comment; someone else's needs write access."""
    if comment.user is not ctx.viewer.user:
        permissions.require(ctx.viewer, comment.issue.repo, permissions.EDIT_OTHERS_COMMENT)


# -- repository labels -----------------------------------------------------------------


@route("GET", "{repo}/labels")
def list_labels(ctx: Ctx, owner: str, name: str) -> Response:
    repo = _repo(ctx, owner, name)
    return _page(ctx, ctx.store.list_labels(repo), lambda lb: shapes.label(ctx.urls, repo, lb))


@route("POST", "{repo}/labels", needs=permissions.CONTENTS)
def create_label(ctx: Ctx, owner: str, name: str) -> Response:
    data = ctx.obj()
    repo = _repo(ctx, owner, name)
    label = ctx.store.create_label(
        repo, data.get("name") or "", data.get("color"), data.get("description")
    )
    return _created(shapes.label(ctx.urls, repo, label))


@route("GET", "{repo}/labels/(?P<label>[^/]+)")
def get_label(ctx: Ctx, owner: str, name: str, label: str) -> Response:
    repo = _repo(ctx, owner, name)
    return Response(200, shapes.label(ctx.urls, repo, ctx.store.label(repo, label)))


@route("PATCH", "{repo}/labels/(?P<label>[^/]+)", needs=permissions.CONTENTS)
def update_label(ctx: Ctx, owner: str, name: str, label: str) -> Response:
    data = ctx.obj()
    repo = _repo(ctx, owner, name)
    updated = ctx.store.update_label(
        repo,
        label,
        new_name=data.get("new_name"),
        color=data.get("color"),
        description=data.get("description"),
    )
    return Response(200, shapes.label(ctx.urls, repo, updated))


@route("DELETE", "{repo}/labels/(?P<label>[^/]+)", needs=permissions.CONTENTS)
def delete_label(ctx: Ctx, owner: str, name: str, label: str) -> Response:
    ctx.store.delete_label(_repo(ctx, owner, name), label)
    return Response(204)


# -- issue labels ----------------------------------------------------------------------


def _labels_of(ctx: Ctx, issue: Issue) -> Response:
    return Response(200, [shapes.label(ctx.urls, issue.repo, lb) for lb in issue.labels])


def _label_names(ctx: Ctx) -> list[str]:
    data = ctx.json()
    # GitHub takes {"labels": [...]}, a bare array, or [{"name": ...}].
    value = data.get("labels", []) if isinstance(data, dict) else data
    return _str_list(value, "Label", "labels")


@route("GET", "{repo}/issues/(?P<number>[0-9]+)/labels")
def list_issue_labels(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    issue = _issue(ctx, owner, name, number)
    return _page(ctx, list(issue.labels), lambda lb: shapes.label(ctx.urls, issue.repo, lb))


@route("POST", "{repo}/issues/(?P<number>[0-9]+)/labels", needs=permissions.LABEL)
def add_issue_labels(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    issue = _issue(ctx, owner, name, number)
    ctx.store.add_labels(issue, _label_names(ctx))
    return _labels_of(ctx, issue)


@route("PUT", "{repo}/issues/(?P<number>[0-9]+)/labels", needs=permissions.LABEL)
def set_issue_labels(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    issue = _issue(ctx, owner, name, number)
    ctx.store.set_labels(issue, _label_names(ctx))
    return _labels_of(ctx, issue)


@route("DELETE", "{repo}/issues/(?P<number>[0-9]+)/labels", needs=permissions.LABEL)
def clear_issue_labels(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    ctx.store.clear_labels(_issue(ctx, owner, name, number))
    return Response(204)


@route(
    "DELETE", "{repo}/issues/(?P<number>[0-9]+)/labels/(?P<label>[^/]+)", needs=permissions.LABEL
)
def remove_issue_label(ctx: Ctx, owner: str, name: str, number: str, label: str) -> Response:
    issue = _issue(ctx, owner, name, number)
    ctx.store.remove_label(issue, label)
    return _labels_of(ctx, issue)


# -- sub-issues ------------------------------------------------------------------------


@route("GET", "{repo}/issues/(?P<number>[0-9]+)/sub_issues")
def list_sub_issues(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    parent = _issue(ctx, owner, name, number)
    return _page(ctx, list(parent.sub_issues), lambda i: shapes.issue(ctx.urls, ctx.store, i))


@route("POST", "{repo}/issues/(?P<number>[0-9]+)/sub_issues")
def add_sub_issue(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    data = ctx.obj()
    parent = _issue(ctx, owner, name, number)
    child = ctx.store.issue_by_id(_int_field(data, "sub_issue_id", "Issue"))
    ctx.store.add_sub_issue(parent, child, replace_parent=bool(data.get("replace_parent")))
    return _created(shapes.issue(ctx.urls, ctx.store, parent))


@route("DELETE", "{repo}/issues/(?P<number>[0-9]+)/sub_issue")
def remove_sub_issue(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    parent = _issue(ctx, owner, name, number)
    child = ctx.store.issue_by_id(_int_field(ctx.obj(), "sub_issue_id", "Issue"))
    ctx.store.remove_sub_issue(parent, child)
    return Response(200, shapes.issue(ctx.urls, ctx.store, parent))


@route("PATCH", "{repo}/issues/(?P<number>[0-9]+)/sub_issues/priority")
def reprioritize_sub_issue(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    data = ctx.obj()
    parent = _issue(ctx, owner, name, number)
    child = ctx.store.issue_by_id(_int_field(data, "sub_issue_id", "Issue"))
    after = ctx.store.issue_by_id(data["after_id"]) if data.get("after_id") else None
    before = ctx.store.issue_by_id(data["before_id"]) if data.get("before_id") else None
    ctx.store.reprioritize_sub_issue(parent, child, after=after, before=before)
    return Response(200, shapes.issue(ctx.urls, ctx.store, parent))


@route("GET", "{repo}/issues/(?P<number>[0-9]+)/parent")
def get_parent(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    parent = _issue(ctx, owner, name, number).parent
    if parent is None:
        raise NotFoundError()
    return Response(200, shapes.issue(ctx.urls, ctx.store, parent))


# -- issue dependencies ----------------------------------------------------------------


@route("GET", "{repo}/issues/(?P<number>[0-9]+)/dependencies/blocked_by")
def list_blocked_by(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    issue = _issue(ctx, owner, name, number)
    return _page(ctx, list(issue.blocked_by), lambda i: shapes.issue(ctx.urls, ctx.store, i))


@route("GET", "{repo}/issues/(?P<number>[0-9]+)/dependencies/blocking")
def list_blocking(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    issue = _issue(ctx, owner, name, number)
    return _page(ctx, list(issue.blocking), lambda i: shapes.issue(ctx.urls, ctx.store, i))


@route("POST", "{repo}/issues/(?P<number>[0-9]+)/dependencies/blocked_by")
def add_blocked_by(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    issue = _issue(ctx, owner, name, number)
    blocker = ctx.store.issue_by_id(_int_field(ctx.obj(), "issue_id", "Issue"))
    ctx.store.add_blocked_by(issue, blocker)
    return _created(shapes.issue(ctx.urls, ctx.store, blocker))


@route("DELETE", "{repo}/issues/(?P<number>[0-9]+)/dependencies/blocked_by/(?P<issue_id>[0-9]+)")
def remove_blocked_by(ctx: Ctx, owner: str, name: str, number: str, issue_id: str) -> Response:
    issue = _issue(ctx, owner, name, number)
    blocker = ctx.store.remove_blocked_by(issue, ctx.store.issue_by_id(int(issue_id)))
    return Response(200, shapes.issue(ctx.urls, ctx.store, blocker))


# -- pull requests ---------------------------------------------------------------------


@route("GET", "{repo}/pulls")
def list_pulls(ctx: Ctx, owner: str, name: str) -> Response:
    state = ctx.req.arg("state", "open") or "open"
    if state not in ("open", "closed", "all"):
        raise ValidationFailed("PullRequest", "state", "invalid")
    pulls = ctx.store.list_pulls(
        _repo(ctx, owner, name), state=state, head=ctx.req.arg("head"), base=ctx.req.arg("base")
    )
    return _page(ctx, pulls, lambda p: shapes.pull(ctx.urls, p, full=False))


@route("POST", "{repo}/pulls")
def create_pull(ctx: Ctx, owner: str, name: str) -> Response:
    data = ctx.obj()
    for required in ("head", "base"):
        if not isinstance(data.get(required), str) or not data[required]:
            raise ValidationFailed("PullRequest", required, "missing_field")
    pull = ctx.store.create_pull(
        _repo(ctx, owner, name),
        ctx.viewer,
        data.get("title") or "",
        data["head"],
        data["base"],
        data.get("body"),
        draft=bool(data.get("draft")),
    )
    return _created(shapes.pull(ctx.urls, pull))


@route("GET", "{repo}/pulls/(?P<number>[0-9]+)")
def get_pull(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    pull = ctx.store.pull(_repo(ctx, owner, name), int(number))
    return Response(200, shapes.pull(ctx.urls, pull))


@route("PATCH", "{repo}/pulls/(?P<number>[0-9]+)")
def update_pull(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    data = ctx.obj()
    pull = ctx.store.pull(_repo(ctx, owner, name), int(number))
    ctx.store.update_pull(
        pull,
        ctx.viewer,
        title=data.get("title"),
        body=data.get("body"),
        state=data.get("state"),
        base=data.get("base"),
    )
    return Response(200, shapes.pull(ctx.urls, pull))


@route("GET", "{repo}/pulls/(?P<number>[0-9]+)/merge")
def is_merged(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    if not ctx.store.pull(_repo(ctx, owner, name), int(number)).merged:
        raise NotFoundError()
    return Response(204)


@route("PUT", "{repo}/pulls/(?P<number>[0-9]+)/merge")
def merge_pull(ctx: Ctx, owner: str, name: str, number: str) -> Response:
    data = ctx.obj()
    pull = ctx.store.pull(_repo(ctx, owner, name), int(number))
    ctx.store.merge_pull(
        pull, ctx.viewer, merge_method=data.get("merge_method") or "merge", sha=data.get("sha")
    )
    return Response(200, shapes.merge_result(pull))


# -- checks: check runs and commit statuses (rules in emulator.checks) -------------------


@route("POST", "{repo}/check-runs")
def create_check_run(ctx: Ctx, owner: str, name: str) -> Response:
    run = checks.create_check_run(ctx.store, _repo(ctx, owner, name), ctx.viewer, ctx.obj())
    return _created(checks.check_run_json(ctx.urls, run))


@route("PATCH", "{repo}/check-runs/(?P<run_id>[0-9]+)")
def update_check_run(ctx: Ctx, owner: str, name: str, run_id: str) -> Response:
    repo = _repo(ctx, owner, name)
    run = checks.update_check_run(ctx.store, repo, ctx.viewer, int(run_id), ctx.obj())
    return Response(200, checks.check_run_json(ctx.urls, run))


@route("POST", "{repo}/statuses/(?P<sha>[0-9a-f]{40})")
def create_status(ctx: Ctx, owner: str, name: str, sha: str) -> Response:
    repo = _repo(ctx, owner, name)
    status = checks.create_status(ctx.store, repo, ctx.viewer, sha, ctx.obj())
    return _created(checks.status_json(ctx.urls, status))


# -- git database: commits and refs (rules in emulator.gitdb) --------------------------


@route("POST", "{repo}/git/commits")
def create_git_commit(ctx: Ctx, owner: str, name: str) -> Response:
    data = ctx.obj()
    repo = _repo(ctx, owner, name)
    commit = gitdb.create_commit(
        ctx.store,
        repo,
        ctx.viewer,
        data.get("message"),
        data.get("tree"),
        data.get("parents", []),
        data.get("author"),
        data.get("committer"),
    )
    return _created(gitdb.commit_json(commit, ctx.urls.api, ctx.urls.web, repo))


@route("POST", "{repo}/git/trees")
def create_git_tree(ctx: Ctx, owner: str, name: str) -> Response:
    data = ctx.obj()
    repo = _repo(ctx, owner, name)
    tree = gitdb.create_tree(ctx.store, repo, ctx.viewer, data.get("tree"), data.get("base_tree"))
    return _created(gitdb.tree_json(tree, ctx.urls.api, repo))


@route("GET", "{repo}/git/commits/(?P<sha>[0-9a-f]{40})")
def get_git_commit(ctx: Ctx, owner: str, name: str, sha: str) -> Response:
    repo = _repo(ctx, owner, name)
    commit = gitdb.get_commit(ctx.store, repo, ctx.viewer, sha)
    return Response(200, gitdb.commit_json(commit, ctx.urls.api, ctx.urls.web, repo))


@route("GET", "{repo}/git/ref/(?P<ref>.+)")
def get_ref(ctx: Ctx, owner: str, name: str, ref: str) -> Response:
    repo = _repo(ctx, owner, name)
    full, sha = ctx.store.get_ref(repo, ref)
    return Response(200, shapes.git_ref(ctx.urls, repo, full, sha))


@route("GET", "{repo}/git/refs/(?P<ref>.+)")
def get_refs(ctx: Ctx, owner: str, name: str, ref: str) -> Response:
    """The legacy spelling: the exact ref as an object, else every ref under it as a list."""
    repo = _repo(ctx, owner, name)
    full = f"refs/{ref.strip('/')}"
    if full in repo.refs:
        return Response(200, shapes.git_ref(ctx.urls, repo, full, repo.refs[full]))
    under = ctx.store.matching_refs(repo, f"{full}/")
    if not under:
        raise NotFoundError()
    return Response(200, [shapes.git_ref(ctx.urls, repo, r, s) for r, s in under])


@route("GET", "{repo}/git/matching-refs(?:/(?P<ref>.*))?")
def matching_refs(ctx: Ctx, owner: str, name: str, ref: str | None) -> Response:
    repo = _repo(ctx, owner, name)
    if not repo.commits:
        raise Conflict("Git Repository is empty.")
    refs = ctx.store.matching_refs(repo, ref or "")
    return Response(200, [shapes.git_ref(ctx.urls, repo, r, s) for r, s in refs])


@route("POST", "{repo}/git/refs", needs=permissions.CONTENTS)
def create_ref(ctx: Ctx, owner: str, name: str) -> Response:
    data = ctx.obj()
    repo = _repo(ctx, owner, name)
    gitdb.guarded(ctx.store, repo, ctx.viewer)
    ref, sha = ctx.store.create_ref(repo, str(data.get("ref", "")), str(data.get("sha", "")))
    return _created(shapes.git_ref(ctx.urls, repo, ref, sha))


@route("PATCH", "{repo}/git/refs/(?P<ref>.+)", needs=permissions.CONTENTS)
def update_ref(ctx: Ctx, owner: str, name: str, ref: str) -> Response:
    data = ctx.obj()
    repo = _repo(ctx, owner, name)
    gitdb.guarded(ctx.store, repo, ctx.viewer)
    full, sha = ctx.store.update_ref(
        repo, ref, str(data.get("sha", "")), force=bool(data.get("force"))
    )
    return Response(200, shapes.git_ref(ctx.urls, repo, full, sha))


@route("DELETE", "{repo}/git/refs/(?P<ref>.+)", needs=permissions.CONTENTS)
def delete_ref(ctx: Ctx, owner: str, name: str, ref: str) -> Response:
    repo = _repo(ctx, owner, name)
    gitdb.guarded(ctx.store, repo, ctx.viewer)
    ctx.store.delete_ref(repo, ref)
    return Response(204)


# -- the pipeline ----------------------------------------------------------------------


class Api:
    """Turns a parsed request into a response: auth, faults, routing, headers, ETag."""

    def __init__(self, store: Store, faults: Faults) -> None:
        self.store = store
        self.faults = faults
        self._request_ids = itertools.count(1)
        # (login, resource) -> (rate window, calls in it)
        self._used: dict[tuple[str, str], tuple[int, int]] = {}

    def handle(self, req: Request) -> Response:
        """Answer one API request (never raises for client errors)."""
        delay = self.faults.delay_s() + self._slow_s(req)
        if delay:
            time.sleep(delay)  # outside the lock: slow answers must not serialise others
        resource = "graphql" if req.path in ("/graphql", "/api/graphql") else "core"
        response, rate = self._answer(req, resource)
        return self._finish(req, response, rate, resource)

    def _slow_s(self, req: Request) -> float:
        slow = self.faults.slow_operations
        if not slow:
            return 0.0
        name = req.method
        if req.path in ("/graphql", "/api/graphql"):
            with contextlib.suppress(ValueError, AttributeError):
                payload = json.loads(req.body or b"{}")
                match = _GRAPHQL_OP.match(str(payload.get("query") or ""))
                name = payload.get("operationName") or (match.group(1) if match else name)
        return slow.get(str(name), 0) / 1000.0

    def _count(self, login: str, resource: str) -> tuple[int, int]:
        """Charge one call to ``login``; returns (remaining, reset) on the server clock."""
        window = int(self.store.clock() // RATE_WINDOW_S)
        key = (login.lower(), resource)
        seen_window, count = self._used.get(key, (window, 0))
        count = count + 1 if seen_window == window else 1
        self._used[key] = (window, count)
        return max(RATE_LIMIT - count, 0), (window + 1) * RATE_WINDOW_S

    def _answer(self, req: Request, resource: str) -> tuple[Response, tuple[int, int]]:
        auth = req.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not token.strip():
            return Response(401, error_body("Requires authentication", 401)), (
                RATE_LIMIT,
                self._reset(),
            )
        token = token.strip()
        if scheme.lower() == "bearer" and looks_like_jwt(token):
            return self._as_app(req, token), (RATE_LIMIT, self._reset())
        if self.store.apps.expired(token, self.store.clock()):
            return Response(401, error_body(BAD_CREDENTIALS, 401)), (RATE_LIMIT, self._reset())
        with self.store.lock:
            viewer = self.store.identify(token)
            rate = self._count(viewer.login, resource)
        if self.faults.roll(self.faults.throttle_rate):
            return self._throttled(), rate
        if resource == "graphql" and self.faults.roll(self.faults.graphql_rate_limit_rate):
            return self._graphql_rate_limited(viewer), (0, rate[1])
        if self.faults.roll(self.faults.error_rate):
            status = self.faults.choice((500, 502, 503))
            return Response(status, {"message": "Server Error"}), rate
        ctx = Ctx(self.store, viewer, Urls.for_host(req.host), req, rate)
        with self.store.lock:
            response = self._dispatch(ctx, resource)
        is_write = req.method != "GET" and response.status < 400
        if is_write and self.faults.roll(self.faults.ambiguous_rate):
            # The write happened; the client is told it failed.
            bad = Response(502, {"message": "Server Error"})
            bad.graphql_operation = response.graphql_operation
            return bad, rate
        return response, rate

    def _reset(self) -> int:
        return (int(self.store.clock() // RATE_WINDOW_S) + 1) * RATE_WINDOW_S

    def _as_app(self, req: Request, jwt: str) -> Response:
        """A request authenticated as a GitHub App by its JWT (emulator/apps.py)."""
        urls = Urls.for_host(req.host)

        def user(login: str) -> Json:
            return shapes.simple_user(urls, self.store.ensure_user(login))

        with self.store.lock:
            status, body = self.store.apps.answer(
                req.method, req.path, jwt, self.store.clock(), user
            )
        if isinstance(body, str):
            return Response(status, error_body(body, status))
        return Response(status, body)

    def _dispatch(self, ctx: Ctx, resource: str) -> Response:
        req = ctx.req
        try:
            if resource == "graphql":
                if req.method != "POST":
                    raise NotFoundError()
                return self._graphql(ctx)
            req.path = _by_owner_and_name(self.store, req.path)
            found = find_route(req.method, req.path)
            if found is None:
                raise NotFoundError()
            handler, params = found
            if handler.needs and "owner" in params:  # type: ignore[attr-defined]
                repo = ctx.store.repo(params["owner"], params["name"])
                permissions.require(ctx.viewer, repo, handler.needs)  # type: ignore[attr-defined]
            return handler(ctx, **params)
        except StoreError as exc:
            return Response(exc.status, error_body(exc.message, exc.status, exc.errors))

    def _graphql(self, ctx: Ctx) -> Response:
        payload = ctx.obj()
        query = payload.get("query") or ""
        operation = payload.get("operationName")
        if not operation and isinstance(query, str):
            match = _GRAPHQL_OP.match(query)
            operation = match.group(1) if match else None
        try:
            from maverick_ext.emulator.graphql import execute
        except ImportError:
            response = Response(404, error_body("GraphQL is not available", 404))
        else:
            response = Response(200, execute(self.store, ctx.viewer, payload))
        response.graphql_operation = operation
        return response

    def _throttled(self) -> Response:
        status = self.faults.choice((403, 429))
        message = (
            "You have exceeded a secondary rate limit. Please wait a few minutes before you "
            "try again."
        )
        retry_after = self.faults.throttle_retry_after_s
        # Without Retry-After a secondary limit says nothing about when to come back; the
        # primary counters stay as they are (remaining is not 0).
        headers = {"Retry-After": str(retry_after)} if retry_after else {}
        return Response(status, error_body(message, status), headers)

    def _graphql_rate_limited(self, viewer: Viewer) -> Response:
        """GraphQL's primary limit: HTTP 200, ``errors[].type`` RATE_LIMITED, no ``data``."""
        message = f"API rate limit exceeded for user ID {viewer.user.id}."
        return Response(200, {"errors": [{"type": "RATE_LIMITED", "message": message}]})

    def _finish(
        self, req: Request, response: Response, rate: tuple[int, int], resource: str
    ) -> Response:
        remaining, reset = rate
        headers = {
            "Date": email.utils.formatdate(self.store.clock(), usegmt=True),
            "Content-Type": "application/json; charset=utf-8",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-OAuth-Scopes": SCOPES,
            "X-Accepted-OAuth-Scopes": "repo",
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Used": str(RATE_LIMIT - remaining),
            "X-RateLimit-Reset": str(reset),
            "X-RateLimit-Resource": resource,
            "X-GitHub-Request-Id": f"EMU0:{next(self._request_ids):08X}",
        }
        headers.update(response.headers)
        payload = response.encoded()
        if response.status == 200 and payload:
            etag = f'W/"{hashlib.sha256(payload).hexdigest()[:32]}"'
            headers["ETag"] = etag
            if req.method == "GET" and etag in _etags(req.headers.get("if-none-match", "")):
                return Response(304, None, headers)
        response.headers = headers
        return response


def _etags(header: str) -> set[str]:
    tags = {t.strip() for t in header.split(",") if t.strip()}
    # Strong and weak forms of one tag match for GET (weak comparison).
    return tags | {t[2:] if t.startswith("W/") else f"W/{t}" for t in tags}
