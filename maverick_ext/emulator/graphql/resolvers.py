"""Field resolvers mapping the GraphQL subset onto the emulator's Store objects.

Queries read the store's dataclasses directly; every write goes through a Store method so
GitHub's rules (labels created on first use, ids, ``updated_at`` bumps, closing) live in one
place. PRs are ``Pull`` objects whose issue-side data (number, title, labels, comments) sits
on ``pull.issue``; wherever a value may be a PR, ``subject()`` turns an issue into its Pull.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)

from maverick_ext.emulator import checks
from maverick_ext.emulator.graphql.connection import check_bounds, paginate
from maverick_ext.emulator.permissions import allowed, permission
from maverick_ext.emulator.store import (
    BOT_SUFFIX,
    Comment,
    Issue,
    Label,
    NotFoundError,
    Pull,
    Repo,
    Store,
    User,
    Viewer,
)

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


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def _by_position(items: list[Any]) -> tuple[list[Any], Callable[[Any], tuple[int]]]:
    """Manual orders (sub-issue priority, dependency lists) page by position."""
    index = {id(item): i for i, item in enumerate(items)}
    return items, lambda item: (index[id(item)],)


def _order_issues(issues: list[Issue], order: dict[str, str] | None) -> dict[str, Any]:
    field = (order or {}).get("field", "CREATED_AT")
    descending = (order or {}).get("direction", "ASC") == "DESC"
    sort_key: Callable[[Issue], tuple[int, int]] = {
        "CREATED_AT": lambda i: (_ts(i.created_at), i.number),
        "UPDATED_AT": lambda i: (_ts(i.updated_at), i.number),
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


def _avatar(user: User) -> str:
    return f"{WEB_BASE}/avatars/u/{user.id}?v=4"


# -- Query -----------------------------------------------------------------------------


@resolves("Query", "viewer")
def q_viewer(_: None, info: GraphQLResolveInfo) -> User:
    return ctx(info).viewer.user


@resolves("Query", "repository")
def q_repository(_: None, info: GraphQLResolveInfo, owner: str, name: str, **__: Any) -> Repo:
    try:
        return ctx(info).store.repo(owner, name)
    except NotFoundError:
        raise GitHubError(
            "NOT_FOUND", f"Could not resolve to a Repository with the name '{owner}/{name}'."
        ) from None


@resolves("Query", "user")
def q_user(_: None, info: GraphQLResolveInfo, login: str) -> User:
    user = ctx(info).store.users.get(login.lower())
    if user is None:
        raise GitHubError("NOT_FOUND", f"Could not resolve to a User with the login of '{login}'.")
    return user


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


# -- search ----------------------------------------------------------------------------

_TERM = re.compile(r'(-?)(\w+):("[^"]*"|\S+)|("[^"]*"|\S+)')


@dataclass
class IssueSearch:
    """GitHub's legacy issue search syntax, the qualifiers scripts and gh use."""

    repo: str | None = None
    kind: str | None = None  # "issue" or "pr"
    state: str | None = None  # "open", "closed" or "merged"
    labels: tuple[tuple[str, ...], ...] = ()  # all groups must match; any label within one
    without_labels: tuple[str, ...] = ()
    author: str | None = None
    assignee: str | None = None
    no_label: bool = False
    sort: str = "created-desc"
    words: tuple[str, ...] = ()

    @classmethod
    def parse(cls, query: str) -> IssueSearch:
        out = cls()
        labels: list[tuple[str, ...]] = []
        without: list[str] = []
        words: list[str] = []
        for m in _TERM.finditer(query):
            neg, qual, raw, word = m.groups()
            if word is not None:
                words.append(word.strip('"').lower())
                continue
            value = raw.strip('"')
            qual = qual.lower()
            if qual == "label" and neg:
                without.append(value.lower())
            elif qual == "label":
                labels.append(tuple(v.strip('"').lower() for v in value.split(",")))
            elif qual == "repo":
                out.repo = value.lower()
            elif qual in ("is", "type", "state"):
                value = value.lower()
                if value in ("issue", "pr", "pull-request"):
                    out.kind = "issue" if value == "issue" else "pr"
                elif value in ("open", "closed", "merged"):
                    out.state = value
            elif qual == "author":
                out.author = value.lower()
            elif qual == "assignee":
                out.assignee = value.lower()
            elif qual == "no" and value.lower() == "label":
                out.no_label = True
            elif qual == "sort":
                out.sort = value.lower()
        out.labels, out.without_labels, out.words = tuple(labels), tuple(without), tuple(words)
        return out

    def matches(self, issue: Issue) -> bool:
        names = {lb.name.lower() for lb in issue.labels}
        checks = (
            self.repo is None or issue.repo.full_name.lower() == self.repo,
            self.kind is None or (self.kind == "pr") == issue.is_pull,
            self.state is None
            or (self.state == "merged" and bool(issue.pull and issue.pull.merged))
            or issue.state == self.state,
            all(names.intersection(group) for group in self.labels),
            not names.intersection(self.without_labels),
            not (self.no_label and names),
            self.author is None or issue.user.login.lower() == self.author,
            self.assignee is None or any(a.login.lower() == self.assignee for a in issue.assignees),
            all(w in f"{issue.title}\n{issue.body or ''}".lower() for w in self.words),
        )
        return all(checks)

    def order(self) -> dict[str, str]:
        field, _, direction = self.sort.partition("-")
        fields = {"created": "CREATED_AT", "updated": "UPDATED_AT", "comments": "COMMENTS"}
        return {
            "field": fields.get(field, "CREATED_AT"),
            "direction": "ASC" if direction == "asc" else "DESC",
        }


