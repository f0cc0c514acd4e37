"""``gh maverick issue policy``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option
from maverick_ext.commands.output import echo, emit_json


@click.command(
    "policy",
    epilog="""\b
Example:
  policy=$(gh maverick issue policy)
  [ "$policy" != manual ] && gh issue close 100 --comment "Epic complete"

\b
issue_lifecycle.close_policy from .maverick/config.json (or the user config):
  on_pr_merge              close when the story's PR merges, whatever its target (default)
  on_default_branch_merge  close only when the PR merged into the default branch
  manual                   never close; the team's own workflow does it
--json prints: {"close_policy": "on_pr_merge", "sources": ["/repo/.maverick/config.json"]}""",
)
@json_option
@pass_app
def policy(app: App, as_json: bool) -> None:
    """Print when issues close after their PR merges."""
    config = app.config
    if as_json:
        sources = [str(path) for path in config.sources]
        emit_json({"close_policy": config.issue_lifecycle.close_policy, "sources": sources})
    else:
        echo(config.issue_lifecycle.close_policy)
