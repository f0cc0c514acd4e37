"""``gh maverick git-workflow pr-target``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.git_workflow import print_resolved
from maverick_ext.commands.options import json_option


@click.command(
    "pr-target",
    epilog="""\b
Example:
  gh pr create --base "$(gh maverick git-workflow pr-target)"

\b
git_workflow.pr_target from config, else the story base.
--json prints: {"branch": "main", "source": "config" | "remote default branch" | "fallback"}""",
)
@json_option
@pass_app
def pr_target(app: App, as_json: bool) -> None:
    """Print the branch story PRs target."""
    print_resolved(app, "pr_target", as_json)
