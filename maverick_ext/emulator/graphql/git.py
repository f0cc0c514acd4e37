"""GraphQL over the git database: ``Repository.ref``/``refs`` and ``updateRefs``.

The rules (compare-and-swap, atomicity, permissions) live in ``emulator.gitdb``; a
refused ``updateRefs`` becomes GitHub's generic, typeless error (see engine ``_format``).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from maverick_ext.emulator import gitdb
from maverick_ext.emulator.graphql.mutations import mutation
from maverick_ext.emulator.graphql.resolvers import _node, connection, ctx, resolves
from maverick_ext.emulator.store import Repo


@resolves("Repository", "ref")
def repo_ref(repo: Repo, info: GraphQLResolveInfo, qualifiedName: str) -> dict[str, Any] | None:
    found = gitdb.lookup_ref(repo, qualifiedName)
    if found is None:
        return None
    c = ctx(info)
    return gitdb.ref_node(c.store, repo, c.viewer, *found)


@resolves("Repository", "refs")
def repo_refs(repo: Repo, info: GraphQLResolveInfo, refPrefix: str, **args: Any) -> Any:
    c = ctx(info)
    query = args.get("query") or ""
    refs = [
        gitdb.ref_node(c.store, repo, c.viewer, name, sha)
        for name, sha in sorted(repo.refs.items())
        if name.startswith(refPrefix) and query in name[len(refPrefix) :]
    ]
    return connection(info, refs, lambda ref: (ref["prefix"] + ref["name"],), args)


@mutation("updateRefs")
def update_refs(info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    repo = _node(info, input["repositoryId"], Repo)
    c = ctx(info)
    gitdb.update_refs(c.store, repo, c.viewer, list(input["refUpdates"]))
    return {}
