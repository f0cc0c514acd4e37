"""``gh maverick git-workflow story-base``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.git_workflow import print_resolved
from maverick_ext.commands.options import json_option


@click.command(
    "story-base",
    epilog="""\b
Example:
  STORY_BASE=$(gh maverick git-workflow story-base)

\b
git_workflow.story_base from .maverick/config.json (or the user config), else the
remote's default branch (refs/remotes/origin/HEAD), else "main".
--json prints: {"branch": "main", "source": "config" | "remote default branch" | "fallback"}""",
)
@json_option
@pass_app
def story_base(app: App, as_json: bool) -> None:
    """Print the branch stories start from."""
    print_resolved(app, "story_base", as_json)
