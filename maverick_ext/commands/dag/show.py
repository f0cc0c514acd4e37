"""`gh maverick dag show EPIC`: the recorded DAG, or the one GitHub implies."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.epic._shared import flush_warnings, numbers, open_epic
from maverick_ext.commands.options import epic_argument, json_option, repo_option
from maverick_ext.commands.output import echo, emit_json, table
from maverick_ext.core.dag import Dag
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "show", short_help="Show the recorded DAG (else the one GitHub implies).", epilog=EXIT_CODE_HELP
)
@epic_argument
@repo_option
@json_option
@pass_app
def show(app: App, epic: str, repo: str | None, as_json: bool) -> None:
    """Show EPIC's story DAG: the maverick-dag marker if recorded, else built from GitHub.

    \b
    Examples:
      gh maverick dag show 100
      gh maverick dag show 100 --json | jq -r '.stories["4"].deps[]'

    \b
    JSON: {"epic": N, "source": "marker"|"github",
           "stories": {"140": {"deps": ["139"], "files": [str], "title": str}}}
    """
    from maverick_ext.services import epics

    ctx = open_epic(app, repo, epic)
    dag, source = epics.current_dag(ctx)
    flush_warnings(ctx)
    if as_json:
        emit_json({**dag.to_payload(), "source": source})
    else:
        echo(render_dag(dag))


def render_dag(dag: Dag) -> str:
    rows = [
        (f"#{n}", s.title, numbers(list(s.deps)), ", ".join(s.files) or "-")
        for n, s in sorted(dag.stories.items())
    ]
    return table(("STORY", "TITLE", "DEPENDS ON", "FILES"), rows)
