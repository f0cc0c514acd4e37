"""`gh maverick epic summary EPIC [--post]`: what merged, what waits for a person."""

from __future__ import annotations

from typing import Any

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.epic._shared import Board, epic_board
from maverick_ext.commands.options import epic_argument, json_option, repo_option
from maverick_ext.commands.output import echo, emit_json, info
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "summary", short_help="Merged vs ejected, PRs, the human's queue.", epilog=EXIT_CODE_HELP
)
@epic_argument
@click.option(
    "--post",
    is_flag=True,
    help="Comment the summary on the epic; close it when every story is merged or closed "
    "(none ejected, blocked or open) and issue_lifecycle.close_policy is not manual.",
)
@repo_option
@json_option
@pass_app
def summary(app: App, epic: str, post: bool, repo: str | None, as_json: bool) -> None:
    """Merged vs ejected counts, PR links, and the stories waiting for a person.

    \b
    Examples:
      gh maverick epic summary 100
      gh maverick epic summary 100 --post --json | jq .closed

    \b
    JSON: {"epic": N, "counts": {"pending": n, "in_flight": n, "merged": n, "closed": n,
           "ejected": n, "blocked": n}, "prs": {"140": [url]},
           "human_queue": [STORY] (docs/json.md: the story list shape),
           "close_policy": str, "comment_id": int|null,
           "closed": bool, "dag_problems": [str], "markdown": str}
    """
    from maverick_ext.core.epic_state import is_complete
    from maverick_ext.github import issues as gh

    ctx, board = epic_board(app, repo, epic, journals="finish" if post else "warn", lenient=True)
    document = summarize(ctx.number, board)
    document["close_policy"] = policy = close_policy(app)
    document["comment_id"], document["closed"] = None, False
    if post:
        from maverick_ext.core.markers import fit_comment

        body = fit_comment(
            document["markdown"], f"the full summary: `gh maverick epic summary {ctx.number}`"
        )
        comment, _ = gh.create_comment(ctx.client, ctx.number, body)
        document["comment_id"] = comment.id
        finished = is_complete(s.status for s in board.statuses.values())
        if finished and policy != "manual" and ctx.issue.is_open:
            gh.close_issue(ctx.client, ctx.number)
            document["closed"] = True
    if as_json:
        emit_json(document)
        return
    echo(document["markdown"])
    if document["comment_id"] is not None:
        closed = "closed the epic" if document["closed"] else "left the epic open"
        info(f"posted comment {document['comment_id']}; {closed} (close policy: {policy})")


def summarize(epic: int, board: Board) -> dict[str, Any]:
    from maverick_ext.core.epic_state import HUMAN_QUEUE, STATUSES

    found = board.statuses
    counts = {name: sum(s.status == name for s in found.values()) for name in STATUSES}
    queue = board.stories([s.number for s in found.values() if s.status in HUMAN_QUEUE])
    lines = [
        f"## Epic #{epic} summary",
        "",
        ", ".join(f"{counts[name]} {name.replace('_', ' ')}" for name in STATUSES)
        + f" (of {len(found)} stories).",
        "",
        "| Story | Status | PR |",
        "| --- | --- | --- |",
        *(
            f"| #{s.number} {s.title} | {s.status} | {' '.join(s.prs) or '-'} |"
            for s in found.values()
        ),
    ]
    if queue:
        lines += ["", "### Waiting for a person", ""]
        lines += [
            f"- #{q['number']} {q['title']}: "
            + (
                "ejected (needs-human)"
                if q["status"] == "ejected"
                else "blocked by " + ", ".join(f"#{n}" for n in q["blocked_by"])
            )
            for q in queue
        ]
    problems = list(dict.fromkeys(m for marks in board.offenders.values() for m in marks))
    if problems:
        lines += ["", "### DAG problems", "", *(f"- {m}" for m in problems)]
    return {
        "epic": epic,
        "dag_problems": problems,
        "counts": counts,
        "prs": {str(s.number): s.prs for s in found.values() if s.prs},
        "human_queue": queue,
        "markdown": "\n".join(lines) + "\n",
    }


def close_policy(app: App) -> str:
    """`.maverick/config.json` issue_lifecycle.close_policy (on_pr_merge by default)."""
    return app.config.issue_lifecycle.close_policy
