"""`gh maverick read ISSUE`: the claim state of one issue, in one API call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from maverick_ext.commands.output import echo, emit_json, table, warn
from maverick_ext.commands.params import ISSUE, JSON, REPO
from maverick_ext.commands.spec import command
from maverick_ext.errors import EXIT_CODE_HELP

if TYPE_CHECKING:
    from maverick_ext.commands.app import App
    from maverick_ext.services.claims import IssueClaims


@command("read", epilog=EXIT_CODE_HELP)
@ISSUE
@REPO
@JSON
def read(app: App, issue: str, repo: str | None, as_json: bool) -> None:
    """Show labels, the live claim and every claim record of ISSUE.

    Liveness is judged on GitHub's clock (the comment's updated_at against the Date of this
    read), never this machine's. Skipped (malformed or untrusted) markers are warned about
    on stderr.

    \b
    Examples:
      gh maverick read 123
      gh maverick read 123 --json | jq .holder.fencing_token

    \b
    JSON: {"issue", "repo", "title", "state", "labels", "block_label", "block_labels",
           "in_progress", "lease_live", "holder": RECORD|null, "stale_holder": RECORD|null,
           "records": [RECORD], "claim": {...}|null, "lease": {...}|null,
           "server_time", "warnings": [str], "mode": "ref"|"comment"}
    RECORD: {"comment_id", "fencing_token", "instance_id", "host", "state"
             (active|released|superseded|stale), "format" (combined|seed), "scope",
             "claimed_at", "heartbeat_at", "expires_at", "seconds_left", "ttl_s",
             "supersedes", "reason", "released_at", "epoch": int|null, "commit": oid|null}
    In ref mode fencing_token is the epoch of the claim ref's tip (it only grows); after a
    release the ref holds a released record and records[0] is the released claim (reason,
    by whom, when).
    """
    from maverick_ext.commands.coordination import issue_client, prefetch_claim_read, trusted_bots

    client, number = issue_client(app, repo, issue)
    prefetch_claim_read(client, number)  # GitHub answers while the claim code loads
    from maverick_ext.services.claims import read_claims

    state = read_claims(client, number, trusted_bots(app))
    for warning in state.warnings:
        warn(str(warning))
    document = read_document(state, client.require_repo().full_name)
    if as_json:
        emit_json(document)
    else:
        echo(render_text(state))


def read_document(state: IssueClaims, repo: str) -> dict[str, Any]:
    from maverick_ext.core.labels import CLAIM_LABEL, block_labels, has_label
    from maverick_ext.core.payloads import iso

    snapshot, view, now = state.snapshot, state.view, state.server_time
    blocks = block_labels(snapshot.labels)
    shown = view.holder or view.stale_holder
    return {
        "issue": snapshot.number,
        "repo": repo,
        "title": snapshot.title,
        "state": snapshot.state,
        "labels": snapshot.labels,
        "block_label": blocks[0] if blocks else None,
        "block_labels": blocks,
        "in_progress": has_label(snapshot.labels, CLAIM_LABEL),
        "lease_live": view.holder is not None,
        "holder": view.holder.to_json(now) if view.holder else None,
        "stale_holder": view.stale_holder.to_json(now) if view.stale_holder else None,
        "records": [record.to_json(now) for record in view.records],
        # The seeds' `coord read` keys, for skills written against them.
        "claim": dict(shown.claim_payload) if shown else None,
        "lease": dict(shown.lease_payload) if shown and shown.lease_payload else None,
        "server_time": iso(now),
        "warnings": [str(w) for w in state.warnings],
        # "ref": the claim ref decides; "comment": the comment-order fallback (docs/claims.md).
        "mode": state.mode,
    }


def render_text(state: IssueClaims) -> str:
    from maverick_ext.core.labels import block_labels
    from maverick_ext.core.payloads import iso

    snapshot, view, now = state.snapshot, state.view, state.server_time
    lines = [f"#{snapshot.number} {snapshot.title} ({snapshot.state.lower()})"]
    lines.append(f"labels: {', '.join(snapshot.labels) or '(none)'}")
    if blocks := block_labels(snapshot.labels):
        lines.append(f"blocked: {', '.join(blocks)}")
    if view.holder:
        h = view.holder
        lines.append(
            f"held by {h.instance_id}{f' on {h.host}' if h.host else ''}: fencing token "
            f"{h.comment_id}, lease {h.seconds_left(now)}s left (GitHub time)"
        )
    elif view.stale_holder:
        s = view.stale_holder
        lines.append(f"stale claim by {s.instance_id} (comment {s.comment_id}): takeover allowed")
    else:
        lines.append("not claimed")
    if view.records:
        rows = [
            (
                r.comment_id,
                r.instance_id,
                r.host or "",
                r.state,
                iso(r.claimed_at) if r.claimed_at else "",
                r.seconds_left(now),
            )
            for r in view.records
        ]
        lines += ["", table(("COMMENT", "INSTANCE", "HOST", "STATE", "CLAIMED", "LEFT_S"), rows)]
    return "\n".join(lines)
