"""`gh maverick gh-state read ISSUE KIND`: the newest trusted marker's payload."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.gh_state import READABLE, marker_kind
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import emit_payload, warn
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "read",
    short_help="Print the newest trusted KIND marker's payload as JSON.",
    epilog=EXIT_CODE_HELP,
)
@click.argument("issue", metavar="ISSUE")
@click.argument("kind", metavar="KIND")
@repo_option
@json_option
@pass_app
def read(app: App, issue: str, kind: str, repo: str | None, as_json: bool) -> None:
    """Print the newest trusted KIND marker's payload on ISSUE as JSON ({} when none).

    KIND is maverick-dag, maverick-state, maverick-bprop, maverick-task-progress,
    maverick-claim or maverick-lease (the prefix may be left out).

    \b
    Examples:
      gh maverick gh-state read 100 maverick-dag | jq '.stories | keys'
    """
    from maverick_ext.commands.coordination import issue_client, trusted_bots
    from maverick_ext.services.markers import read_latest

    wanted = marker_kind(kind, READABLE)
    client, number = issue_client(app, repo, issue)
    found = read_latest(client, number, wanted, trusted_bots(app))
    for message in found.warnings:
        warn(message)
    emit_payload(found.payload)
