"""Labels: a repository's, an issue's, and the Label type."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graphql import GraphQLResolveInfo

from maverick_ext.emulator.graphql.resolvers import WEB_BASE, connection, ctx, repo_path, resolves
from maverick_ext.emulator.store import Label, Repo, Store


def _label_order(order: dict[str, str] | None) -> tuple[Callable[[Label], tuple[Any, ...]], bool]:
    by_name = (order or {}).get("field") == "NAME"
    descending = (order or {}).get("direction") == "DESC"
    if by_name:
        return (lambda lb: (lb.name.lower(), lb.id)), descending
    return (lambda lb: (lb.id,)), descending


def labels_connection(
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
    return labels_connection(info, labels, args)


@resolves("Repository", "label")
def repo_label(repo: Repo, _: GraphQLResolveInfo, name: str) -> Label | None:
    return repo.labels.get(name.lower())


# -- Label -----------------------------------------------------------------------------


def _label_repo(store: Store, label: Label) -> Repo:
    return next(r for r in store.repos.values() if r.labels.get(label.name.lower()) is label)


@resolves("Label", "repository")
def label_repo(label: Label, info: GraphQLResolveInfo) -> Repo:
    return _label_repo(ctx(info).store, label)


@resolves("Label", "url", "resourcePath")
def label_url(label: Label, info: GraphQLResolveInfo) -> str:
    path = f"{repo_path(_label_repo(ctx(info).store, label))}/labels/{label.name}"
    return path if info.field_name == "resourcePath" else WEB_BASE + path
