"""`gh maverick dag build EPIC`: the DAG as GitHub describes it, optionally recorded."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.epic._shared import flush_warnings, open_epic
from maverick_ext.commands.options import epic_argument, json_option, repo_option
from maverick_ext.commands.output import echo, emit_json, info
from maverick_ext.errors import EXIT_CODE_HELP


@click.command("build", epilog=EXIT_CODE_HELP)
@epic_argument
@click.option("--write", is_flag=True, help="Record it as the epic's maverick-dag marker.")
@repo_option
@json_option
@pass_app
def build(app: App, epic: str, write: bool, repo: str | None, as_json: bool) -> None:
    """Build the story DAG of EPIC from GitHub.

    Stories: the epic's sub-issues and the #N in its task table or checklist. Dependencies:
    native "blocked by" links and "depends on #N" / "blocked by #N" lines in story bodies.
    Files: each story's "Files:" list and backticked paths in a plan section. A cycle, a
    self-dependency or a dependency outside the epic exits 15 naming them. --write upserts
    the maverick-dag marker (edits our marker comment in place).

    \b
    Examples:
      gh maverick dag build 100
      gh maverick dag build 100 --write --json | jq '.stories | keys'

    \b
    JSON: {"epic": N, "stories": {"140": {"deps": ["139"], "files": [str], "title": str}},
           "comment_id": int|null}
    """
    from maverick_ext.commands.dag.show import render_dag
    from maverick_ext.services import epics

    ctx = open_epic(app, repo, epic, journals="finish" if write else "warn")
    dag = epics.build_dag(ctx)
    comment_id = epics.write_dag(ctx, dag) if write else None
    flush_warnings(ctx)
    if as_json:
        emit_json({**dag.to_payload(), "comment_id": comment_id})
        return
    echo(render_dag(dag))
    if comment_id is not None:
        info(f"recorded the DAG of #{dag.epic} in comment {comment_id}")
