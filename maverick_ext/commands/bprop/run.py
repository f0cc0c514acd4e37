"""`gh maverick bprop run EPIC --ejected N`."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.epic._shared import flush_warnings, open_epic
from maverick_ext.commands.options import epic_argument, json_option, repo_option
from maverick_ext.commands.output import echo, emit_json
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "run",
    short_help="Label and notify every descendant of an ejected story.",
    epilog=EXIT_CODE_HELP,
)
@epic_argument
@click.option("--ejected", metavar="N", type=int, required=True, help="The ejected story.")
@repo_option
@json_option
@pass_app
def run(app: App, epic: str, ejected: int, repo: str | None, as_json: bool) -> None:
    """Label every transitive descendant of the ejected story blocked-by:#N and comment once.

    Writes a maverick-bprop journal on EPIC first (one per ejected story) and deletes it at
    the end. Safe to rerun after a crash at any point: what is done is read back from
    GitHub, so no descendant is skipped and none gets a second comment. Never removes a
    blocked-by label. Exit 11 if another run is still walking the same ejection.

    \b
    Examples:
      gh maverick bprop run 100 --ejected 104
      gh maverick bprop run 100 --ejected 104 --json | jq '.descendants'

    \b
    JSON: {"epic": N, "ejected": N, "descendants": [N], "labelled": [N], "commented": [N]}
    (labelled / commented: what this run added; the rest was already there.)
    """
    from maverick_ext.commands.bprop.resume import describe
    from maverick_ext.services import bprop

    ctx = open_epic(app, repo, epic, journals="leave")
    outcome = bprop.run(ctx, ejected)
    flush_warnings(ctx)
    if as_json:
        emit_json({"epic": ctx.number, **outcome.to_json()})
    else:
        echo(describe(outcome))
