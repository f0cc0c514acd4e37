"""``gh maverick worktree create``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option
from maverick_ext.commands.output import echo, emit_json, info


@click.command(
    "create",
    epilog="""\b
Examples:
  gh maverick worktree create feat/12-add-login --issue 12
  gh maverick worktree create feat/14-logout --base feat/12-add-login   # stacked
  cd "$(gh maverick worktree create fix/9-crash)"

\b
Idempotent: rerunning reuses the worktree (action "reused"), adds one for an existing
local branch ("attached"), or checks the branch out again from the remote when only the
remote has it ("recreated"); otherwise the branch is made from the base ("created").
The base is --base, else `git-workflow story-base`, else the remote's default branch,
fetched first. At most coordination.max_concurrent_worktrees (default 4) story
worktrees exist at once: beyond that the command refuses with exit 10.

\b
Post-create hook (worktrees.post_create in .maverick/config.json, an argv list, or the
seeds' hooks.worktree_post_create script): run without a shell, inside the new worktree,
with its path appended as the last argument and MAVERICK_WORKTREE_PATH, MAVERICK_BRANCH,
MAVERICK_BASE_BRANCH, MAVERICK_REPO_ROOT and MAVERICK_ISSUE set. A failing hook fails
the command and leaves the worktree for inspection.

\b
Prints the worktree path on stdout. --json prints:
  {"action": "created", "branch": "...", "path": "...", "base": "main",
   "start_point": "origin/main", "head": "<sha>", "issue": 12, "hook": null}""",
)
@click.argument("branch")
@click.option("--base", metavar="BRANCH", help="Branch to start from (a sibling to stack).")
@click.option("--issue", type=click.IntRange(min=1), help="Issue this branch is for.")
@json_option
@pass_app
def create(app: App, branch: str, base: str | None, issue: int | None, as_json: bool) -> None:
    """Create (or reuse) the worktree for a story branch."""
    from maverick_ext.services.worktrees import create_worktree

    created = create_worktree(branch, base=base, issue=issue, cwd=app.cwd, env=app.env)
    if created.hook_output:
        info(created.hook_output)
    if as_json:
        emit_json(created.to_json())
        return
    if created.action == "reused":
        info(f"reusing the existing worktree of {created.branch}")
    else:
        info(f"{created.action} {created.branch} from {created.start_point or 'its branch'}")
    echo(created.path)