@resolves("Query", "search")
def q_search(_: None, info: GraphQLResolveInfo, type: str, query: str, **args: Any) -> Any:
    store = ctx(info).store
    empty = {
        "issueCount": 0,
        "repositoryCount": 0,
        "userCount": 0,
        "codeCount": 0,
        "discussionCount": 0,
        "wikiCount": 0,
    }
    if type == "ISSUE":
        search = IssueSearch.parse(query)
        found = [i for r in store.repos.values() for i in r.issues.values() if search.matches(i)]
        ordered = _order_issues(found, search.order())
        # Cursors must be unique across repositories, hence the repository id in the key.
        page = connection(
            info,
            [subject(i) for i in ordered["items"]],
            lambda s: (*ordered["key"](as_issue(s)), as_issue(s).repo.id),
            args,
            descending=ordered["descending"],
        )
        return {**page, **empty, "issueCount": page["totalCount"]}
    words = [w.lower() for w in query.split() if ":" not in w]
    if type == "REPOSITORY":
        repos = sorted(store.repos.values(), key=lambda r: r.id)
        hits = [r for r in repos if all(w in r.full_name.lower() for w in words)]
        page = connection(info, hits, lambda r: (r.id,), args)
        return {**page, **empty, "repositoryCount": page["totalCount"]}
    if type == "USER":
        users = sorted(store.users.values(), key=lambda u: u.id)
        people = [u for u in users if all(w in u.login.lower() for w in words)]
        page = connection(info, people, lambda u: (u.id,), args)
        return {**page, **empty, "userCount": page["totalCount"]}
    return {**connection(info, [], lambda x: (0,), args), **empty}


# -- actors ----------------------------------------------------------------------------


@resolves("User", "avatarUrl")
@resolves("Bot", "avatarUrl")
@resolves("Organization", "avatarUrl")
@resolves("Mannequin", "avatarUrl")
def actor_avatar(user: User, _: GraphQLResolveInfo, **__: Any) -> str:
    return _avatar(user)


@resolves("User", "url")
@resolves("Bot", "url")
@resolves("Organization", "url")
@resolves("Mannequin", "url")
def actor_url(user: User, info: GraphQLResolveInfo) -> str:
    return WEB_BASE + actor_path(user, info)


@resolves("User", "resourcePath")
@resolves("Bot", "resourcePath")
@resolves("Organization", "resourcePath")
@resolves("Mannequin", "resourcePath")
def actor_path(user: User, _: GraphQLResolveInfo) -> str:
    if user.type == "Bot":
        return f"/apps/{user.login.removesuffix(BOT_SUFFIX)}"
    return f"/{user.login}"


@resolves("Bot", "login")
def bot_login(user: User, _: GraphQLResolveInfo) -> str:
    # GraphQL names a Bot by its slug; REST and `viewer.login` say `slug[bot]`.
    return user.login.removesuffix(BOT_SUFFIX)


