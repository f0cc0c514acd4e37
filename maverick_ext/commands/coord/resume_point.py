"""`gh maverick coord resume-point ISSUE`: where to pick up an issue, as JSON."""

from __future__ import annotations

from typing import Any

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import instance_option, json_option, repo_option
from maverick_ext.commands.output import emit_json, warn
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "resume-point",
    short_help="Where to resume an issue: progress, claim, PR (JSON).",
    epilog=EXIT_CODE_HELP,
)
@click.argument("issue", metavar="ISSUE")
@instance_option
@repo_option
@json_option
@pass_app
def resume_point(
    app: App, issue: str, instance: str | None, repo: str | None, as_json: bool
) -> None:
    """Where a fresh instance resumes ISSUE: from its task progress, the claim, its PR and
    any unfinished block walk (one read, plus one PR lookup by the recorded branch).

    \b
    Examples:
      gh maverick coord resume-point 42 | jq -r .next

    \b
    JSON: {"issue", "next": "start|claimed|design|...|review|merged|ejected|wait|bprop|
           complete", "instruction", "evidence": {"phase", "branch", "holder",
           "held_by_me", "pr": {"number", "state", "url"}|null, "bprop_pending"}}
    """
    from maverick_ext.commands.coordination import by_repo, trusted_bots
    from maverick_ext.core import resume
    from maverick_ext.core.refs import parse_issue_ref
    from maverick_ext.core.trust import TrustPolicy, issue_markers
    from maverick_ext.github.permissions import policy_with_writers
    from maverick_ext.github.pulls import list_pulls
    from maverick_ext.services.claims import read_claims
    from maverick_ext.services.identity import resolve_identity

    ref = parse_issue_ref(issue)
    ((target, _),) = by_repo(app, repo, [ref]).items()
    client, number = app.client(target), ref.number
    client.require_repo()
    bots = trusted_bots(app)
    me = resolve_identity(app.env, instance, app.cwd).instance_id
    state = read_claims(client, number, bots)  # the claim ref decides, as `read` says
    snapshot, view = state.snapshot, state.view
    policy = policy_with_writers(client, snapshot.comments, TrustPolicy(snapshot.viewer, bots))
    markers = issue_markers(snapshot.comments, policy).markers
    progress = max(
        (m for m in markers if m.kind == "task-progress"),
        key=lambda m: m.comment_id,
        default=None,
    )
    payload = dict(progress.payload) if progress else {}
    journals = [m for m in markers if m.kind == "bprop"]
    bprop_pending = bool(journals)  # a finished walk deletes its journal (core/bprop.py)
    branch = payload.get("branch") if isinstance(payload.get("branch"), str) else None
    pr = next(iter(snapshot.closing_prs), None)
    pr_doc: dict[str, Any] | None = None
    if pr is not None:
        pr_doc = {
            "number": pr.number,
            "state": "MERGED" if pr.merged else pr.state.upper(),
            "url": pr.url,
        }
    elif branch:
        found = list_pulls(client, head=branch, state="all")
        if found:
            p = found[0]
            pr_doc = {
                "number": p.number,
                "state": "MERGED" if p.merged else p.state.upper(),
                "url": p.html_url,
            }
    holder = view.holder
    facts = resume.ResumeFacts(
        number=number,
        phase=payload.get("phase") if isinstance(payload.get("phase"), str) else None,
        bprop_pending=bprop_pending,
        held_by_me=holder is not None and holder.instance_id == me,
        live_holder=holder.instance_id if holder else None,
        stale_holder=view.stale_holder.instance_id if view.stale_holder else None,
        pr_number=pr_doc["number"] if pr_doc else None,
        pr_state=pr_doc["state"] if pr_doc else None,
    )
    point = resume.resume_point(facts)
    for warning in state.warnings:
        warn(str(warning))
    emit_json(
        {
            "issue": number,
            "next": point.next,
            "instruction": point.instruction,
            "evidence": {
                "phase": facts.phase,
                "branch": branch,
                "holder": facts.live_holder,
                "held_by_me": facts.held_by_me,
                "pr": pr_doc,
                "bprop_pending": bprop_pending,
            },
        }
    )
