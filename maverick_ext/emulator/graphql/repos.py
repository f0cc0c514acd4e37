"""Repository: the repository query and its scalar fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from maverick_ext.emulator.graphql.resolvers import (
    RESOLVERS,
    WEB_BASE,
    GitHubError,
    ctx,
    repo_path,
    resolves,
)
from maverick_ext.emulator.permissions import permission
from maverick_ext.emulator.store import NotFoundError, Repo


@resolves("Query", "repository")
def q_repository(_: None, info: GraphQLResolveInfo, owner: str, name: str, **__: Any) -> Repo:
    try:
        return ctx(info).store.repo(owner, name)
    except NotFoundError:
        raise GitHubError(
            "NOT_FOUND", f"Could not resolve to a Repository with the name '{owner}/{name}'."
        ) from None


# -- Repository ------------------------------------------------------------------------


def _repo_fields() -> dict[str, Callable[[Repo, GraphQLResolveInfo], Any]]:
    return {
        "url": lambda r, _: WEB_BASE + repo_path(r),
        "resourcePath": lambda r, _: repo_path(r),
        "visibility": lambda r, _: "PRIVATE" if r.private else "PUBLIC",
        "isEmpty": lambda r, _: not r.commits,
        "isInOrganization": lambda r, _: r.owner.type == "Organization",
        "sshUrl": lambda r, _: f"git@{WEB_BASE.split('://', 1)[1]}:{r.full_name}.git",
        "viewerCanAdminister": lambda r, info: ctx(info).viewer.association_for(r) == "OWNER",
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
