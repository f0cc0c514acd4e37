"""Repositories: created with an initial commit and GitHub's default labels."""

from __future__ import annotations

from maverick_ext.emulator.store.base import locked
from maverick_ext.emulator.store.git import GitStore
from maverick_ext.emulator.store.identity import IdentityStore
from maverick_ext.emulator.store.labels import LabelStore
from maverick_ext.emulator.store.model import (
    DEFAULT_LABELS,
    NotFoundError,
    Repo,
    ValidationFailed,
    make_node_id,
)


class RepoStore(IdentityStore, LabelStore, GitStore):
    @locked
    def create_repo(
        self,
        owner: str,
        name: str,
        *,
        description: str | None = None,
        default_branch: str = "main",
        default_labels: bool = True,
    ) -> Repo:
        """A new repository with one initial commit on the default branch."""
        key = f"{owner}/{name}".lower()
        if key in self.repos:
            raise ValidationFailed("Repository", "name", "custom", "name already exists")
        owner_user = self.ensure_user(owner)
        rid = next(self._repo_ids)
        now = self.now()
        repo = Repo(
            rid,
            make_node_id("R", "Repository", rid),
            owner_user,
            name,
            now,
            now,
            now,
            default_branch=default_branch,
            description=description,
        )
        self.repos[key] = repo
        self._register(repo)
        root = self.create_commit(repo, ())
        repo.refs[f"refs/heads/{default_branch}"] = root
        if default_labels:
            for label_name, color, desc in DEFAULT_LABELS:
                self.create_label(repo, label_name, color, desc, default=True)
        return repo

    def repo_by_id(self, repo_id: int) -> Repo:
        """The repository with this database id (``/repositories/{id}`` paths)."""
        for repo in self.repos.values():
            if repo.id == repo_id:
                return repo
        raise NotFoundError()

    def repo(self, owner: str, name: str) -> Repo:
        """The repository ``owner/name`` (case-insensitive); ``NotFoundError`` otherwise."""
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None:
            raise NotFoundError()
        return repo
