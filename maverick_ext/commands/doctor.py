"""`gh maverick doctor`: find (and with --fix repair) what crashed runs left inconsistent."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import instance_option, json_option, repo_option
from maverick_ext.commands.output import echo, emit_json, info, progress
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "doctor", short_help="Find and fix what crashed runs left inconsistent.", epilog=EXIT_CODE_HELP
)
@click.option("--fix", is_flag=True, help="Apply each fix (idempotent); default: dry run.")
@click.option(
    "--epic", "epic", metavar="N", help="Also check epic N (snapshot, merges, journals, drift)."
)
@instance_option
@repo_option
@json_option
@pass_app
def doctor(
    app: App, fix: bool, epic: str | None, instance: str | None, repo: str | None, as_json: bool
) -> None:
    """Reconcile GitHub with itself and with this machine: claim refs of closed issues,
    claim labels without a live claim, live claims on closed issues, two open PRs or
    branches for one issue (naming the one not held by the claim holder), and with --epic
    stories the state snapshot calls in_flight with no live lease, PRs merged but not
    recorded (no merged-to label, a stale snapshot), unfinished block propagations and DAG
    drift; also local story worktrees whose claim is gone.

    Dry run by default: says what it would do. --fix applies each fix idempotently and
    says what it did; a second run then reports nothing but what is left to a person
    (duplicate PRs, orphan worktrees). Progress goes to stderr when it is a terminal.

    \b
    Examples:
      gh maverick doctor
      gh maverick doctor --epic 100 --fix --json | jq '.findings[] | select(.fixed)'

    \b
    JSON: {"schema_version": 1, "repo": "OWNER/REPO", "fix": bool,
           "findings": [{"check", "issue", "message", "fix": str|null, "fixed": bool}]}
    """
    from maverick_ext.commands.coordination import trusted_bots
    from maverick_ext.services import doctor as checks
    from maverick_ext.services.identity import resolve_identity

    client = app.client(app.resolve_repo(repo))
    full_name = client.require_repo().full_name
    bots = trusted_bots(app)
    me = resolve_identity(app.env, instance, app.cwd).instance_id
    states = checks.read_claim_states(client, bots, progress)
    findings = checks.claim_findings(client, states, fix)
    subjects = checks.claim_subjects(states)
    if epic is not None:
        from maverick_ext.commands.epic._shared import open_epic

        progress(f"doctor: reading epic #{epic} and its stories…")
        ctx = open_epic(app, repo, epic, journals="leave")
        stories = checks.story_subjects(ctx)
        subjects = {**stories, **subjects}
        findings += checks.in_flight_findings(ctx, bots, fix)
        findings += checks.merged_findings(ctx, stories, fix)
        findings += checks.epic_findings(ctx, fix)  # drift and journals are findings here
    progress("doctor: looking for duplicate PRs and branches…")
    findings += checks.duplicate_findings(client, subjects, bots)
    findings += checks.worktree_findings(client, bots, me, app.cwd)
    if as_json:
        emit_json(
            {
                "repo": full_name,
                "fix": fix,
                "findings": [f.to_json() for f in findings],
            }
        )
        return
    if not findings:
        info(f"doctor: nothing to fix in {full_name}")
    for f in findings:
        done = "fixed: " if f.fixed else ("would " if f.fix else "by hand: ")
        echo(f"{f.check}\t{f.message}\t{done}{f.fix or 'see the message'}")
