"""Issues: lookups, listings, search, and the Issue fields (most shared with PullRequest)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from graphql import GraphQLResolveInfo

from maverick_ext.emulator.graphql.labels import labels_connection
from maverick_ext.emulator.graphql.resolvers import (
    RESOLVERS,
    WEB_BASE,
    GitHubError,
    Resolver,
    as_issue,
    by_position,
    connection,
    ctx,
    epoch,
    issue_path,
    order_issues,
    pr_state,
    resolves,
    subject,
)
from maverick_ext.emulator.store import Comment, Issue, NotFoundError, Pull, Repo, Store
from maverick_ext.records import dataclass

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
        ordered = order_issues(found, search.order())
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


def filter_issues(
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
    ordered = order_issues(filter_issues(plain, states, labels, filterBy), orderBy)
    return connection(
        info, ordered["items"], ordered["key"], args, descending=ordered["descending"]
    )


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


@issue_field(*BOTH, fields=("body",))
def i_body(issue: Issue, _: GraphQLResolveInfo) -> str:
    return issue.body or ""


@issue_field(*BOTH, fields=("url",))
def i_url(issue: Issue, _: GraphQLResolveInfo) -> str:
    return WEB_BASE + issue_path(issue)


@issue_field(*BOTH, fields=("resourcePath",))
def i_path(issue: Issue, _: GraphQLResolveInfo) -> str:
    return issue_path(issue)


@issue_field(*BOTH, fields=("closed",))
def i_closed(issue: Issue, _: GraphQLResolveInfo) -> bool:
    return issue.state == "closed"


@issue_field(*BOTH, fields=("viewerDidAuthor",))
def i_viewer_did_author(issue: Issue, info: GraphQLResolveInfo) -> bool:
    return issue.user is ctx(info).viewer.user


@resolves("Issue", "fullDatabaseId")
def issue_full_id(issue: Issue, _: GraphQLResolveInfo) -> str:
    return str(issue.id)


@issue_field(*BOTH, fields=("labels",))
def i_labels(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return labels_connection(info, issue.labels, args)


@issue_field(*BOTH, fields=("assignees",))
def assignees_connection(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(info, sorted(issue.assignees, key=lambda u: u.id), lambda u: (u.id,), args)


@issue_field(*BOTH, fields=("comments",))
def i_comments(
    issue: Issue, info: GraphQLResolveInfo, orderBy: dict[str, str] | None = None, **args: Any
) -> dict[str, Any]:
    c = ctx(info)
    visible = c.store.visible_comments(issue, c.clock)
    if orderBy:  # only UPDATED_AT exists
        key: Callable[[Comment], tuple[int, ...]] = lambda cm: (epoch(cm.updated_at), cm.id)  # noqa: E731
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


@resolves("Issue", "subIssues")
def issue_sub_issues(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(info, *by_position(list(issue.sub_issues)), args)


@resolves("Issue", "subIssuesSummary")
def issue_sub_summary(issue: Issue, _: GraphQLResolveInfo) -> dict[str, int]:
    total = len(issue.sub_issues)
    done = sum(1 for s in issue.sub_issues if s.state == "closed")
    percent = done * 100 // total if total else 0
    return {"total": total, "completed": done, "percentCompleted": percent}


@resolves("Issue", "blockedBy")
def issue_blocked_by(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(info, *by_position(list(issue.blocked_by)), args)


@resolves("Issue", "blocking")
def issue_blocking(issue: Issue, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return connection(info, *by_position(list(issue.blocking)), args)


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
        return connection(info, *by_position(pulls), args)
    return connection(info, pulls, lambda p: (p.number,), args)
