"""Pull requests: lookups, listings, commits and the PullRequest fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from maverick_ext.emulator.graphql.issues import (
    assignees_connection,
    closing_numbers,
    filter_issues,
)
from maverick_ext.emulator.graphql.resolvers import (
    RESOLVERS,
    GitHubError,
    by_position,
    connection,
    ctx,
    order_issues,
    pr_state,
    resolves,
)
from maverick_ext.emulator.store import Pull, Repo


@resolves("Repository", "pullRequest")
def repo_pull(repo: Repo, info: GraphQLResolveInfo, number: int) -> Pull:
    issue = repo.issues.get(number)
    if issue is None or issue.pull is None:
        raise GitHubError(
            "NOT_FOUND", f"Could not resolve to a PullRequest with the number of {number}."
        )
    return issue.pull


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
        for i in filter_issues(repo.issues.values(), None, labels, None)
        if i.pull is not None
        and (not states or pr_state(i.pull) in states)
        and (headRefName is None or i.pull.head_ref == headRefName)
        and (baseRefName is None or i.pull.base_ref == baseRefName)
    ]
    ordered = order_issues([p.issue for p in pulls], orderBy)
    return connection(
        info,
        [i.pull for i in ordered["items"]],
        lambda p: ordered["key"](p.issue),
        args,
        descending=ordered["descending"],
    )


# -- PullRequest -----------------------------------------------------------------------


def _pull_fields() -> dict[str, Callable[[Pull, GraphQLResolveInfo], Any]]:
    return {
        "state": lambda p, _: pr_state(p),
        "headRefOid": lambda p, info: fresh(info, p).head_sha,
        "baseRefOid": lambda p, info: fresh(info, p).base_sha,
        "fullDatabaseId": lambda p, _: str(p.id),
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
        "repository": pull.repo,  # its statusCheckRollup: graphql/checks.py
        "authors": [
            {"name": author.name or author.login, "email": "", "user": author, "date": when}
        ],
    }


@resolves("Commit", "authors")
def commit_authors(commit: dict[str, Any], info: GraphQLResolveInfo, **args: Any) -> Any:
    return connection(info, *by_position(commit["authors"]), args)


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
    return connection(info, *by_position(commits), args)


@resolves("PullRequest", "mergeCommit")
def pull_merge_commit(pull: Pull, _: GraphQLResolveInfo) -> dict[str, Any] | None:
    sha = pull.merge_commit_sha
    if sha is None:
        return None
    owner = pull.repo.owner.login
    return _commit(pull, sha, f"Merge pull request #{pull.number} from {owner}/{pull.head_ref}")


@resolves("PullRequest", "assignedActors")
def pull_assigned_actors(pull: Pull, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    return assignees_connection(pull.issue, info, **args)


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
