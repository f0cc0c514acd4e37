"""``gh maverick pr retarget``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import emit_json, info
from maverick_ext.errors import MaverickError, UsageError


@click.command(
    "retarget",
    epilog="""\b
Examples:
  gh maverick pr retarget 14               # by PR number
  gh maverick pr retarget feat/14-logout   # by head branch
  gh maverick pr retarget --all --dry-run  # every stacked maverick PR, plan only

\b
A PR stacked on a sibling branch is retargeted once the sibling's PR has merged (read
from the PR's state, so squash merges count): the branch is rebased with
`git rebase --onto <story base> <old sibling tip>` (in its worktree, or a temporary one),
pushed with --force-with-lease, and the PR's base is changed (PATCH pulls/N). A PR whose
sibling has not merged is left alone ("waiting"). On a rebase conflict the rebase is
aborted, the worktree is left exactly as it was, the PR is not touched, and the command
exits 1 saying how to finish by hand. --all covers open PRs whose head branch starts with
a configured prefix (feat/, fix/, ...) and whose base is not a trunk branch.

\b
--json prints: {"results": [{"pr": 14, "branch": "feat/14-logout",
  "old_base": "feat/12-login", "new_base": "main", "sibling_pr": 13,
  "action": "retargeted" | "would-retarget" | "waiting" | "not-stacked" | "closed" | "failed",
  "detail": "...", "rebased": true, "old_head": "<sha>", "new_head": "<sha>"}]}""",
)
@click.argument("target", metavar="PR|BRANCH", required=False)
@click.option("--instance", help="This instance's id (default: MAVERICK_INSTANCE_ID, ...).")
@click.option("--all", "all_prs", is_flag=True, help="Check every open stacked maverick PR.")
@click.option("--dry-run", is_flag=True, help="Say what would happen; change nothing.")
@repo_option
@json_option
@pass_app
def retarget(
    app: App,
    target: str | None,
    instance: str | None,
    all_prs: bool,
    dry_run: bool,
    repo: str | None,
    as_json: bool,
) -> None:
    """Move a stacked PR to the story base once its sibling merged.

    A story branch (`feat/14-...`) is only rewritten while no other instance holds #14's
    claim (fencing): otherwise the command exits 13 and pushes nothing.
    """
    from maverick_ext.commands.coordination import coordinator
    from maverick_ext.services import retarget as service

    if bool(target) == all_prs:
        raise UsageError("name one PR (number or head branch) or pass --all, not both")
    resolved = app.resolve_repo(repo)
    client = app.client(resolved)
    fence = coordinator(app, resolved, instance).fence
    cwd, env = app.cwd, app.env
    if not target:  # --all (checked above)
        results = service.retarget_all(client, fence=fence, dry_run=dry_run, cwd=cwd, env=env)
    else:
        results = [service.retarget(client, target, fence=fence, dry_run=dry_run, cwd=cwd, env=env)]
    if as_json:
        emit_json({"results": [result.to_json() for result in results]})
    else:
        for result in results:
            where = f" -> {result.new_base}" if result.new_base else ""
            info(f"#{result.pr} {result.branch} ({result.old_base}{where}): {result.action}")
            info(f"  {result.detail}")
    failed = [result for result in results if result.action == "failed"]
    if failed:
        raise MaverickError(
            f"{len(failed)} of {len(results)} PRs could not be retargeted: "
            + ", ".join(f"#{result.pr}" for result in failed),
            "see each PR's detail above",
        )