@resolves("User", "email")
def user_email(_: User, __: GraphQLResolveInfo) -> str:
    return ""  # GitHub answers "" unless the email is public


# -- Repository ------------------------------------------------------------------------


def _repo_fields() -> dict[str, Callable[[Repo, GraphQLResolveInfo], Any]]:
    return {
        "nameWithOwner": lambda r, _: r.full_name,
        "url": lambda r, _: WEB_BASE + repo_path(r),
        "resourcePath": lambda r, _: repo_path(r),
        "isPrivate": lambda r, _: r.private,
        "visibility": lambda r, _: "PRIVATE" if r.private else "PUBLIC",
        "hasIssuesEnabled": lambda r, _: True,
        "hasProjectsEnabled": lambda r, _: True,
        "hasWikiEnabled": lambda r, _: True,
        "isArchived": lambda r, _: False,
        "isFork": lambda r, _: False,
        "archivedAt": lambda r, _: None,
        "deleteBranchOnMerge": lambda r, _: False,
        "isEmpty": lambda r, _: not r.commits,
        "isInOrganization": lambda r, _: r.owner.type == "Organization",
        "isTemplate": lambda r, _: False,
        "sshUrl": lambda r, _: f"git@{WEB_BASE.split('://', 1)[1]}:{r.full_name}.git",
        "stargazerCount": lambda r, _: 0,
        "forkCount": lambda r, _: 0,
        "viewerCanAdminister": lambda r, info: ctx(info).viewer.association_for(r) == "OWNER",
        "viewerDefaultMergeMethod": lambda r, _: "MERGE",
        "homepageUrl": lambda r, _: None,
        "parent": lambda r, _: None,
        "mergeCommitAllowed": lambda r, _: True,
        "rebaseMergeAllowed": lambda r, _: True,
        "squashMergeAllowed": lambda r, _: True,
        "viewerPermission": lambda r, info: permission(ctx(info).viewer, r).upper(),
        "defaultBranchRef": lambda r, _: _ref(r, r.default_branch),
    }


for _name, _fn in _repo_fields().items():
    RESOLVERS.setdefault("Repository", {})[_name] = _fn


def _ref(repo: Repo, branch: str) -> dict[str, Any]:
    return {
        "__typename": "Ref",
        "id": f"REF_{repo.id}:{branch}",
        "name": branch,
        "prefix": "refs/heads/",
        "repository": repo,
    }


def _lookup(repo: Repo, store: Store, number: int) -> Issue:
    try:
        return store.issue(repo, number)
    except NotFoundError:
        raise GitHubError(
            "NOT_FOUND",
            f"Could not resolve to an issue or pull request with the number of {number}.",
        ) from None


@resolves("Repository", "issueOrPullRequest")
def repo_issue_or_pr(repo: Repo, info: GraphQLResolveInfo, number: int) -> Issue | Pull:
    return subject(_lookup(repo, ctx(info).store, number))


@resolves("Repository", "issue")
def repo_issue(repo: Repo, info: GraphQLResolveInfo, number: int) -> Issue:
    issue = repo.issues.get(number)
    if issue is None or issue.is_pull:
        raise GitHubError(
            "NOT_FOUND", f"Could not resolve to an Issue with the number of {number}."
        )
    return issue


@resolves("Repository", "pullRequest")
def repo_pull(repo: Repo, info: GraphQLResolveInfo, number: int) -> Pull:
    issue = repo.issues.get(number)
    if issue is None or issue.pull is None:
        raise GitHubError(
            "NOT_FOUND", f"Could not resolve to a PullRequest with the number of {number}."
        )
    return issue.pull


