"""An issue's maverick-task-progress marker and its artefact comments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from maverick_ext.core import task_progress as core
from maverick_ext.github import issues as gh
from maverick_ext.github.client import GhClient
from maverick_ext.services.markers import Found, read_latest, upsert

KIND = "task-progress"


def read_progress(client: GhClient, number: int, bots: frozenset[str]) -> Found:
    """The issue's newest trusted task progress (an empty payload when there is none)."""
    return read_latest(client, number, KIND, bots)


def update_progress(
    client: GhClient,
    number: int,
    bots: frozenset[str],
    instance_id: str,
    change: Callable[[dict[str, Any], str, str], dict[str, Any]],
) -> Found:
    """Apply ``change(current, instance_id, now)`` and write it back into one comment."""
    return upsert(
        client,
        number,
        KIND,
        bots,
        lambda current, now: change(current, instance_id, now),
        core.PREAMBLE,
    )


def post_artefact(
    client: GhClient, number: int, bots: frozenset[str], instance_id: str, kind: str, body: str
) -> tuple[int, Found]:
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
