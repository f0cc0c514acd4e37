"""The git database API: commit objects and refs with GitHub's compare-and-swap semantics.

What the claim protocol relies on lives here, stricter than we hope GitHub is:

* ``POST git/commits`` makes a real content-addressed commit (server-stamped author and
  committer when none is given); 422 ``Tree SHA does not exist`` / ``Parent SHA does not
  exist or is not a commit object``. The empty tree is known unless the fault knob
  ``empty_tree_refused`` is on; ``POST git/trees`` makes trees of inline blobs.
* ``updateRefs`` (GraphQL) checks every ``beforeOid`` (forty zeros: must not exist) and
  fast-forwardness (unless ``force``) first, then applies the whole list, or nothing. A
  failed check is a *generic* error with no ``type`` (GitHub names no reason: clients must
  re-read the refs to learn what happened).
* REST create is 422 when the ref exists; PATCH is fast-forward only unless ``force``.
* An empty repository answers 409 ``Git Repository is empty.`` to every git call.
* Everything needs write (contents) permission.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from maverick_ext.emulator import permissions
from maverick_ext.emulator.store import (
    Conflict,
    NotFoundError,
    Repo,
    Store,
    StoreError,
    ValidationFailed,
    Viewer,
)
from maverick_ext.records import dataclass

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
ZERO_OID = "0" * 40


class Unprocessable(StoreError):
    """A 422 whose body is just GitHub's message (the git database API's style)."""

    status = 422


class RefUpdateRejected(Exception):
    """``updateRefs`` refused the list. GitHub answers a generic error without a type."""


@dataclass(frozen=True)
class GitActor:
    name: str
    email: str
    date: datetime


@dataclass(frozen=True)
class GitCommit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    author: GitActor
    committer: GitActor


def _actor(viewer: Viewer, when: datetime, given: Any) -> GitActor:
    if isinstance(given, dict) and given.get("name") and given.get("email"):
        return GitActor(str(given["name"]), str(given["email"]), when)
    user = viewer.user
    return GitActor(
        user.name or user.login, f"{user.id}+{user.login}@users.noreply.github.com", when
    )


def _require_nonempty(repo: Repo) -> None:
    if not repo.commits:
        raise Conflict("Git Repository is empty.")


def make_empty(repo: Repo) -> None:
    """Turn ``repo`` into a freshly created repository without any commit."""
    repo.refs.clear()
    repo.commits.clear()
    repo.objects.clear()


@dataclass(frozen=True)
class GitTree:
    sha: str
    entries: tuple[tuple[str, str, str, str], ...]  # (mode, type, sha, path)


def known_trees(repo: Repo, empty_tree: bool = True) -> set[str]:
    trees = {o.sha for o in repo.objects.values() if isinstance(o, GitTree)}
    commits = {o.tree for o in repo.objects.values() if isinstance(o, GitCommit)}
    return trees | commits | ({EMPTY_TREE} if empty_tree else set())


_TREE_MODES = {"100644": "blob", "100755": "blob", "040000": "tree", "160000": "commit",
               "120000": "blob"}  # fmt: skip


def _object_sha(kind: str, raw: bytes) -> str:
    return hashlib.sha1(b"%s %d\0" % (kind.encode(), len(raw)) + raw).hexdigest()


def create_tree(store: Store, repo: Repo, viewer: Viewer, entries: Any, base: Any) -> GitTree:
    """A tree of inline blobs (``content``) or known objects (``sha``); no ``base_tree``
    support beyond a known tree (the claim protocol never sends one)."""
    with store.lock:
        permissions.require(viewer, repo, permissions.CONTENTS)
        _require_nonempty(repo)
        if base is not None and base not in known_trees(repo, not store.faults.empty_tree_refused):
            raise Unprocessable("base_tree is not a valid tree oid")
        if not isinstance(entries, list) or not entries:
            raise Unprocessable("Invalid request.\n\nFor 'properties/tree', must be an array.")
        made: list[tuple[str, str, str, str]] = []
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
                raise Unprocessable('Invalid request.\n\n"path" wasn\'t supplied.')
            mode, kind = entry.get("mode"), entry.get("type")
            if mode not in _TREE_MODES or kind != _TREE_MODES[mode]:
                raise Unprocessable(f"Invalid request.\n\nInvalid mode/type for {entry['path']}.")
            if isinstance(entry.get("content"), str) and entry.get("sha") is None:
                sha = _object_sha("blob", entry["content"].encode())
            elif isinstance(entry.get("sha"), str):
                sha = entry["sha"]
            else:
                raise Unprocessable("Must supply either tree.sha or tree.content")
            made.append((mode, kind, sha, entry["path"]))
        made.sort(key=lambda e: e[3])
        raw = b"".join(
            f"{mode} {path}\0".encode() + bytes.fromhex(sha) for mode, _, sha, path in made
        )
        tree = GitTree(_object_sha("tree", raw), tuple(made))
        repo.objects[tree.sha] = tree
        return tree


def tree_json(tree: GitTree, api: str, repo: Repo) -> dict[str, Any]:
    base = f"{api}/repos/{repo.full_name}/git"
    return {
        "sha": tree.sha,
        "url": f"{base}/trees/{tree.sha}",
        "truncated": False,
        "tree": [
            {"path": path, "mode": mode, "type": kind, "sha": sha,
             **({"size": 0} if kind == "blob" else {}),
             "url": f"{base}/{kind}s/{sha}"}
            for mode, kind, sha, path in tree.entries
        ],
    }  # fmt: skip


def create_commit(
    store: Store,
    repo: Repo,
    viewer: Viewer,
    message: Any,
    tree: Any,
    parents: Any,
    author: Any = None,
    committer: Any = None,
) -> GitCommit:
    with store.lock:
        permissions.require(viewer, repo, permissions.CONTENTS)
        _require_nonempty(repo)
        if not isinstance(message, str):
            raise Unprocessable('Invalid request.\n\n"message" wasn\'t supplied.')
        if not isinstance(tree, str) or tree not in known_trees(
            repo, not store.faults.empty_tree_refused
        ):
            raise Unprocessable("Tree SHA does not exist")
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            raise Unprocessable("Invalid request.\n\nFor 'properties/parents', must be an array.")
        for parent in parents:
            if parent not in repo.commits:
                raise Unprocessable("Parent SHA does not exist or is not a commit object")
        now = store.now()
        made_by = _actor(viewer, now, author)
        made_for = _actor(viewer, now, committer) if committer else made_by
        raw = "".join(
            [
                f"tree {tree}\n",
                *(f"parent {p}\n" for p in parents),
                f"author {made_by.name} <{made_by.email}> {int(now.timestamp())} +0000\n",
                f"committer {made_for.name} <{made_for.email}> {int(now.timestamp())} +0000\n",
                f"\n{message}",
            ]
        ).encode()
        sha = _object_sha("commit", raw)
        commit = GitCommit(sha, tree, tuple(parents), message, made_by, made_for)
        repo.objects[sha] = commit
        repo.commits[sha] = commit.parents
        return commit


def get_commit(store: Store, repo: Repo, viewer: Viewer, sha: str) -> GitCommit:
    """A commit object; graph-only commits (branches, merges) get a stand-in tree."""
    with store.lock:
        _require_nonempty(repo)
        found = repo.objects.get(sha)
        if isinstance(found, GitCommit):
            return found
        if sha not in repo.commits:
            raise NotFoundError()
        when = repo.created_at
        owner = GitActor(repo.owner.login, f"{repo.owner.login}@users.noreply.github.com", when)
        tree = hashlib.sha1(f"tree-of:{sha}".encode()).hexdigest()
        return GitCommit(sha, tree, repo.commits[sha], f"Commit {sha[:7]}", owner, owner)


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.startswith("refs/") or name.count("/") < 2:
        raise ValidationFailed("Reference", "ref", "invalid", "ref must start with refs/")
    return name


def update_refs(store: Store, repo: Repo, viewer: Viewer, updates: list[dict[str, Any]]) -> None:
    """GraphQL ``updateRefs``: all of ``updates`` or none, each a compare-and-swap."""
    with store.lock:
        permissions.require(viewer, repo, permissions.CONTENTS)
        _require_nonempty(repo)
        names = [_check_name(u.get("name")) for u in updates]
        if len(set(names)) != len(names):
            raise RefUpdateRejected("the same ref is named twice")
        for name, update in zip(names, updates, strict=True):
            current = repo.refs.get(name)
            before, after = update.get("beforeOid"), update.get("afterOid")
            if before is not None and before != (current or ZERO_OID):
                raise RefUpdateRejected(f"{name} is not at {before}")
            if after == ZERO_OID:
                if current is None:
                    raise RefUpdateRejected(f"{name} does not exist")
                continue
            if after not in repo.commits:
                raise RefUpdateRejected(f"{after} is not a commit")
            fast_forward = current is None or store.is_ancestor(repo, current, after)
            if not fast_forward and not update.get("force"):
                raise RefUpdateRejected(f"{name}: not a fast forward")
        for name, update in zip(names, updates, strict=True):
            if update["afterOid"] == ZERO_OID:
                del repo.refs[name]
            else:
                repo.refs[name] = update["afterOid"]
        repo.pushed_at = store.now()


def guarded(store: Store, repo: Repo, viewer: Viewer) -> None:
    """The checks every REST ref write makes first."""
    permissions.require(viewer, repo, permissions.CONTENTS)
    _require_nonempty(repo)


def lookup_ref(repo: Repo, qualified: str) -> tuple[str, str] | None:
    """GitHub's ``ref(qualifiedName:)``: the exact name, then ``refs/heads/``, ``refs/tags/``."""
    for name in (qualified, f"refs/heads/{qualified}", f"refs/tags/{qualified}"):
        if name.startswith("refs/") and name in repo.refs:
            return name, repo.refs[name]
    return None