def _filter_issues(
    issues: Iterable[Issue],
    states: list[str] | None,
    labels: list[str] | None,
    filter_by: dict[str, Any] | None,
) -> list[Issue]:
    filter_by = filter_by or {}
    states = states or filter_by.get("states")
    labels = labels or filter_by.get("labels")
    wanted_states = {s.lower() for s in states} if states else None
    # The issues connection matches ANY of the given labels (unlike REST's comma list).
    wanted_labels = {n.lower() for n in labels} if labels else None
    since = filter_by.get("since")
    people = {
        "assignee": lambda i, login: (
            (login == "*" and bool(i.assignees))
            or any(a.login.lower() == login for a in i.assignees)
        ),
        "createdBy": lambda i, login: i.user.login.lower() == login,
        "mentioned": lambda i, login: f"@{login}" in (i.body or "").lower(),
    }
    out = []
    for issue in issues:
        if wanted_states is not None and issue.state not in wanted_states:
            continue
        if wanted_labels is not None and not wanted_labels & {x.name.lower() for x in issue.labels}:
            continue
        if since is not None and issue.updated_at < since:
            continue
        if any(
            filter_by.get(arg) and not test(issue, filter_by[arg].lower())
            for arg, test in people.items()
        ):
            continue
        out.append(issue)
    return out


@resolves("Repository", "issues")
def repo_issues(
    repo: Repo,
    info: GraphQLResolveInfo,
    states: list[str] | None = None,
    labels: list[str] | None = None,
    orderBy: dict[str, str] | None = None,
    filterBy: dict[str, Any] | None = None,
    **args: Any,
) -> dict[str, Any]:
    plain = [i for i in repo.issues.values() if not i.is_pull]
    ordered = _order_issues(_filter_issues(plain, states, labels, filterBy), orderBy)
    return connection(
        info, ordered["items"], ordered["key"], args, descending=ordered["descending"]
    )


def pr_state(pull: Pull) -> str:
    if pull.merged:
        return "MERGED"
    return "OPEN" if pull.issue.state == "open" else "CLOSED"


@resolves("Repository", "pullRequests")
def repo_pulls(
    repo: Repo,
    info: GraphQLResolveInfo,
    states: list[str] | None = None,
    labels: list[str] | None = None,
    headRefName: str | None = None,
    baseRefName: str | None = None,
    orderBy: dict[str, str] | None = None,
    **args: Any,
) -> dict[str, Any]:
    pulls = [
        i.pull
        for i in _filter_issues(repo.issues.values(), None, labels, None)
        if i.pull is not None
        and (not states or pr_state(i.pull) in states)
        and (headRefName is None or i.pull.head_ref == headRefName)
        and (baseRefName is None or i.pull.base_ref == baseRefName)
    ]
    ordered = _order_issues([p.issue for p in pulls], orderBy)
    return connection(
        info,
        [i.pull for i in ordered["items"]],
        lambda p: ordered["key"](p.issue),
        args,
        descending=ordered["descending"],
    )


def _label_order(order: dict[str, str] | None) -> tuple[Callable[[Label], tuple[Any, ...]], bool]:
    by_name = (order or {}).get("field") == "NAME"
    descending = (order or {}).get("direction") == "DESC"
    if by_name:
        return (lambda lb: (lb.name.lower(), lb.id)), descending
    return (lambda lb: (lb.id,)), descending


def _labels(
    info: GraphQLResolveInfo, labels: Iterable[Label], args: dict[str, Any]
) -> dict[str, Any]:
    key, descending = _label_order(args.pop("orderBy", None))
    return connection(
        info, sorted(labels, key=key, reverse=descending), key, args, descending=descending
    )


@resolves("Repository", "labels")
def repo_labels(
    repo: Repo, info: GraphQLResolveInfo, query: str | None = None, **args: Any
) -> dict[str, Any]:
    labels: Iterable[Label] = repo.labels.values()
    if query:
        q = query.lower()
        labels = [lb for lb in labels if q in f"{lb.name}\n{lb.description or ''}".lower()]
    return _labels(info, labels, args)


@resolves("Repository", "label")
def repo_label(repo: Repo, _: GraphQLResolveInfo, name: str) -> Label | None:
    return repo.labels.get(name.lower())


# -- Label -----------------------------------------------------------------------------


def _label_repo(store: Store, label: Label) -> Repo:
    return next(r for r in store.repos.values() if r.labels.get(label.name.lower()) is label)


@resolves("Label", "repository")
def label_repo(label: Label, info: GraphQLResolveInfo) -> Repo:
    return _label_repo(ctx(info).store, label)


@resolves("Label", "isDefault")
def label_default(label: Label, _: GraphQLResolveInfo) -> bool:
    return label.default


