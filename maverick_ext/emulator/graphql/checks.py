"""A commit's status rollup and a pull request's mergeability (rules in emulator/checks.py)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from maverick_ext.emulator import checks
from maverick_ext.emulator.graphql.pulls import fresh
from maverick_ext.emulator.graphql.resolvers import by_position, connection, ctx, resolves
from maverick_ext.emulator.store import Pull


def _mergeable(pull: Pull, info: GraphQLResolveInfo) -> str:
    """One reading per request: UNKNOWN the first time after the head or base moved."""
    readings = ctx(info).readings
    key = ("mergeable", pull.id)
    if key not in readings:
        readings[key] = checks.mergeable(ctx(info).store, fresh(info, pull))
    return str(readings[key])


@resolves("PullRequest", "mergeable")
def pull_mergeable(pull: Pull, info: GraphQLResolveInfo) -> str:
    return _mergeable(pull, info)


@resolves("PullRequest", "mergeStateStatus")
def pull_merge_state(pull: Pull, info: GraphQLResolveInfo) -> str:
    return checks.merge_state_status(ctx(info).store, fresh(info, pull), _mergeable(pull, info))


@resolves("Commit", "statusCheckRollup")
def commit_rollup(commit: dict[str, Any], _: GraphQLResolveInfo) -> dict[str, Any] | None:
    items = checks.contexts(commit["repository"], commit["oid"])
    if not items:
        return None  # GitHub: no rollup for a commit nothing reported on
    return {"id": f"SCR_{commit['oid']}", "state": checks.rollup_state(items), "items": items}


@resolves("StatusCheckRollup", "contexts")
def rollup_contexts(rollup: dict[str, Any], info: GraphQLResolveInfo, **args: Any) -> Any:
    nodes = [checks.graphql_context(item) for item in rollup["items"]]
    return connection(info, *by_position(nodes), args)
