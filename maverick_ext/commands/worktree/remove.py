"""``gh maverick worktree remove``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option
from maverick_ext.commands.output import emit_json, info
from maverick_ext.records import asdict


@click.command(
    "remove",
    epilog="""\b
Examples:
  gh maverick worktree remove feat/12-add-login
  gh maverick worktree remove .maverick/worktrees/feat__12-add-login --force

\b
The branch itself is kept (it may hold commits that were never pushed). A worktree with
uncommitted changes or untracked files is refused (exit 2) unless --force.
--json prints: {"removed": {"path": "...", "branch": "...", "dirty": false, ...}}""",
)
@click.argument("target", metavar="BRANCH|PATH")
@click.option("--force", is_flag=True, help="Remove even with uncommitted changes.")
@json_option
@pass_app
def remove(app: App, target: str, force: bool, as_json: bool) -> None:
    """Remove a story worktree (refuses a dirty one)."""
    from maverick_ext.services.worktrees import remove_worktree

    removed = remove_worktree(target, force=force, cwd=app.cwd, env=app.env)
    if as_json:
        emit_json({"removed": asdict(removed)})
    else:
        info(f"removed {removed.path} ({removed.branch or 'detached'}); the branch is kept")
