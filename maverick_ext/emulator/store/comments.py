"""Issue comments: increasing ids, the visibility-delay fault, edits that bump ``updated_at``."""

from __future__ import annotations

from datetime import datetime

from maverick_ext.emulator.store.base import locked
from maverick_ext.emulator.store.identity import IdentityStore
from maverick_ext.emulator.store.model import (
    Comment,
    Issue,
    NotFoundError,
    Repo,
    ValidationFailed,
    Viewer,
    check_body,
    make_node_id,
)


class CommentStore(IdentityStore):
    @locked
    def add_comment(self, issue: Issue, viewer: Viewer, body: str | None) -> Comment:
        """A new comment with the next (globally increasing) id; bumps the issue's updated_at.

        Under the visibility-delay fault it stays out of listings for a while, but is
        readable by id at once (as on GitHub, where replicas lag behind the primary).
        """
        text = _comment_body(body)
        cid = next(self._comment_ids)
        now = self.now()
        comment = Comment(
            cid,
            make_node_id("IC", "IssueComment", cid),
            issue,
            text,
            viewer.user,
            self.association(viewer, issue.repo),
            now,
            now,
            visible_at=self.visibility_clock() + self.faults.visibility_s(),
        )
        issue.comments.append(comment)
        self._comments[cid] = comment
        self._register(comment)
        self._touch(issue)
        return comment

    def comment(self, repo: Repo, comment_id: int) -> Comment:
        """Comment ``comment_id`` if it belongs to ``repo``; ``NotFoundError`` otherwise."""
        comment = self._comments.get(int(comment_id))
        if comment is None or comment.issue.repo is not repo:
            raise NotFoundError()
        return comment

    @locked
    def visible_comments(self, issue: Issue, now: float | None = None) -> list[Comment]:
        """The comments a listing shows at ``visibility_clock`` time ``now`` (default:
        current), oldest first.

        This is the one rule for stale reads: REST listings and GraphQL use it both.
        """
        at = self.visibility_clock() if now is None else now
        return [c for c in issue.comments if c.visible_at <= at]

    @locked
    def list_comments(self, issue: Issue, since: datetime | None = None) -> list[Comment]:
        """Visible comments, oldest first, optionally only those updated at/after ``since``."""
        comments = self.visible_comments(issue)
        if since is not None:
            comments = [c for c in comments if c.updated_at >= since]
        return comments

    @locked
    def update_comment(self, comment: Comment, body: str | None) -> Comment:
        """Edit a comment's body; bumps its ``updated_at`` (the lease heartbeat relies on it)."""
        comment.body = _comment_body(body)
        comment.updated_at = self.now()
        return comment

    @locked
    def delete_comment(self, comment: Comment) -> None:
        """Delete a comment."""
        comment.issue.comments.remove(comment)
        del self._comments[comment.id]
        self._nodes.pop(comment.node_id, None)


def _comment_body(body: str | None) -> str:
    """A comment body GitHub accepts: not blank, within the length limit (422 otherwise)."""
    if body is None or not str(body).strip():
        raise ValidationFailed("IssueComment", "body", "missing_field")
    check_body("IssueComment", body)
    return str(body)
