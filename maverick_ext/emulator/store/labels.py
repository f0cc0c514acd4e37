"""Repository labels, and the labels on an issue (a missing one is created, as on GitHub)."""

from __future__ import annotations

from collections.abc import Iterable

from maverick_ext.emulator.store.base import StoreBase, locked
from maverick_ext.emulator.store.model import (
    LABEL_NAME_MAX,
    Issue,
    Label,
    NotFoundError,
    Repo,
    ValidationFailed,
    make_node_id,
    unique_names,
)


class LabelStore(StoreBase):
    def list_labels(self, repo: Repo) -> list[Label]:
        """Repository labels in creation order."""
        return sorted(repo.labels.values(), key=lambda lb: lb.id)

    def label(self, repo: Repo, name: str) -> Label:
        """A repository label by name (case-insensitive); ``NotFoundError`` otherwise."""
        label = repo.labels.get(name.lower())
        if label is None:
            raise NotFoundError()
        return label

    @locked
    def create_label(
        self,
        repo: Repo,
        name: str,
        color: str | None = None,
        description: str | None = None,
        *,
        default: bool = False,
    ) -> Label:
        """A new repository label; 422 ``already_exists`` if the name is taken."""
        if not name or not str(name).strip():
            raise ValidationFailed("Label", "name", "missing_field")
        _check_label_name(name)
        if name.lower() in repo.labels:
            raise ValidationFailed("Label", "name", "already_exists")
        color = _check_color(color or "ededed")
        lid = next(self._label_ids)
        label = Label(lid, make_node_id("LA", "Label", lid), name, color, description, default)
        repo.labels[name.lower()] = label
        self._register(label)
        return label

    @locked
    def update_label(
        self,
        repo: Repo,
        name: str,
        *,
        new_name: str | None = None,
        color: str | None = None,
        description: str | None = None,
    ) -> Label:
        """Rename or recolour a label (issues carrying it follow, as on GitHub)."""
        label = self.label(repo, name)
        if new_name is not None:
            _check_label_name(new_name)
        if new_name is not None and new_name.lower() != label.name.lower():
            if new_name.lower() in repo.labels:
                raise ValidationFailed("Label", "name", "already_exists")
            del repo.labels[label.name.lower()]
            repo.labels[new_name.lower()] = label
        if new_name is not None:
            label.name = new_name
        if color is not None:
            label.color = _check_color(color)
        if description is not None:
            label.description = description
        return label

    @locked
    def delete_label(self, repo: Repo, name: str) -> None:
        """Delete a repository label and take it off every issue."""
        label = self.label(repo, name)
        del repo.labels[label.name.lower()]
        self._nodes.pop(label.node_id, None)
        for issue in repo.issues.values():
            if label in issue.labels:
                issue.labels.remove(label)

    def _ensure_label(self, repo: Repo, name: str) -> Label:
        existing = repo.labels.get(name.lower())
        if existing is not None:
            return existing
        if len(name) > LABEL_NAME_MAX:
            # Adding a missing label to an issue answers in another shape than creating it.
            error = ValidationFailed("Label", "name", "invalid")
            error.errors[0] = {"value": name, **error.errors[0]}
            raise error
        return self.create_label(repo, name)

    @locked
    def add_labels(self, issue: Issue, names: Iterable[str]) -> list[Label]:
        """Add labels to an issue, creating missing repo labels; returns the issue's labels."""
        for name in unique_names(names):
            label = self._ensure_label(issue.repo, name)
            if label not in issue.labels:
                issue.labels.append(label)
        self._touch(issue)
        return list(issue.labels)

    @locked
    def set_labels(self, issue: Issue, names: Iterable[str]) -> list[Label]:
        """Replace all labels of an issue."""
        issue.labels = [self._ensure_label(issue.repo, n) for n in unique_names(names)]
        self._touch(issue)
        return list(issue.labels)

    @locked
    def remove_label(self, issue: Issue, name: str) -> list[Label]:
        """Take one label off an issue; ``NotFoundError`` if it is not on it."""
        for label in issue.labels:
            if label.name.lower() == name.lower():
                issue.labels.remove(label)
                self._touch(issue)
                return list(issue.labels)
        raise NotFoundError("Label does not exist")

    @locked
    def clear_labels(self, issue: Issue) -> None:
        """Remove every label from an issue."""
        issue.labels = []
        self._touch(issue)


def _check_label_name(name: str) -> None:
    if len(name) > LABEL_NAME_MAX:
        raise ValidationFailed(
            "Label", "name", "custom", f"name is too long (maximum is {LABEL_NAME_MAX} characters)"
        )


def _check_color(color: str) -> str:
    color = color.lstrip("#").lower()
    if len(color) != 6 or any(c not in "0123456789abcdef" for c in color):
        raise ValidationFailed("Label", "color", "invalid")
    return color
