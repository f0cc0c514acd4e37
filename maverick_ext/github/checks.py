"""One reading of a pull request for `pr wait`: state, mergeability, the head's checks.

One GraphQL request per reading (a further one per 100 checks past the first hundred). The
checks are the head commit's ``statusCheckRollup`` contexts, asked as gh's `pr checks`
asks them (``commits(last: 1)``, api/query_builder.go), which older GitHub Enterprise
servers answer too; ``mergeable`` and ``mergeStateStatus`` come with them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from maverick_ext.core.checks import PrState, aggregate
from maverick_ext.errors import NotFound
from maverick_ext.github.client import GhClient
from maverick_ext.github.models import MalformedAnswer

T = TypeVar("T")

PR_CHECKS_QUERY = """
query PrChecks($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      number state isDraft mergeable mergeStateStatus headRefName headRefOid
      commits(last: 1) {
        nodes {
          commit {
            oid
            statusCheckRollup {
              state
              contexts(first: 100, after: $after) {
                pageInfo { hasNextPage endCursor }
                nodes {
                  __typename
                  ... on StatusContext {
                    context state targetUrl createdAt description
                  }
                  ... on CheckRun {
                    name status conclusion startedAt completedAt detailsUrl
                    checkSuite { workflowRun { event workflow { name } } }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
"""


def read_pr(client: GhClient, number: int) -> PrState:
    repo = client.require_repo()
    variables: dict[str, Any] = {"owner": repo.owner, "name": repo.name, "number": number}
    nodes: list[dict[str, Any]] = []
    while True:
        try:
            data = client.graphql(PR_CHECKS_QUERY, {**variables}).data["data"]
        except NotFound:
            raise NotFound(
                f"pull request #{number} does not exist in {repo.full_name}",
                "check the number and -R/--repo",
            ) from None
        pull, contexts = _parsed(number, _page, data)
        nodes += contexts.get("nodes") or []
        page = contexts.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            break
        variables["after"] = page["endCursor"]
    return _parsed(number, _state, pull, nodes)


def _parsed(number: int, build: Callable[..., T], *args: Any) -> T:
    try:
        return build(*args)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise MalformedAnswer(
            f"GitHub's answer for PR #{number} lacks an expected field ({exc!r})",
            "retry; if it persists, run with --debug and report it",
        ) from None


def _page(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The pull request and its head commit's rollup contexts (none: no check reported)."""
    pull = data["repository"]["pullRequest"]
    commits = pull["commits"]["nodes"]
    rollup = commits[0]["commit"]["statusCheckRollup"] if commits else None
    return pull, rollup["contexts"] if rollup else {}


def _state(pull: dict[str, Any], nodes: list[dict[str, Any]]) -> PrState:
    commits = pull["commits"]["nodes"]
    return PrState(
        number=int(pull["number"]),
        state=str(pull["state"]),
        is_draft=bool(pull["isDraft"]),
        mergeable=str(pull["mergeable"]),
        merge_state_status=str(pull["mergeStateStatus"]),
        head_ref=str(pull["headRefName"]),
        head_sha=str(commits[0]["commit"]["oid"]) if commits else pull.get("headRefOid"),
        checks=tuple(aggregate(nodes)),
    )
