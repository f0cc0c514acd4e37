"""`gh maverick bprop resume EPIC`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.epic._shared import flush_warnings, numbers, open_epic
from maverick_ext.commands.options import epic_argument, json_option, repo_option
from maverick_ext.commands.output import echo, emit_json
from maverick_ext.errors import EXIT_CODE_HELP

if TYPE_CHECKING:
    from maverick_ext.services.bprop import WalkResult


@click.command(
    "resume", short_help="Finish block propagations a crash left behind.", epilog=EXIT_CODE_HELP
)
@epic_argument
@click.option(
    "--force",
    is_flag=True,
    help="Also take over journals edited in the last 60 s (their run may still be going).",
)
@repo_option
@json_option
@pass_app
def resume(app: App, epic: str, force: bool, repo: str | None, as_json: bool) -> None:
    """Finish every block propagation on EPIC that a crashed run left behind.

    Every command that writes to an epic does this first; this one does only that. A
    journal edited in the last 60 seconds (GitHub's clock) probably belongs to a run still
    going and is left alone unless --force.

    \b
    Examples:
      gh maverick bprop resume 100
      gh maverick bprop resume 100 --json | jq '.resumed | length'

    \b
    JSON: {"epic": N, "resumed": [{"ejected": N, "descendants": [N], "labelled": [N],
                                   "commented": [N]}]}
    """
    from maverick_ext.services import bprop

    ctx = open_epic(app, repo, epic, journals="leave")
    outcomes = bprop.finish_abandoned(ctx, force=force)
    flush_warnings(ctx)
    if as_json:
        emit_json({"epic": ctx.number, "resumed": [o.to_json() for o in outcomes]})
        return
    for outcome in outcomes:
        echo(describe(outcome))
    if not outcomes:
        echo(f"no block propagation to resume on #{ctx.number}")


def describe(outcome: WalkResult) -> str:
    if not outcome.descendants:
        return f"nothing depends on #{outcome.ejected}: nothing to block"
    return (
        f"#{outcome.ejected} blocks {numbers(outcome.descendants)} "
        f"(labelled now: {numbers(outcome.labelled)}; commented now: "
        f"{numbers(outcome.commented)})"
    )
