"""`gh maverick issue comment post ISSUE --kind K --body-file F`."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.issue.comment import comment_options, read_body, report
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "post", short_help="Post the KIND artefact comment and record its id.", epilog=EXIT_CODE_HELP
)
@comment_options
@pass_app
def post(
    app: App,
    issue: str,
    kind: str,
    body_file: str,
    instance: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Post the KIND artefact comment on ISSUE and record its id in the task progress.

    Prints the new comment id (from GitHub's answer, never scraped from a URL).

    \b
    Examples:
      gh maverick issue comment post 42 --kind design --body-file design.md
      id=$(gh maverick issue comment post OWNER/REPO 42 --kind tasks --body-file -)
    """
    from maverick_ext.commands.coordination import issue_client, trusted_bots
    from maverick_ext.services.identity import resolve_identity
    from maverick_ext.services.task_progress import post_artefact

    text = read_body(body_file)
    client, number = issue_client(app, repo, issue)
    me = resolve_identity(app.env, instance, app.cwd).instance_id
    comment_id, _ = post_artefact(client, number, trusted_bots(app), me, kind, text)
    report(number, kind, comment_id, "posted", as_json)
