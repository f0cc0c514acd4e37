"""`gh maverick claims`: every live claim in the repository, cheap enough for a loop."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import instance_option, json_option, repo_option
from maverick_ext.commands.output import echo, emit_json, table
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "claims",
    short_help="Every live claim in the repository (--mine, --epic).",
    epilog=EXIT_CODE_HELP,
)
@click.option("--mine", is_flag=True, help="Only the claims this instance holds.")
@click.option("--epic", "epic", metavar="N", help="Only the stories of epic N.")
@instance_option
@repo_option
@json_option
@pass_app
def claims(
    app: App,
    mine: bool,
    epic: str | None,
    instance: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Every live claim in the repository: issue, holder, host, lease left, scope, epic,
    fencing epoch, mode (ref, or comment for a seed-format claim).

    Cost: 1 call listing the claim refs (git/matching-refs), 1 listing the issues labelled
    claude-in-progress (seed agents' claims; +1 per further 100), then one call per 50 of
    them: at most 2 + ceil(n/50). With --epic, the epic and its stories (1 + 1 per 50).
    The holder is the claim ref's record with a live lease, else a live seed-format claim.

    \b
    Examples:
      gh maverick claims
      gh maverick claims --mine --json | jq -r '.claims[].issue'
      watch -n 30 gh maverick claims --epic 100

    \b
    JSON: {"schema_version": 1, "repo": "OWNER/REPO", "instance_id": str,
           "claims": [{"issue", "title", "instance_id", "host", "lease_left_s",
                       "expires_at", "scope": [N], "epic": N|null, "fencing_token",
                       "epoch": N|null, "mode": "ref"|"comment"}]}
    """
    from maverick_ext.commands.coordination import trusted_bots
    from maverick_ext.services.fleet import find_claims
    from maverick_ext.services.identity import resolve_identity

    client = app.client(app.resolve_repo(repo))
    full_name = client.require_repo().full_name
    me = resolve_identity(app.env, instance, app.cwd).instance_id
    numbers = None
    if epic is not None:
        from maverick_ext.commands.epic._shared import open_epic
        from maverick_ext.core.dag import story_numbers

        ctx = open_epic(app, repo, epic, journals="leave")
        numbers = story_numbers(ctx.number, ctx.issue.body, ctx.issue.sub_issues)
    found = find_claims(client, trusted_bots(app), numbers)
    if mine:
        found = [c for c in found if c.record.instance_id == me]
    rows = [c.to_json() for c in found]
    if as_json:
        emit_json({"repo": full_name, "instance_id": me, "claims": rows})
        return
    if not rows:
        echo(f"no live claims in {full_name}", err=True)
        return
    echo(
        table(
            ("ISSUE", "HOLDER", "HOST", "LEASE LEFT", "EPIC", "SCOPE", "EPOCH", "MODE", "TITLE"),
            (
                (
                    f"#{r['issue']}",
                    r["instance_id"] + (" (you)" if r["instance_id"] == me else ""),
                    r["host"] or "-",
                    f"{r['lease_left_s']}s",
                    f"#{r['epic']}" if r["epic"] else "-",
                    " ".join(f"#{n}" for n in r["scope"]) or "-",
                    r["fencing_token"],
                    r["mode"],
                    r["title"],
                )
                for r in rows
            ),
        )
    )
