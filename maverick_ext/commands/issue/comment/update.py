"""`gh maverick issue comment update ISSUE --kind K --body-file F`."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.issue.comment import comment_options, read_body, report
from maverick_ext.errors import EXIT_CODE_HELP, UsageError


@click.command(
    "update", short_help="Overwrite the recorded KIND artefact comment.", epilog=EXIT_CODE_HELP
)
@comment_options
@pass_app
def update(
    app: App,
    issue: str,
    kind: str,
    body_file: str,
    instance: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Overwrite ISSUE's recorded KIND artefact comment with a new body (same id).

    \b
    Examples:
      gh maverick issue comment update 42 --kind plan --body-file plan.md
    """
    from maverick_ext.commands.coordination import issue_client, trusted_bots
    from maverick_ext.services.task_progress import update_artefact

    text = read_body(body_file)
    client, number = issue_client(app, repo, issue)
    comment_id = update_artefact(client, number, trusted_bots(app), kind, text)
    if comment_id is None:
        raise UsageError(
            f"#{number} has no {kind} comment recorded",
            f"post it first: gh maverick issue comment post {number} --kind {kind} --body-file F",
        )
    report(number, kind, comment_id, "updated", as_json)
