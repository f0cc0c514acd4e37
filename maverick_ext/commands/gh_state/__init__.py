"""`gh maverick gh-state read|write ISSUE KIND`: one marker kind on an issue, raw."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import emit_json, emit_payload, warn
from maverick_ext.errors import EXIT_CODE_HELP, InvalidData, UsageError

# claim and lease records belong to the claim protocol (coord claim/heartbeat/release):
# writing them by hand would forge or break a lease.
WRITABLE = ("dag", "state", "bprop", "task-progress")
READABLE = ("claim", "lease", *WRITABLE)


def _kind(text: str, allowed: tuple[str, ...]) -> str:
    kind = text.removeprefix("maverick-")
    if kind in allowed:
        return kind
    if kind in READABLE:
        raise UsageError(
            f"maverick-{kind} is written by the claim protocol only",
            "use gh maverick claim / heartbeat / release",
        )
    raise UsageError(
        f"unknown marker kind {text!r}",
        f"use one of: {', '.join('maverick-' + k for k in allowed)}",
    )


@click.command("read", epilog=EXIT_CODE_HELP)
@click.argument("issue", metavar="ISSUE")
@click.argument("kind", metavar="KIND")
@repo_option
@json_option
@pass_app
def read(app: App, issue: str, kind: str, repo: str | None, as_json: bool) -> None:
    """Print the newest trusted KIND marker's payload on ISSUE as JSON ({} when none).

    KIND is maverick-dag, maverick-state, maverick-bprop, maverick-task-progress,
    maverick-claim or maverick-lease (the prefix may be left out).

    \b
    Examples:
      gh maverick gh-state read 100 maverick-dag | jq '.stories | keys'
    """
    from maverick_ext.commands.coord._shared import trusted_bots
    from maverick_ext.commands.task_progress.commands import issue_client
    from maverick_ext.services.markers import read_latest

    wanted = _kind(kind, READABLE)
    client, number = issue_client(app, repo, issue)
    found = read_latest(client, number, wanted, trusted_bots(app))
    for message in found.warnings:
        warn(message)
    emit_payload(found.payload)


def _payload(source: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
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


@click.command("write", epilog=EXIT_CODE_HELP)
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
    from maverick_ext.commands.coord._shared import trusted_bots
    from maverick_ext.commands.task_progress.commands import issue_client
    from maverick_ext.services.markers import upsert

    wanted = _kind(kind, WRITABLE)
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
        click.echo(f"#{number}: maverick-{wanted} written (comment {written.comment_id})")


gh_state = LazyGroup(
    name="gh-state",
    help="""Read or write one marker kind on an issue (validated before it is written).

    \\b
    Examples:
      gh maverick gh-state read 100 maverick-dag
      gh maverick gh-state write 100 maverick-dag --payload-file dag.json
    """,
    epilog=EXIT_CODE_HELP,
)
gh_state.add_command(read)
gh_state.add_command(write)
