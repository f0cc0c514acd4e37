"""``gh maverick worktree list``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option
from maverick_ext.commands.output import echo, emit_json, table


def _flag(value: bool | None) -> str:
    return {True: "yes", False: "", None: "missing"}[value]


@click.command(
    "list",
    epilog="""\b
Example:
  gh maverick worktree list
  gh maverick worktree list --json | jq -r '.worktrees[] | select(.managed) | .branch'

\b
--json prints:
  {"root": ".../.maverick/worktrees", "cap": 4, "active": 1,
   "worktrees": [{"path": "...", "branch": "feat/12-x", "head": "<sha>", "managed": true,
                  "dirty": false, "locked": false, "prunable": false, "issue": 12}]}
("dirty" is null when the directory is missing; "managed" = under the worktree root.)""",
)
@json_option
@pass_app
def list_worktrees(app: App, as_json: bool) -> None:
    """List worktrees, the managed ones and the cap."""
    from maverick_ext.services.worktrees import list_worktrees as listing_of

    listing = listing_of(app.cwd, app.env)
    if as_json:
        emit_json(listing.to_json())
        return
    rows = [
        (
            w.branch or "(detached)",
            f"#{w.issue}" if w.issue else "",
            "yes" if w.managed else "",
            _flag(w.dirty),
            w.path,
        )
        for w in listing.worktrees
    ]
    echo(table(["BRANCH", "ISSUE", "MANAGED", "DIRTY", "PATH"], rows))
    echo(f"{listing.active} of {listing.cap} story worktrees in use", err=True)
