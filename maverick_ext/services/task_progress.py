"""Reading and upserting an issue's maverick-task-progress marker, and artefact comments.

The newest trusted marker wins (highest comment id). A write edits this account's own
newest task-progress comment in place, so the whole record stays in one comment; only
when none of ours exists (e.g. the seeds' implementation wrote it as another account) is
one posted, which, being newer, is what every reader sees next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from maverick_ext.core import task_progress as core
from maverick_ext.core.markers import Marker, render_comment
from maverick_ext.core.payloads import iso
from maverick_ext.core.trust import TrustPolicy, issue_markers, same_account
from maverick_ext.github import issues as gh
from maverick_ext.github.client import GhClient
from maverick_ext.github.models import IssueSnapshot

KIND = "task-progress"


@dataclass(frozen=True)
class Progress:
    number: int
    payload: dict[str, Any]
    comment_id: int | None
    warnings: list[str]

    def to_json(self) -> dict[str, Any]:
        return dict(self.payload)


def _read(
    client: GhClient, number: int, bots: frozenset[str]
) -> tuple[IssueSnapshot, list[Marker], list[str]]:
    snapshot = gh.fetch_issue(client, number)
    parsed = issue_markers(snapshot.comments, TrustPolicy(snapshot.viewer, bots))
    found = [m for m in parsed.markers if m.kind == KIND]
    return snapshot, found, [str(w) for w in parsed.warnings if w.kind == KIND]


def read_progress(client: GhClient, number: int, bots: frozenset[str]) -> Progress:
    """The issue's newest trusted task progress (an empty payload when there is none)."""
    _, found, warnings = _read(client, number, bots)
    newest = max(found, key=lambda m: m.comment_id or 0) if found else None
    return Progress(
        number,
        dict(newest.payload) if newest else {},
        newest.comment_id if newest else None,
        warnings,
    )


def update_progress(
    client: GhClient,
    number: int,
    bots: frozenset[str],
    instance_id: str,
    change: Callable[[dict[str, Any], str, str], dict[str, Any]],
) -> Progress:
    """Read, apply ``change(current, instance_id, now)``, write back into one comment."""
    snapshot, found, warnings = _read(client, number, bots)
    newest = max(found, key=lambda m: m.comment_id or 0) if found else None
    now = iso(snapshot.server_time) if snapshot.server_time else None
    payload = change(dict(newest.payload) if newest else {}, instance_id, now or "")
    body = render_comment([(KIND, payload)], core.PREAMBLE)
    mine = [m for m in found if same_account(m.author, snapshot.viewer)]
    if mine:
        target = max(mine, key=lambda m: m.comment_id or 0)
        comment, _ = gh.update_comment(client, target.comment_id or 0, body)
    else:
        comment, _ = gh.create_comment(client, number, body)
    return Progress(number, payload, comment.id, warnings)


def post_artefact(
    client: GhClient, number: int, bots: frozenset[str], instance_id: str, kind: str, body: str
) -> tuple[int, Progress]:
    """Post an artefact comment and record its id in the task progress."""
    comment, _ = gh.create_comment(client, number, body)

    def record(current: dict[str, Any], me: str, now: str) -> dict[str, Any]:
        return core.merged_progress(current, instance_id=me, now=now, comments={kind: comment.id})

    return comment.id, update_progress(client, number, bots, instance_id, record)


def update_artefact(
    client: GhClient, number: int, bots: frozenset[str], kind: str, body: str
) -> int | None:
    """Overwrite the recorded artefact comment of ``kind``; None when none is recorded."""
    comment_id = core.recorded_comment(read_progress(client, number, bots).payload, kind)
    if comment_id is None:
        return None
    gh.update_comment(client, comment_id, body)
    return comment_id
