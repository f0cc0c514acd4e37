"""`gh maverick state show EPIC`: each story's derived status."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.epic._shared import epic_board, flush_warnings
from maverick_ext.commands.options import epic_argument, json_option, repo_option
from maverick_ext.commands.output import echo, emit_json, info, table
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "show", short_help="Each story's status, derived from its own facts.", epilog=EXIT_CODE_HELP
)
@epic_argument
@click.option(
    "--write", is_flag=True, help="Refresh the epic's maverick-state snapshot from these facts."
)
@repo_option
@json_option
@pass_app
def show(app: App, epic: str, write: bool, repo: str | None, as_json: bool) -> None:
    """Show the status of every story of EPIC and the fact that decided it.

    Precedence: merged > ejected (needs-human) > blocked (blocked-by:#N) > in_flight (live
    claim) > pending. --write upserts the seeds' maverick-state snapshot on the epic.

    \b
    Examples:
      gh maverick state show 100
      gh maverick state show 100 --json | jq -r '.stories | to_entries[] | "\\(.key) \\(.value)"'

    \b
    JSON: {"epic": N, "stories": {"140": "merged"}, "comment_id": int|null,
           "details": [STORY]} (docs/json.md; "stories" is the seeds' maverick-state map)
    """
    from maverick_ext.services import epics

    ctx, board = epic_board(app, repo, epic, journals="finish" if write else "warn")
    found = {n: board.statuses[n] for n in sorted(board.statuses)}
    comment_id = epics.write_state_snapshot(ctx, found) if write else None
    flush_warnings(ctx)
    if as_json:
        emit_json(
            {
                "epic": ctx.number,
                "stories": {str(n): s.status for n, s in found.items()},
                "details": board.stories(list(found)),
                "comment_id": comment_id,
            }
        )
        return
    rows = [(f"#{n}", s.title, s.status, s.reason) for n, s in found.items()]
    echo(table(("STORY", "TITLE", "STATUS", "WHY"), rows))
    if comment_id is not None:
        info(f"refreshed the maverick-state snapshot in comment {comment_id}")
