"""`gh maverick init`: create the labels Maverick uses, idempotently."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import echo
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "init", short_help="Create the labels Maverick uses (idempotent).", epilog=EXIT_CODE_HELP
)
@repo_option
@json_option
@pass_app
def init(app: App, repo: str | None, as_json: bool) -> None:
    """Create the claude-in-progress and needs-human labels (existing ones are kept).

    blocked-by:#N and merged-to-<branch> labels are created on demand when first used.

    \b
    Examples:
      gh maverick init -R octo/widgets

    \b
    JSON: {"repo": "OWNER/REPO", "labels": [{"name", "created": bool}]}
    """
    from maverick_ext.commands.output import emit_json
    from maverick_ext.core.labels import STANDARD_LABELS
    from maverick_ext.github.issues import ensure_label

    client = app.client(app.resolve_repo(repo))
    target = client.require_repo()
    created = [
        (name, ensure_label(client, name, color, text)) for name, color, text in STANDARD_LABELS
    ]
    if as_json:
        emit_json(
            {
                "repo": target.full_name,
                "labels": [{"name": name, "created": made} for name, made in created],
            }
        )
        return
    for name, made in created:
        echo(f"{'created' if made else 'exists '}  {name}")
