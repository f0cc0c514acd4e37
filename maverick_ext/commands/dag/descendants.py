"""`gh maverick dag descendants EPIC STORY`: what an ejection of STORY would block."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.epic._shared import epic_board, numbers, story_number
from maverick_ext.commands.options import epic_argument, json_option, repo_option
from maverick_ext.commands.output import echo, emit_json
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "descendants",
    short_help="Every story that depends on a story, transitively.",
    epilog=EXIT_CODE_HELP,
)
@epic_argument
@click.argument("story", metavar="STORY")
@repo_option
@json_option
@pass_app
def descendants(app: App, epic: str, story: str, repo: str | None, as_json: bool) -> None:
    """Every story of EPIC that depends on STORY, directly or transitively.

    \b
    Examples:
      gh maverick dag descendants 100 4
      gh maverick dag descendants 100 4 --json | jq '.descendants[]'

    \b
    JSON: {"epic": N, "story": N, "descendants": [N], "stories": [STORY] (docs/json.md)}
    """
    from maverick_ext.core.dag import descendants as transitive

    ctx, board = epic_board(app, repo, epic)
    number = story_number(story)
    found = transitive(board.dag, number)
    if as_json:
        emit_json(
            {"epic": ctx.number, "story": number, "descendants": found,
             "stories": board.stories(found)}
        )  # fmt: skip
    else:
        echo(numbers(found) if found else f"nothing depends on #{number}")