@resolves("Label", "url", "resourcePath")
def label_url(label: Label, info: GraphQLResolveInfo) -> str:
    path = f"{repo_path(_label_repo(ctx(info).store, label))}/labels/{label.name}"
    return path if info.field_name == "resourcePath" else WEB_BASE + path


# -- Issue and the issue side of PullRequest ---------------------------------------------

_CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?):?\s+"
    r"(?:(?P<repo>[\w.-]+/[\w.-]+)?#(?P<num>\d+)|https?://\S+?/(?P<url_repo>[\w.-]+/[\w.-]+)"
    r"/issues/(?P<url_num>\d+))",
    re.IGNORECASE,
)


def closing_numbers(pull: Pull) -> set[int]:
    """Issue numbers (same repository) a PR closes through keywords in its body.

    As on GitHub, keywords only link when the PR targets the default branch.
    """
    if pull.base_ref != pull.repo.default_branch:
        return set()
    own = pull.repo.full_name.lower()
    out = set()
    for m in _CLOSING.finditer(pull.issue.body or ""):
        repo, num = (m["repo"], m["num"]) if m["num"] else (m["url_repo"], m["url_num"])
        if repo is None or repo.lower() == own:
            out.add(int(num))
    return out


def issue_field(*types: str, fields: tuple[str, ...]) -> Callable[[Resolver], Resolver]:
    """Register an Issue resolver for PullRequest too, unwrapping the Pull to its issue."""

    def register(fn: Resolver) -> Resolver:
        def on_pull(pull: Pull, info: GraphQLResolveInfo, **args: Any) -> Any:
            return fn(pull.issue, info, **args)

        for name in fields:
            RESOLVERS.setdefault("Issue", {})[name] = fn
            if "PullRequest" in types:
                RESOLVERS.setdefault("PullRequest", {})[name] = on_pull
        return fn

    return register


BOTH = ("Issue", "PullRequest")


@issue_field(*BOTH, fields=("number",))
def i_number(issue: Issue, _: GraphQLResolveInfo) -> int:
    return issue.number


@issue_field(*BOTH, fields=("title",))
def i_title(issue: Issue, _: GraphQLResolveInfo) -> str:
    return issue.title


@issue_field(*BOTH, fields=("body",))
def i_body(issue: Issue, _: GraphQLResolveInfo) -> str:
    return issue.body or ""


@issue_field(*BOTH, fields=("url",))
def i_url(issue: Issue, _: GraphQLResolveInfo) -> str:
    return WEB_BASE + issue_path(issue)


@issue_field(*BOTH, fields=("resourcePath",))
def i_path(issue: Issue, _: GraphQLResolveInfo) -> str:
    return issue_path(issue)


@issue_field(*BOTH, fields=("author",))
def i_author(issue: Issue, _: GraphQLResolveInfo) -> User:
    return issue.user


@issue_field(*BOTH, fields=("authorAssociation",))
def i_association(issue: Issue, _: GraphQLResolveInfo) -> str:
    return issue.author_association


@issue_field(*BOTH, fields=("createdAt",))
def i_created(issue: Issue, _: GraphQLResolveInfo) -> datetime:
    return issue.created_at


@issue_field(*BOTH, fields=("updatedAt",))
def i_updated(issue: Issue, _: GraphQLResolveInfo) -> datetime:
    return issue.updated_at


@issue_field(*BOTH, fields=("closedAt",))
def i_closed_at(issue: Issue, _: GraphQLResolveInfo) -> datetime | None:
    return issue.closed_at


@issue_field(*BOTH, fields=("closed",))
def i_closed(issue: Issue, _: GraphQLResolveInfo) -> bool:
    return issue.state == "closed"


@issue_field(*BOTH, fields=("locked",))
def i_locked(issue: Issue, _: GraphQLResolveInfo) -> bool:
    return issue.locked


@issue_field(*BOTH, fields=("repository",))
def i_repo(issue: Issue, _: GraphQLResolveInfo) -> Repo:
    return issue.repo


@issue_field(*BOTH, fields=("viewerDidAuthor",))
def i_viewer_did_author(issue: Issue, info: GraphQLResolveInfo) -> bool:
    return issue.user is ctx(info).viewer.user


@resolves("Issue", "fullDatabaseId")
def issue_full_id(issue: Issue, _: GraphQLResolveInfo) -> str:
    return str(issue.id)


