"""`gh maverick issue comment post|update ISSUE --kind K --body-file F`: artefact comments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from maverick_ext.commands import tree
from maverick_ext.commands.options import instance_option, json_option, read_file_arg, repo_option
from maverick_ext.commands.output import echo, emit_json
from maverick_ext.commands.spec import group
from maverick_ext.core.task_progress import COMMENT_KINDS
from maverick_ext.errors import EXIT_CODE_HELP, UsageError

_C = "maverick_ext.commands.issue.comment"

F = TypeVar("F", bound=Callable[..., Any])


def comment_options(function: F) -> F:
    for option in reversed(
        [
            click.argument("issue", metavar="ISSUE"),
            click.option("--kind", required=True, type=click.Choice(COMMENT_KINDS)),
            click.option(
                "--body-file", required=True, metavar="PATH|-", help="Markdown body; - is stdin."
            ),
            instance_option,
            repo_option,
            json_option,
        ]
    ):
        function = option(function)
    return function


def read_body(source: str) -> str:
    from maverick_ext.core.markers import MAX_COMMENT_CHARS, comment_length

    text = read_file_arg(source)
    if not text.strip():
        raise UsageError(f"{'stdin' if source == '-' else source} is empty", "write the body first")
    if comment_length(text) > MAX_COMMENT_CHARS:
        raise UsageError(
            f"the body is {comment_length(text)} characters; "
            f"GitHub takes at most {MAX_COMMENT_CHARS}",
            "shorten it or split it",
        )
    return text


def report(issue: int, kind: str, comment_id: int, action: str, as_json: bool) -> None:
    if as_json:
        emit_json({"issue": issue, "kind": kind, "comment_id": comment_id, "action": action})
    else:
        echo(comment_id)


comment = group(
    "comment",
    short_help="Post or update artefact comments by kind (recorded by id).",
    help="""Post or update an issue's artefact comments (design, plan, tasks, completion).

    \\b
    Examples:
      gh maverick issue comment post 42 --kind design --body-file design.md
      gh maverick issue comment update 42 --kind design --body-file design.md
    """,
    epilog=EXIT_CODE_HELP,
    lazy=tree.ISSUE_COMMENT,
)