def commit_json(commit: GitCommit, api: str, web: str, repo: Repo) -> dict[str, Any]:
    """The REST ``git-commit`` shape."""
    from maverick_ext.emulator.store import isoformat

    base = f"{api}/repos/{repo.full_name}/git"

    def actor(a: GitActor) -> dict[str, Any]:
        return {"name": a.name, "email": a.email, "date": isoformat(a.date)}

    return {
        "sha": commit.sha,
        "node_id": f"C_{commit.sha}",
        "url": f"{base}/commits/{commit.sha}",
        "html_url": f"{web}/{repo.full_name}/commit/{commit.sha}",
        "author": actor(commit.author),
        "committer": actor(commit.committer),
        "tree": {"sha": commit.tree, "url": f"{base}/trees/{commit.tree}"},
        "message": commit.message,
        "parents": [
            {
                "sha": p,
                "url": f"{base}/commits/{p}",
                "html_url": f"{web}/{repo.full_name}/commit/{p}",
            }
            for p in commit.parents
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
    }


def commit_node(commit: GitCommit, repo: Repo) -> dict[str, Any]:
    """A commit as GraphQL's ``Commit`` object (resolved by the default resolver)."""
    headline, _, body = commit.message.partition("\n")
    return {
        "__typename": "Commit",
        "id": f"C_{commit.sha}",
        "oid": commit.sha,
        "abbreviatedOid": commit.sha[:7],
        "message": commit.message,
        "messageHeadline": headline,
        "messageBody": body.strip(),
        "authoredDate": commit.author.date,
        "committedDate": commit.committer.date,
        "statusCheckRollup": None,
        "repository": repo,
        "authors": [
            {"name": commit.author.name, "email": commit.author.email, "user": None,
             "date": commit.author.date}
        ],
    }  # fmt: skip


def ref_node(store: Store, repo: Repo, viewer: Viewer, name: str, sha: str) -> dict[str, Any]:
    prefix = next(
        (p for p in ("refs/heads/", "refs/tags/") if name.startswith(p)),
        name.rpartition("/")[0] + "/",
    )
    short = name[len(prefix) :]
    return {
        "__typename": "Ref",
        "id": f"REF_{repo.id}:{name}",
        "name": short,
        "prefix": prefix,
        "repository": repo,
        "target": commit_node(get_commit(store, repo, viewer, sha), repo),
    }
