"""Pull requests: an issue plus head and base branches; merging closes it."""

from __future__ import annotations

from maverick_ext.emulator.store.base import locked
from maverick_ext.emulator.store.git import GitStore
from maverick_ext.emulator.store.issues import IssueStore
from maverick_ext.emulator.store.model import (
    Conflict,
    NotFoundError,
    NotMergeable,
    Pull,
    Repo,
    ValidationFailed,
    Viewer,
    make_node_id,
)


class PullStore(IssueStore, GitStore):
    @locked
    def create_pull(
        self,
        repo: Repo,
        viewer: Viewer,
        title: str,
        head: str,
        base: str,
        body: str | None = None,
        draft: bool = False,
    ) -> Pull:
        """Open a PR from branch ``head`` (``owner:branch`` accepted) into ``base``.

        The emulator has no git transport, so a missing head branch is created with one
        new commit on top of ``base`` rather than refused.
        """
        head_branch = head.split(":", 1)[1] if ":" in head else head
        try:
            _, base_sha = self.get_ref(repo, f"heads/{base}")
        except NotFoundError:
            raise ValidationFailed("PullRequest", "base", "invalid") from None
        head_full = f"refs/heads/{head_branch}"
        if head_full not in repo.refs:
            repo.refs[head_full] = self.create_commit(repo, (base_sha,))
        head_sha = repo.refs[head_full]
        if head_branch == base:
            raise ValidationFailed("PullRequest", "head", "invalid", "head and base are equal")
        for other in repo.issues.values():
            if (
                other.pull
                and other.state == "open"
                and other.pull.head_ref == head_branch
                and other.pull.base_ref == base
            ):
                raise ValidationFailed(
                    "PullRequest",
                    "head",
                    "custom",
                    f"A pull request already exists for {repo.owner.login}:{head_branch}.",
                )
        issue = self.create_issue(repo, viewer, title, body)
        pid = next(self._pull_ids)
        pull = Pull(pid, make_node_id("PR", "PullRequest", pid), issue, head_branch, head_sha, base,
                    base_sha, draft=draft)  # fmt: skip
        issue.pull = pull
        # GitHub reports the PR's node id on the issue view of a pull request too.
        self._nodes.pop(issue.node_id, None)
        issue.node_id = pull.node_id
        self._register(pull)
        return pull

    @locked
    def pull(self, repo: Repo, number: int) -> Pull:
        """PR ``number`` with head/base shas current; ``NotFoundError`` if missing or an issue."""
        issue = self.issue(repo, number)
        if issue.pull is None:
            raise NotFoundError()
        self._refresh_shas(issue.pull)
        return issue.pull

    @locked
    def list_pulls(
        self,
        repo: Repo,
        state: str = "open",
        head: str | None = None,
        base: str | None = None,
    ) -> list[Pull]:
        """PRs newest first; ``head`` is ``owner:branch`` (or a bare branch), ``base`` a branch."""
        head_branch = head.split(":", 1)[1] if head and ":" in head else head
        out = []
        for issue in self.list_issues(repo, state=state):
            pull = issue.pull
            if pull is None:
                continue
            if head_branch and pull.head_ref != head_branch:
                continue
            if base and pull.base_ref != base:
                continue
            self._refresh_shas(pull)
            out.append(pull)
        return out

    def _refresh_shas(self, pull: Pull) -> None:
        # Open PRs track their branches, like GitHub's head/base shas.
        if pull.issue.state == "open":
            pull.head_sha = pull.repo.refs.get(f"refs/heads/{pull.head_ref}", pull.head_sha)
            pull.base_sha = pull.repo.refs.get(f"refs/heads/{pull.base_ref}", pull.base_sha)

    @locked
    def update_pull(
        self,
        pull: Pull,
        viewer: Viewer,
        *,
        title: str | None = None,
        body: str | None = None,
        state: str | None = None,
        base: str | None = None,
    ) -> Pull:
        """Edit a PR (retarget with ``base``); a merged PR cannot be reopened."""
        if base is not None:
            if f"refs/heads/{base}" not in pull.repo.refs:
                raise ValidationFailed("PullRequest", "base", "invalid")
            pull.base_ref = base
        if state == "open" and pull.merged:
            raise ValidationFailed("PullRequest", "state", "invalid", "merged")
        self.update_issue(pull.issue, viewer, title=title, body=body, state=state)
        self._refresh_shas(pull)
        return pull

    @locked
    def merge_pull(
        self,
        pull: Pull,
        viewer: Viewer,
        merge_method: str = "merge",
        sha: str | None = None,
    ) -> Pull:
        """Merge: new commit on the base branch, PR merged and closed.

        405 if closed or already merged, 409 if ``sha`` is not the current head.
        """
        self._refresh_shas(pull)
        if pull.merged or pull.issue.state != "open" or pull.conflicting:
            raise NotMergeable("Pull Request is not mergeable")
        if sha is not None and sha != pull.head_sha:
            raise Conflict("Head branch was modified. Review and try the merge again.")
        if merge_method not in ("merge", "squash", "rebase"):
            raise ValidationFailed("PullRequest", "merge_method", "invalid")
        repo = pull.repo
        base_tip = repo.refs[f"refs/heads/{pull.base_ref}"]
        parents = (base_tip, pull.head_sha) if merge_method == "merge" else (base_tip,)
        merged_sha = self.create_commit(repo, parents)
        repo.refs[f"refs/heads/{pull.base_ref}"] = merged_sha
        pull.merged = True
        pull.merged_at = self.now()
        pull.merged_by = viewer.user
        pull.merge_commit_sha = merged_sha
        self.update_issue(pull.issue, viewer, state="closed")
        return pull
