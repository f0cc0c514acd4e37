"""`gh maverick dag waves EPIC | --file PATH|-`: stories grouped into waves."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.epic._shared import Board, epic_board, numbers, plan_document
from maverick_ext.commands.options import json_option, read_file_arg, repo_option
from maverick_ext.commands.output import echo, emit_json
from maverick_ext.errors import EXIT_CODE_HELP, InvalidData, UsageError

if TYPE_CHECKING:
    from maverick_ext.core.dag import Dag


@click.command("waves", epilog=EXIT_CODE_HELP)
@click.argument("epic", metavar="[EPIC]", required=False)
@click.option(
    "--file",
    "source",
    metavar="PATH|-",
    help="Plan offline from a maverick-dag payload: JSON, or a comment body holding the marker.",
)
@repo_option
@json_option
@pass_app
def waves(app: App, epic: str | None, source: str | None, repo: str | None, as_json: bool) -> None:
    """Group EPIC's stories into waves that can run side by side.

    A story comes after every story it depends on; inside a wave the longest downstream
    chain (critical path) comes first; stories declaring the same file never share a wave.
    With --file no API call is made, so it composes in pipelines.

    \b
    Examples:
      gh maverick dag waves 100
      gh api repos/{owner}/{repo}/issues/comments/42 --jq .body | gh maverick dag waves --file -

    \b
    JSON: {"epic": N, "waves": [[N, ...], ...],
           "stories": [STORY + {"files": [str], "downstream": n}]}
    STORY (docs/json.md): {"number", "title", "wave", "critical_path", "deps": [N],
           "status", "reason", "holder", "lease_left_s", "prs", "url", "blocked_by",
           "problems"}; with --file the story facts (status ... blocked_by) are null/empty.
    (wave is 1-based; critical_path counts stories on the longest chain from this one,
    itself included; downstream counts every story that depends on it, transitively.)
    """
    from maverick_ext.core.waves import plan_waves

    if (epic is None) == (source is None):
        raise UsageError("give either EPIC or --file PATH|-", "for example: dag waves 100")
    if source is not None:
        dag = _dag_from_file(source)
        board = Board(dag, plan_waves(dag), {})  # offline: no story facts
    else:
        board = epic_board(app, repo, epic or "")[1]
    if as_json:
        emit_json(plan_document(board))
        return
    for index, members in enumerate(board.plan.waves, 1):
        echo(f"wave {index}: {numbers(members)}")


def _dag_from_file(source: str) -> Dag:
    from maverick_ext.core.dag import dag_from_payload
    from maverick_ext.core.markers import parse_body

    text = read_file_arg(source)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError:
        found = [m for m in parse_body(text).markers if m.kind == "dag"]
        if not found:
            raise InvalidData(
                f"{'stdin' if source == '-' else source} holds neither DAG JSON nor a "
                "maverick-dag marker"
            ) from None
        payload = found[-1].payload
    if not isinstance(payload, dict):
        raise InvalidData("the DAG document must be a JSON object with an epic and stories")
    return dag_from_payload(payload)
