"""Issues: opening, listing, editing and closing them, sub-issues and dependencies."""

from __future__ import annotations

from collections.abc import Iterable

from maverick_ext.emulator.store.base import locked
from maverick_ext.emulator.store.identity import IdentityStore
from maverick_ext.emulator.store.labels import LabelStore
from maverick_ext.emulator.store.model import (
    Issue,
    NotFoundError,
    Repo,
    ValidationFailed,
    Viewer,
    check_body,
    make_node_id,
    unique_names,
)


class IssueStore(IdentityStore, LabelStore):
    @locked
    def create_issue(
        self,
        repo: Repo,
        viewer: Viewer,
        title: str,
        body: str | None = None,
        labels: Iterable[str] = (),
        assignees: Iterable[str] = (),
    ) -> Issue:
        """Open a new issue; missing labels are created on the repo, like GitHub does."""
        if not title or not str(title).strip():
            raise ValidationFailed("Issue", "title", "missing_field")
        check_body("Issue", body)
        iid = next(self._issue_ids)
        now = self.now()
        issue = Issue(
            iid,
            make_node_id("I", "Issue", iid),
            repo,
            self._next_number(repo),
            str(title),
            body,
            viewer.user,
            self.association(viewer, repo),
            now,
            now,
        )
        issue.labels = [self._ensure_label(repo, n) for n in unique_names(labels)]
        issue.assignees = [self.ensure_user(a) for a in unique_names(assignees)]
        repo.issues[issue.number] = issue
        self._issues_by_id[iid] = issue
        self._register(issue)
        return issue

    def _next_number(self, repo: Repo) -> int:
        number = repo.next_number
        repo.next_number += 1
        return number

    def issue(self, repo: Repo, number: int) -> Issue:
        """Issue (or PR-as-issue) ``number`` of ``repo``; ``NotFoundError`` otherwise."""
        issue = repo.issues.get(int(number))
        if issue is None:
            raise NotFoundError()
        return issue

    def issue_by_id(self, issue_id: int) -> Issue:
        """An issue by its database ``id`` (what sub-issue and dependency APIs take)."""
        issue = self._issues_by_id.get(int(issue_id))
        if issue is None:
            raise NotFoundError()
        return issue

    @locked
    def list_issues(
        self,
        repo: Repo,
        state: str = "open",
        labels: Iterable[str] = (),
        include_pulls: bool = True,
    ) -> list[Issue]:
        """Issues newest first (GitHub's default sort), filtered by state and all ``labels``."""
        wanted = {name.lower() for name in labels}
        out = []
        for issue in sorted(repo.issues.values(), key=lambda i: i.number, reverse=True):
            if state != "all" and issue.state != state:
                continue
            if not include_pulls and issue.is_pull:
                continue
            if wanted and not wanted <= {lb.name.lower() for lb in issue.labels}:
                continue
            out.append(issue)
        return out

    @locked
    def update_issue(
        self,
        issue: Issue,
        viewer: Viewer,
        *,
        title: str | None = None,
        body: str | None = None,
        state: str | None = None,
        state_reason: str | None = None,
        labels: Iterable[str] | None = None,
        assignees: Iterable[str] | None = None,
    ) -> Issue:
        """Edit an issue; closing records ``closed_at``/``closed_by``, reopening clears them."""
        if state is not None and state not in ("open", "closed"):
            raise ValidationFailed("Issue", "state", "invalid")
        if state_reason is not None and state_reason not in (
            "completed",
            "not_planned",
            "reopened",
            "duplicate",
        ):
            raise ValidationFailed("Issue", "state_reason", "invalid")
        if title is not None:
            if not str(title).strip():
                raise ValidationFailed("Issue", "title", "missing_field")
            issue.title = str(title)
        if body is not None:
            check_body("Issue", body)
            issue.body = body
        if labels is not None:
            issue.labels = [self._ensure_label(issue.repo, n) for n in unique_names(labels)]
        if assignees is not None:
            issue.assignees = [self.ensure_user(a) for a in unique_names(assignees)]
        now = self.now()
        if state == "closed" and issue.state != "closed":
            issue.state = "closed"
            issue.closed_at = now
            issue.closed_by = viewer.user
            issue.state_reason = state_reason or "completed"
        elif state == "open" and issue.state != "open":
            issue.state = "open"
            issue.closed_at = None
            issue.closed_by = None
            issue.state_reason = "reopened"
        elif state_reason is not None:
            issue.state_reason = state_reason
        self._touch(issue)
        return issue

    # -- sub-issues --------------------------------------------------------------------

    @locked
    def add_sub_issue(self, parent: Issue, child: Issue, replace_parent: bool = False) -> Issue:
        """Make ``child`` the last sub-issue of ``parent``; returns the parent.

        422 if it already has a parent (unless ``replace_parent``), is the parent itself,
        or would create a cycle; sub-issues must share the repository owner.
        """
        if child is parent or child.is_pull:
            raise ValidationFailed("Issue", "sub_issue_id", "invalid")
        if child.repo.owner is not parent.repo.owner:
            raise ValidationFailed("Issue", "sub_issue_id", "invalid")
        ancestor: Issue | None = parent
        while ancestor is not None:
            if ancestor is child:
                raise ValidationFailed("Issue", "sub_issue_id", "invalid", "would create a cycle")
            ancestor = ancestor.parent
        if child.parent is not None:
            if child.parent is parent:
                raise ValidationFailed("Issue", "sub_issue_id", "already_exists")
            if not replace_parent:
                raise ValidationFailed(
                    "Issue", "sub_issue_id", "invalid", "issue already has a parent"
                )
            child.parent.sub_issues.remove(child)
            self._touch(child.parent)
        child.parent = parent
        parent.sub_issues.append(child)
        self._touch(parent)
        self._touch(child)
        return parent

    @locked
    def remove_sub_issue(self, parent: Issue, child: Issue) -> Issue:
        """Detach ``child`` from ``parent``; returns the parent (``NotFoundError`` if unrelated)."""
        if child.parent is not parent:
            raise NotFoundError()
        parent.sub_issues.remove(child)
        child.parent = None
        self._touch(parent)
        self._touch(child)
        return parent

    @locked
    def reprioritize_sub_issue(
        self, parent: Issue, child: Issue, after: Issue | None = None, before: Issue | None = None
    ) -> Issue:
        """Move ``child`` right after ``after`` or right before ``before``; returns the parent."""
        if child.parent is not parent or (after is None) == (before is None):
            raise ValidationFailed("Issue", "sub_issue_id", "invalid")
        anchor = after if after is not None else before
        if anchor is None or anchor.parent is not parent or anchor is child:
            raise ValidationFailed("Issue", "sub_issue_id", "invalid")
        parent.sub_issues.remove(child)
        index = parent.sub_issues.index(anchor) + (1 if after is not None else 0)
        parent.sub_issues.insert(index, child)
        self._touch(parent)
        return parent

    # -- dependencies ------------------------------------------------------------------

    @locked
    def add_blocked_by(self, issue: Issue, blocker: Issue) -> Issue:
        """Record ``issue`` blocked by ``blocker``; returns the blocker (as GitHub does)."""
        if blocker is issue:
            raise ValidationFailed("Issue", "issue_id", "invalid", "an issue cannot block itself")
        if blocker in issue.blocked_by:
            raise ValidationFailed("Issue", "issue_id", "already_exists")
        issue.blocked_by.append(blocker)
        blocker.blocking.append(issue)
        self._touch(issue)
        return blocker

    @locked
    def remove_blocked_by(self, issue: Issue, blocker: Issue) -> Issue:
        """Drop a blocked-by edge; returns the former blocker."""
        if blocker not in issue.blocked_by:
            raise NotFoundError()
        issue.blocked_by.remove(blocker)
        blocker.blocking.remove(issue)
        self._touch(issue)
        return blocker
