"""`gh maverick gh-state write ISSUE KIND`: a validated payload, upserted as the marker."""

from __future__ import annotations

import json
from typing import Any

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.gh_state import WRITABLE, marker_kind
from maverick_ext.commands.options import json_option, read_file_arg, repo_option
from maverick_ext.commands.output import echo, emit_json
from maverick_ext.errors import EXIT_CODE_HELP, InvalidData


def _payload(source: str) -> dict[str, Any]:
    text = read_file_arg(source)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidData(f"{source} is not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(payload, dict):
        raise InvalidData(f"{source} must hold a JSON object")
    return payload


def checked(kind: str, number: int, payload: dict[str, Any]) -> None:
    """Refuse, before anything is written, a payload every reader would skip or reject."""
    from maverick_ext.core.payloads import validate

    typed = validate(kind, payload)
    if isinstance(typed, str):
        raise InvalidData(f"invalid maverick-{kind} payload: {typed}")
    if kind == "dag":
        from maverick_ext.core.dag import dag_from_payload
        from maverick_ext.core.dag import validate as validate_dag

        if typed.epic != number:
            raise InvalidData(f"the DAG names epic #{typed.epic} but is written on #{number}")
        validate_dag(dag_from_payload(payload, number))  # unknown deps and cycles


@click.command(
    "write",
    short_help="Validate a KIND payload, then upsert it as the marker.",
    epilog=EXIT_CODE_HELP,
)
@click.argument("issue", metavar="ISSUE")
@click.argument("kind", metavar="KIND")
@click.option("--payload-file", required=True, metavar="PATH|-", help="The JSON payload.")
@click.option("--preamble", metavar="MARKDOWN", help="Text shown above the marker block.")
@repo_option
@json_option
@pass_app
def write(
    app: App,
    issue: str,
    kind: str,
    payload_file: str,
    preamble: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Validate a KIND payload, then upsert it as ISSUE's marker (one comment, edited).

    A maverick-dag must name ISSUE as its epic, and its dependencies must be stories of
    it without a cycle; `dag waves|show|descendants` then plan from it. Invalid payloads
    exit 15 and nothing is written.

    \b
    Examples:
      gh maverick gh-state write 100 maverick-dag --payload-file dag.json
      gh maverick dag build 100 --json | gh maverick gh-state write 100 dag --payload-file -

    \b
    JSON: {"issue": N, "kind": "maverick-dag", "comment_id": N}
    """
    from maverick_ext.commands.coordination import issue_client, trusted_bots
    from maverick_ext.services.markers import upsert

    wanted = marker_kind(kind, WRITABLE)
    payload = _payload(payload_file)
    client, number = issue_client(app, repo, issue)
    checked(wanted, number, payload)
    written = upsert(
        client,
        number,
        wanted,
        trusted_bots(app),
        lambda _current, _now: payload,
        preamble or f"<!-- maverick {wanted} -->",
    )
    if as_json:
        emit_json({"issue": number, "kind": f"maverick-{wanted}", "comment_id": written.comment_id})
    else:
        echo(f"#{number}: maverick-{wanted} written (comment {written.comment_id})")