@resolves("Issue", "isPinned")
def issue_pinned(issue: Issue, _: GraphQLResolveInfo) -> bool:
    return False


@issue_field(*BOTH, fields=("includesCreatedEdit",))
def i_edited(issue: Issue, _: GraphQLResolveInfo) -> bool:
    return False


@resolves("Issue", "issueType")
@issue_field(*BOTH, fields=("lastEditedAt", "milestone"))
def i_none(issue: Issue, _: GraphQLResolveInfo) -> None:
    return None


@issue_field(*BOTH, fields=("reactionGroups",))
def i_reactions(issue: Issue, _: GraphQLResolveInfo) -> list[Any]:
    return []


@issue_field(*BOTH, fields=("labels",))
def i_labels(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return _labels(info, issue.labels, args)


@issue_field(*BOTH, fields=("assignees",))
def i_assignees(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(info, sorted(issue.assignees, key=lambda u: u.id), lambda u: (u.id,), args)


@issue_field(*BOTH, fields=("comments",))
def i_comments(
    issue: Issue, info: GraphQLResolveInfo, orderBy: dict[str, str] | None = None, **args: Any
) -> dict[str, Any]:
    c = ctx(info)
    visible = c.store.visible_comments(issue, c.clock)
    if orderBy:  # only UPDATED_AT exists
        key: Callable[[Comment], tuple[int, ...]] = lambda cm: (_ts(cm.updated_at), cm.id)  # noqa: E731
        descending = orderBy["direction"] == "DESC"
        return connection(
            info, sorted(visible, key=key, reverse=descending), key, args, descending=descending
        )
    return connection(info, visible, lambda cm: (cm.id,), args)


@issue_field(*BOTH, fields=("projectItems",))
def i_project_items(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    args.pop("includeArchived", None)
    return connection(info, [], lambda x: (0,), args)


@resolves("Issue", "state")
def issue_state(issue: Issue, _: GraphQLResolveInfo) -> str:
    return issue.state.upper()


@resolves("Issue", "stateReason")
def issue_state_reason(
    issue: Issue, _: GraphQLResolveInfo, enableDuplicate: bool = False
) -> str | None:
    if issue.state_reason is None:
        return None
    reason = issue.state_reason.upper()
    # Clients that do not opt in see duplicates as NOT_PLANNED, as on GitHub.
    return "NOT_PLANNED" if reason == "DUPLICATE" and not enableDuplicate else reason


@resolves("Issue", "parent")
def issue_parent(issue: Issue, _: GraphQLResolveInfo) -> Issue | None:
    return issue.parent


@resolves("Issue", "subIssues")
def issue_sub_issues(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(info, *_by_position(list(issue.sub_issues)), args)


@resolves("Issue", "subIssuesSummary")
def issue_sub_summary(issue: Issue, _: GraphQLResolveInfo) -> dict[str, int]:
    total = len(issue.sub_issues)
    done = sum(1 for s in issue.sub_issues if s.state == "closed")
    percent = done * 100 // total if total else 0
    return {"total": total, "completed": done, "percentCompleted": percent}


@resolves("Issue", "blockedBy")
def issue_blocked_by(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(info, *_by_position(list(issue.blocked_by)), args)


@resolves("Issue", "blocking")
def issue_blocking(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(info, *_by_position(list(issue.blocking)), args)


@resolves("Issue", "issueDependenciesSummary")
def issue_deps_summary(issue: Issue, _: GraphQLResolveInfo) -> dict[str, int]:
    open_blockers = sum(1 for b in issue.blocked_by if b.state == "open")
    open_blocked = sum(1 for b in issue.blocking if b.state == "open")
    return {
        "blockedBy": open_blockers,
        "blocking": open_blocked,
        "totalBlockedBy": len(issue.blocked_by),
        "totalBlocking": len(issue.blocking),
    }


@resolves("Issue", "closedByPullRequestsReferences")
def issue_closed_by(
    issue: Issue,
    info: GraphQLResolveInfo,
    includeClosedPrs: bool = False,
    orderByState: bool = False,
    userLinkedOnly: bool = False,
    **args: Any,
) -> dict[str, Any]:
    pulls = [
        other.pull
        for other in sorted(issue.repo.issues.values(), key=lambda i: i.number)
        if other.pull is not None
        and not userLinkedOnly
        and issue.number in closing_numbers(other.pull)
        # includeClosedPrs=false drops closed-unmerged PRs but keeps merged ones (GitHub).
        and (includeClosedPrs or pr_state(other.pull) != "CLOSED")
    ]
    if orderByState:
        rank = {"OPEN": 0, "MERGED": 1, "CLOSED": 2}
        pulls.sort(key=lambda p: (rank[pr_state(p)], p.number))
        return connection(info, *_by_position(pulls), args)
    return connection(info, pulls, lambda p: (p.number,), args)


# -- PullRequest -----------------------------------------------------------------------


def _pull_fields() -> dict[str, Callable[[Pull, GraphQLResolveInfo], Any]]:
    return {
        "state": lambda p, _: pr_state(p),
        "headRefName": lambda p, _: p.head_ref,
        "baseRefName": lambda p, _: p.base_ref,
        "headRefOid": lambda p, info: fresh(info, p).head_sha,
        "baseRefOid": lambda p, info: fresh(info, p).base_sha,
        "isDraft": lambda p, _: p.draft,
        "mergedBy": lambda p, _: p.merged_by,
        "headRepository": lambda p, _: p.repo,
        "headRepositoryOwner": lambda p, _: p.repo.owner,
        "isCrossRepository": lambda p, _: False,
        "maintainerCanModify": lambda p, _: False,
        "autoMergeRequest": lambda p, _: None,
        "potentialMergeCommit": lambda p, _: None,
        "reviewDecision": lambda p, _: None,
        "fullDatabaseId": lambda p, _: str(p.id),
        "additions": lambda p, _: 0,
        "deletions": lambda p, _: 0,
        "changedFiles": lambda p, _: 0,
    }


for _name, _pull_fn in _pull_fields().items():
    RESOLVERS.setdefault("PullRequest", {})[_name] = _pull_fn


def fresh(info: GraphQLResolveInfo, pull: Pull) -> Pull:
    """The PR with head/base shas brought up to its branch tips (the store does that on read)."""
    return ctx(info).store.pull(pull.repo, pull.number)


def _branch_commits(pull: Pull) -> list[str]:
    """Commits on the head branch not on the base, oldest first (the PR's commit list)."""
    graph = pull.repo.commits
    on_base: set[str] = set()
    stack = [pull.base_sha]
    while stack:
        sha = stack.pop()
        if sha not in on_base:
            on_base.add(sha)
            stack.extend(graph.get(sha, ()))
    out: list[str] = []
    stack = [pull.head_sha]
    while stack:
        sha = stack.pop()
        if sha in on_base or sha in out:
            continue
        out.append(sha)
        stack.extend(graph.get(sha, ()))
    return out[::-1]


def _commit(pull: Pull, sha: str, message: str) -> dict[str, Any]:
    """A commit as GraphQL shows it; the store keeps only the graph, so the PR's author and
    creation time stand in for git metadata."""
    author = pull.issue.user
    when = pull.issue.created_at
    headline, _, body = message.partition("\n")
    return {
        "__typename": "Commit",
        "id": f"C_{sha}",
        "oid": sha,
        "message": message,
        "messageHeadline": headline,
        "messageBody": body.strip(),
        "authoredDate": when,
        "committedDate": when,
        "repository": pull.repo,
        "authors": [
            {"name": author.name or author.login, "email": "", "user": author, "date": when}
        ],
    }


@resolves("Commit", "authors")
def commit_authors(commit: dict[str, Any], info: GraphQLResolveInfo, **args: Any) -> Any:
    return connection(info, *_by_position(commit["authors"]), args)


@resolves("PullRequest", "commits")
def pull_commits(pull: Pull, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    commits = [
        {
            "__typename": "PullRequestCommit",
            "id": f"PURC_{sha}",
            "commit": _commit(pull, sha, f"Commit {sha[:7]} on {pull.head_ref}"),
        }
        for sha in _branch_commits(fresh(info, pull))
    ]
    return connection(info, *_by_position(commits), args)


@resolves("PullRequest", "mergeCommit")
def pull_merge_commit(pull: Pull, _: GraphQLResolveInfo) -> dict[str, Any] | None:
    sha = pull.merge_commit_sha
    if sha is None:
        return None
    owner = pull.repo.owner.login
    return _commit(pull, sha, f"Merge pull request #{pull.number} from {owner}/{pull.head_ref}")


@resolves("PullRequest", "mergeable")
def pull_mergeable(pull: Pull, info: GraphQLResolveInfo) -> str:
    """UNKNOWN on the first reading after the head or base moved (emulator.checks)."""
    return checks.mergeable(ctx(info).store, fresh(info, pull))


@resolves("PullRequest", "mergeStateStatus")
def pull_merge_state(pull: Pull, info: GraphQLResolveInfo) -> str:
    store = ctx(info).store
    pull = fresh(info, pull)
    known = "UNKNOWN" if pull.mergeability_for != (pull.head_sha, pull.base_sha) else None
    return checks.merge_state_status(store, pull, known or checks.mergeable(store, pull))


@resolves("Commit", "statusCheckRollup")
def commit_rollup(commit: dict[str, Any], _: GraphQLResolveInfo) -> dict[str, Any] | None:
    items = checks.contexts(commit["repository"], commit["oid"])
    if not items:
        return None  # GitHub: no rollup for a commit nothing reported on
    return {"id": f"SCR_{commit['oid']}", "state": checks.rollup_state(items), "items": items}


@resolves("StatusCheckRollup", "contexts")
def rollup_contexts(rollup: dict[str, Any], info: GraphQLResolveInfo, **args: Any) -> Any:
    nodes = [checks.graphql_context(item) for item in rollup["items"]]
    return connection(info, *_by_position(nodes), args)


@resolves("PullRequest", "assignedActors")
def pull_assigned_actors(pull: Pull, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return i_assignees(pull.issue, info, **args)


@resolves("PullRequest", "reviewRequests")
@resolves("PullRequest", "reviews")
@resolves("PullRequest", "latestReviews")
@resolves("PullRequest", "files")
def pull_no_reviews(pull: Pull, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(info, [], lambda x: (0,), args)


@resolves("PullRequest", "closingIssuesReferences")
def pull_closing(
    pull: Pull, info: GraphQLResolveInfo, userLinkedOnly: bool = False, **args: Any
) -> dict[str, Any]:
    numbers = set() if userLinkedOnly else closing_numbers(pull)
    issues = [
        pull.repo.issues[n]
        for n in sorted(numbers)
        if n in pull.repo.issues and not pull.repo.issues[n].is_pull
    ]
    return connection(info, issues, lambda i: (i.number,), args)


@resolves("PullRequest", "mergedAt")
def pull_merged_at(pull: Pull, _: GraphQLResolveInfo) -> datetime | None:
    return pull.merged_at


# -- IssueComment ----------------------------------------------------------------------


def _can_change(comment: Comment, viewer: Viewer) -> bool:
    return comment.user is viewer.user or allowed(viewer, comment.issue.repo, "write")


def _comment_fields() -> dict[str, Callable[[Comment, GraphQLResolveInfo], Any]]:
    return {
        "author": lambda c, _: c.user,
        "fullDatabaseId": lambda c, _: str(c.id),
        "issue": lambda c, _: c.issue,
        "pullRequest": lambda c, _: c.issue.pull,
        "repository": lambda c, _: c.issue.repo,
        "url": lambda c, _: f"{WEB_BASE}{issue_path(c.issue)}#issuecomment-{c.id}",
        "resourcePath": lambda c, _: f"{issue_path(c.issue)}#issuecomment-{c.id}",
        "includesCreatedEdit": lambda c, _: c.updated_at != c.created_at,
        "lastEditedAt": lambda c, _: c.updated_at if c.updated_at != c.created_at else None,
        "isMinimized": lambda c, _: False,
        "minimizedReason": lambda c, _: None,
        "reactionGroups": lambda c, _: [],
        "viewerDidAuthor": lambda c, info: c.user is ctx(info).viewer.user,
        "viewerCanUpdate": lambda c, info: _can_change(c, ctx(info).viewer),
        "viewerCanDelete": lambda c, info: _can_change(c, ctx(info).viewer),
    }


for _name, _comment_fn in _comment_fields().items():
    RESOLVERS.setdefault("IssueComment", {})[_name] = _comment_fn
