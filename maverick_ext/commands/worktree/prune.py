"""``gh maverick worktree prune``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option
from maverick_ext.commands.output import emit_json, info


@click.command(
    "prune",
    epilog="""\b
Example:
  rm -rf .maverick/worktrees/feat__12-add-login && gh maverick worktree prune

\b
--json prints: {"pruned": ["Removing worktrees/feat__12-add-login: gitdir file points to
non-existent location"]} (git's own lines, one per forgotten worktree)""",
)
@json_option
@pass_app
def prune(app: App, as_json: bool) -> None:
    """Forget worktrees whose directories are gone."""
    from maverick_ext.services.worktrees import prune_worktrees

    pruned = prune_worktrees(app.cwd)
    if as_json:
        emit_json({"pruned": pruned})
        return
    for line in pruned:
        info(line)
    info(f"pruned {len(pruned)} worktree record(s)")
