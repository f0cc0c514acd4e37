"""A repository's commit graph and refs (no trees: only the graph)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from maverick_ext.emulator.store.base import StoreBase, locked
from maverick_ext.emulator.store.model import NotFoundError, Repo, ValidationFailed


class GitStore(StoreBase):
    @locked
    def create_commit(self, repo: Repo, parents: Iterable[str]) -> str:
        """A new commit sha in ``repo`` with these parent shas (no trees: only the graph)."""
        parents = tuple(parents)
        for sha in parents:
            if sha not in repo.commits:
                raise ValidationFailed("Commit", "parents", "invalid")
        sha = hashlib.sha1(f"{repo.id}:{next(self._commit_seq)}".encode()).hexdigest()
        repo.commits[sha] = parents
        repo.pushed_at = self.now()
        return sha

    def is_ancestor(self, repo: Repo, ancestor: str, descendant: str) -> bool:
        """True when ``ancestor`` is reachable from ``descendant`` (or equal to it)."""
        stack, seen = [descendant], set()
        while stack:
            sha = stack.pop()
            if sha == ancestor:
                return True
            if sha in seen:
                continue
            seen.add(sha)
            stack.extend(repo.commits.get(sha, ()))
        return False

    def get_ref(self, repo: Repo, ref: str) -> tuple[str, str]:
        """``(full ref name, sha)`` for ``heads/x`` or ``refs/heads/x``; ``NotFoundError``."""
        full = _full_ref(ref)
        sha = repo.refs.get(full)
        if sha is None:
            raise NotFoundError()
        return full, sha

    def matching_refs(self, repo: Repo, prefix: str) -> list[tuple[str, str]]:
        """All ``(ref, sha)`` whose name starts with ``refs/<prefix>``, sorted by name."""
        full = _full_ref(prefix) if prefix else "refs/"
        return sorted((r, s) for r, s in repo.refs.items() if r.startswith(full))

    @locked
    def create_ref(self, repo: Repo, ref: str, sha: str) -> tuple[str, str]:
        """Create a fully qualified ``refs/...``; 422 if it exists or the sha is unknown."""
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise ValidationFailed("Reference", "ref", "invalid", "ref must start with refs/")
        if sha not in repo.commits:
            raise ValidationFailed("Reference", "sha", "invalid", "Object does not exist")
        if ref in repo.refs:
            raise ValidationFailed("Reference", "ref", "already_exists", "Reference already exists")
        repo.refs[ref] = sha
        return ref, sha

    @locked
    def update_ref(self, repo: Repo, ref: str, sha: str, force: bool = False) -> tuple[str, str]:
        """Move a ref; without ``force`` only a fast-forward is allowed (422 otherwise)."""
        full, current = self.get_ref(repo, ref)
        if sha not in repo.commits:
            raise ValidationFailed("Reference", "sha", "invalid", "Object does not exist")
        if not force and not self.is_ancestor(repo, current, sha):
            raise ValidationFailed("Reference", "sha", "invalid", "Update is not a fast forward")
        repo.refs[full] = sha
        return full, sha

    @locked
    def delete_ref(self, repo: Repo, ref: str) -> None:
        """Delete a ref (422 ``Reference does not exist`` when missing, like GitHub)."""
        full = _full_ref(ref)
        if full not in repo.refs:
            raise ValidationFailed("Reference", "ref", "invalid", "Reference does not exist")
        del repo.refs[full]


def _full_ref(ref: str) -> str:
    ref = ref.strip("/")
    return ref if ref.startswith("refs/") else f"refs/{ref}"
