"""`gh maverick prune-refs`: delete the claim refs of closed issues."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import echo
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "prune-refs", short_help="Delete the claim refs of closed issues.", epilog=EXIT_CODE_HELP
)
@click.option("--dry-run", is_flag=True, help="List what would be deleted, delete nothing.")
@repo_option
@json_option
@pass_app
def prune_refs(app: App, dry_run: bool, repo: str | None, as_json: bool) -> None:
    """Delete refs/maverick/claims/<N> of every closed issue (open issues are kept).

    Claim refs live outside refs/heads and refs/tags, so clones never fetch them; they stay
    on GitHub until pruned. Each ref is deleted only if it still points where it was read
    (one atomic updateRefs), so a claim made meanwhile is never lost.

    \b
    Examples:
      gh maverick prune-refs --dry-run
      gh api repos/{owner}/{repo}/git/matching-refs/maverick/claims --jq '.[].ref'
    """
    from maverick_ext.commands.output import emit_json
    from maverick_ext.services.claims import prune_closed_claim_refs

    client = app.client(app.resolve_repo(repo))
    client.require_repo()
    pruned = prune_closed_claim_refs(client, dry_run=dry_run)
    if as_json:
        emit_json({"dry_run": dry_run, "pruned": pruned})
    else:
        verb = "would delete" if dry_run else "deleted"
        echo(f"{verb} {len(pruned)} claim ref(s)" + "".join(f"\n  #{n}" for n in pruned))
