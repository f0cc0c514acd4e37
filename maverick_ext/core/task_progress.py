"""The maverick-task-progress marker: where one issue's work stands, in one comment.

One payload per issue records the last phase boundary passed, the working branch, the
artefact comments (design, plan, tasks, completion) by id and which tasks are done, so a
fresh instance resumes instead of restarting. Writers merge into what is there: fields
other writers added (the seeds' ``has_sub_issues``, ``authorized``) survive, comment ids
merge key by key and done tasks accumulate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The phase boundaries of the seeds' issue workflow, in order (maverick-harness 5.1.1).
PHASES = (
    "claimed",
    "design",
    "tasks",
    "branch",
    "implement",
    "docs",
    "security",
    "pr_open",
    "ci_green",
    "review",
    "merged",
    "complete",
    "ejected",
)
# The artefact comments an issue's workflow posts and later edits by id.
COMMENT_KINDS = ("design", "plan", "tasks", "completion")
PREAMBLE = "<!-- maverick task-progress -->"


def merged_progress(
    current: Mapping[str, Any] | None,
    *,
    instance_id: str,
    now: str,
    phase: str | None = None,
    branch: str | None = None,
    comments: Mapping[str, int] | None = None,
    tasks_done: Iterable[int] = (),
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``current`` with the given changes applied; nothing already recorded is dropped."""
    payload = dict(current or {})
    payload.update(extra or {})
    if phase is not None:
        payload["phase"] = phase
    if branch is not None:
        payload["branch"] = branch
    if comments:
        payload["comments"] = {**_comments(payload), **comments}
    done = set(_tasks(payload)) | set(tasks_done)
    if done:
        payload["tasks_done"] = sorted(done)
    payload["instance_id"] = instance_id
    payload["updated_at"] = now
    return payload


def _comments(payload: Mapping[str, Any]) -> dict[str, int]:
    found = payload.get("comments")
    return dict(found) if isinstance(found, Mapping) else {}


def _tasks(payload: Mapping[str, Any]) -> list[int]:
    found = payload.get("tasks_done")
    return [n for n in found if isinstance(n, int)] if isinstance(found, list) else []


def recorded_comment(payload: Mapping[str, Any], kind: str) -> int | None:
    """The id of the artefact comment of ``kind`` the progress names, if any."""
    value = _comments(payload).get(kind)
    return value if isinstance(value, int) and value > 0 else None
