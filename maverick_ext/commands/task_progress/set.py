"""`gh maverick task-progress set ISSUE [PHASE]`: record where an issue's work stands."""

from __future__ import annotations

from typing import Any

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.coordination import issue_client
from maverick_ext.commands.options import instance_option, json_option, repo_option
from maverick_ext.commands.output import echo, emit_json
from maverick_ext.commands.task_progress.read import PAYLOAD_JSON
from maverick_ext.core.task_progress import COMMENT_KINDS, PHASES
from maverick_ext.errors import EXIT_CODE_HELP, UsageError


def _comment_pairs(values: tuple[str, ...]) -> dict[str, int]:
    pairs: dict[str, int] = {}
    for value in values:
        kind, _, raw = value.partition("=")
        if kind not in COMMENT_KINDS or not raw.isdecimal() or int(raw) < 1:
            raise UsageError(
                f"invalid --comment {value!r}",
                f"use KIND=ID with KIND one of {', '.join(COMMENT_KINDS)}, e.g. design=123",
            )
        pairs[kind] = int(raw)
    return pairs


@click.command(
    "set",
    short_help="Record a phase, branch, comment ids or tasks done.",
    epilog=f"{PAYLOAD_JSON}\n\n{EXIT_CODE_HELP}",
)
@click.argument("issue", metavar="ISSUE")
@click.argument("phase", metavar="[PHASE]", required=False)
@click.option("--branch", metavar="BRANCH", help="Record the working branch.")
@click.option(
    "--comment",
    "comments",
    metavar="KIND=ID",
    multiple=True,
    help=f"Record an artefact comment id ({', '.join(COMMENT_KINDS)}); repeatable.",
)
@click.option(
    "--task-done",
    "tasks_done",
    metavar="N",
    type=click.IntRange(min=1),
    multiple=True,
    help="Record task N (1-based) as done; repeatable.",
)
@click.option("--has-sub-issues", is_flag=True, help="Record that the tasks are GitHub sub-issues.")
@instance_option
@repo_option
@json_option
@pass_app
def set_(
    app: App,
    issue: str,
    phase: str | None,
    branch: str | None,
    comments: tuple[str, ...],
    tasks_done: tuple[int, ...],
    has_sub_issues: bool,
    instance: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Record that ISSUE passed PHASE (and/or a branch, comment ids, tasks done).

    Merges into the recorded progress and writes it back into the same comment: earlier
    comment ids, done tasks and fields other writers added are kept. PHASE is one of the
    seeds' phase boundaries: claimed, design, tasks, branch, implement, docs, security,
    pr_open, ci_green, review, merged, complete, ejected.

    \b
    Examples:
      gh maverick task-progress set 42 design --comment design=1234
      gh maverick task-progress set OWNER/REPO 42 implement --task-done 3
    """
    from maverick_ext.commands.coordination import trusted_bots
    from maverick_ext.core.task_progress import merged_progress
    from maverick_ext.services.identity import resolve_identity
    from maverick_ext.services.task_progress import update_progress

    if phase is not None and phase not in PHASES:
        raise UsageError(f"unknown phase {phase!r}", f"use one of: {', '.join(PHASES)}")
    pairs = _comment_pairs(comments)
    if phase is None and not (branch or pairs or tasks_done or has_sub_issues):
        raise UsageError("nothing to record", "give a PHASE, --branch, --comment or --task-done")
    client, number = issue_client(app, repo, issue)
    identity = resolve_identity(app.env, instance, app.cwd)

    def change(current: dict[str, Any], me: str, now: str) -> dict[str, Any]:
        return merged_progress(
            current,
            instance_id=me,
            now=now,
            phase=phase,
            branch=branch,
            comments=pairs,
            tasks_done=tasks_done,
            extra={"has_sub_issues": True} if has_sub_issues else None,
        )

    progress = update_progress(client, number, trusted_bots(app), identity.instance_id, change)
    if as_json:
        emit_json({**progress.payload, "comment_id": progress.comment_id})
    else:
        echo(
            f"#{number}: {progress.payload.get('phase') or 'progress'} recorded "
            f"(comment {progress.comment_id})"
        )
