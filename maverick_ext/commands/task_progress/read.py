"""`gh maverick task-progress read ISSUE`: where an issue's work stands, as JSON."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.coordination import issue_client
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import emit_payload, warn
from maverick_ext.errors import EXIT_CODE_HELP

PAYLOAD_JSON = """\b
JSON: the marker's payload: {"phase", "instance_id", "updated_at", "branch",
       "comments": {"design": ID, "plan": ID, "tasks": ID, "completion": ID},
       "tasks_done": [N], ...fields other writers added}  ({} when none is recorded)"""


@click.command(
    "read",
    short_help="Print an issue's task progress as JSON.",
    epilog=f"{PAYLOAD_JSON}\n\n{EXIT_CODE_HELP}",
)
@click.argument("issue", metavar="ISSUE")
@repo_option
@json_option
@pass_app
def read(app: App, issue: str, repo: str | None, as_json: bool) -> None:
    """Print ISSUE's task progress as JSON (always JSON: agents parse it).

    The newest marker from a trusted author wins; malformed ones are skipped with a
    warning on stderr.

    \b
    Examples:
      gh maverick task-progress read 42
      gh maverick task-progress read OWNER/REPO 42 | jq -r '.comments.design // empty'
    """
    from maverick_ext.commands.coordination import trusted_bots
    from maverick_ext.services.task_progress import read_progress

    client, number = issue_client(app, repo, issue)
    progress = read_progress(client, number, trusted_bots(app))
    for message in progress.warnings:
        warn(message)
    emit_payload(progress.payload)
