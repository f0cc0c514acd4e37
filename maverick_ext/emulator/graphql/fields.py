"""GraphQL fields that are only a store attribute under another name, or a fixed answer.

The default resolver (``resolvers.default_resolver``) reads a field from the attribute of
the same snake_case name, so such fields need no function at all. Those whose value is
another attribute (a dotted path from the object) or a value the emulator always gives
(features it does not model, answered as GitHub answers a repository without them) are
rows here. ``engine.schema`` attaches them and fails at build on a field the schema lacks
or one a resolver function also claims.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from maverick_ext.records import dataclass


@dataclass(frozen=True)
class Fixed:
    """A field answered with the same value for every object."""

    value: Any


Source = str | Fixed

# A pull request's issue side (title, author, dates) lives on ``pull.issue``.
_ISSUE_SIDE: dict[str, Source] = {
    name: f"issue.{attribute}"
    for name, attribute in {
        "title": "title",
        "author": "user",
        "authorAssociation": "author_association",
        "createdAt": "created_at",
        "updatedAt": "updated_at",
        "closedAt": "closed_at",
        "locked": "locked",
    }.items()
}
# Edits are not tracked on issues, nor reactions or milestones anywhere.
_UNEDITED: dict[str, Source] = {
    "includesCreatedEdit": Fixed(False),
    "lastEditedAt": Fixed(None),
    "milestone": Fixed(None),
    "reactionGroups": Fixed(()),
}

FIELDS: dict[str, dict[str, Source]] = {
    "Repository": {
        "nameWithOwner": "full_name",
        "isPrivate": "private",
        "hasIssuesEnabled": Fixed(True),
        "hasProjectsEnabled": Fixed(True),
        "hasWikiEnabled": Fixed(True),
        "isArchived": Fixed(False),
        "archivedAt": Fixed(None),
        "isFork": Fixed(False),
        "parent": Fixed(None),
        "isTemplate": Fixed(False),
        "deleteBranchOnMerge": Fixed(False),
        "stargazerCount": Fixed(0),
        "forkCount": Fixed(0),
        "homepageUrl": Fixed(None),
        "viewerDefaultMergeMethod": Fixed("MERGE"),
        "mergeCommitAllowed": Fixed(True),
        "rebaseMergeAllowed": Fixed(True),
        "squashMergeAllowed": Fixed(True),
    },
    "Issue": {
        "author": "user",
        "repository": "repo",
        "isPinned": Fixed(False),
        "issueType": Fixed(None),
        **_UNEDITED,
    },
    "PullRequest": {
        **_ISSUE_SIDE,
        **_UNEDITED,
        "repository": "repo",
        "headRefName": "head_ref",
        "baseRefName": "base_ref",
        "isDraft": "draft",
        "headRepository": "repo",
        "headRepositoryOwner": "repo.owner",
        "isCrossRepository": Fixed(False),
        "maintainerCanModify": Fixed(False),
        "autoMergeRequest": Fixed(None),
        "potentialMergeCommit": Fixed(None),
        "reviewDecision": Fixed(None),
        "additions": Fixed(0),
        "deletions": Fixed(0),
        "changedFiles": Fixed(0),
    },
    "IssueComment": {
        "author": "user",
        "pullRequest": "issue.pull",
        "repository": "issue.repo",
        "isMinimized": Fixed(False),
        "minimizedReason": Fixed(None),
        "reactionGroups": Fixed(()),
    },
    "Label": {"isDefault": "default"},
}


def field_resolver(source: Source) -> Callable[..., Any]:
    """The resolver of one row: the fixed value, or the attribute path read from the object."""
    if isinstance(source, Fixed):
        value = source.value
        return lambda *_, **__: value
    read = operator.attrgetter(source)
    return lambda obj, *_, **__: read(obj)
