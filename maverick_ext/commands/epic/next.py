"""`gh maverick epic next EPIC`: the stories to start now."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.epic._shared import epic_argument, epic_board, numbers
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import emit_json, info
from maverick_ext.errors import EXIT_CODE_HELP

MAX_ENV = "MAX_CONCURRENT_WORKTREES"


@click.command("next", epilog=EXIT_CODE_HELP)
@epic_argument
@click.option(
    "--max",
    "limit",
    type=click.IntRange(min=1),
    metavar="N",
    help=f"At most N stories (default: {MAX_ENV}, else coordination.max_concurrent_worktrees, "
    "else 4).",
)
@repo_option
@json_option
@pass_app
def next_(app: App, epic: str, limit: int | None, repo: str | None, as_json: bool) -> None:
    """The stories of EPIC to start now: the first unfinished wave minus blocked, claimed,
    merged and closed stories, critical path first, capped.

    Prints nothing (JSON: empty stories) when nothing can start; stderr says why.

    \b
    Examples:
      gh maverick epic next 100
      gh maverick epic next 100 --json | jq -r '.stories[].number' | xargs -n1 gh maverick claim

    \b
    JSON: {"epic": N, "wave": W|null, "stories": [{"number", "title", "critical_path"}],
           "in_flight": [N], "waiting": [N]}
    """
    from maverick_ext.core.waves import select_next

    cap = limit or _default_limit(app)
    ctx, board = epic_board(app, repo, epic)
    status = {n: s.status for n, s in board.statuses.items()}
    chosen = select_next(board.dag, board.plan, status, cap)
    stories = [
        {
            "number": n,
            "title": board.statuses[n].title,
            "critical_path": board.plan.stories[n].critical_path,
        }
        for n in chosen.ready
    ]
    if chosen.wave is None:
        info(
            f"nothing left to start on #{ctx.number}: "
            "every story is merged, closed, ejected or blocked"
        )
    elif not chosen.ready:
        info(
            f"wave {chosen.wave}: nothing to start (in flight: {numbers(chosen.running)}; "
            f"waiting on upstream: {numbers(chosen.waiting)})"
        )
    if as_json:
        emit_json(
            {
                "epic": ctx.number,
                "wave": chosen.wave,
                "stories": stories,
                "in_flight": chosen.running,
                "waiting": chosen.waiting,
            }
        )
        return
    for story in stories:
        click.echo(f"#{story['number']}\t{story['title']}")


def _default_limit(app: App) -> int:
    return app.coordination().max_concurrent_worktrees  # MAX_ENV is applied with the files
