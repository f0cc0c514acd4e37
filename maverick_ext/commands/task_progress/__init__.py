"""`gh maverick task-progress`: where an issue's work stands (the maverick-task-progress marker)."""

from __future__ import annotations

from maverick_ext.commands import tree
from maverick_ext.commands.spec import group
from maverick_ext.errors import EXIT_CODE_HELP

_C = "maverick_ext.commands.task_progress"

task_progress = group(
    "task-progress",
    short_help="Read or record where an issue's work stands.",
    help="""Read or record where an issue's work stands, in one marker comment.

    The maverick-task-progress marker holds the last phase passed, the branch, the
    artefact comment ids (design, plan, tasks, completion) and the tasks done, so an
    instance that starts over resumes instead of redoing work. Markers written by the
    seeds' implementation read the same (with or without a phase).

    \\b
    Examples:
      gh maverick task-progress set 42 branch --branch feat/42-export
      gh maverick task-progress read 42 | jq -r .phase
    """,
    epilog=EXIT_CODE_HELP,
    lazy=tree.TASK_PROGRESS,
)
