"""`gh maverick issue comment post|update ISSUE --kind K --body-file F`: artefact comments."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.coord._shared import instance_option
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import emit_json
from maverick_ext.core.task_progress import COMMENT_KINDS
from maverick_ext.errors import EXIT_CODE_HELP, UsageError

F = TypeVar("F", bound=Callable[..., Any])


def _options(function: F) -> F:
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


def _body(source: str) -> str:
    from maverick_ext.core.markers import MAX_COMMENT_CHARS, comment_length

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    if not text.strip():
        raise UsageError(f"{'stdin' if source == '-' else source} is empty", "write the body first")
    if comment_length(text) > MAX_COMMENT_CHARS:
        raise UsageError(
            f"the body is {comment_length(text)} characters; "
            f"GitHub takes at most {MAX_COMMENT_CHARS}",
            "shorten it or split it",
        )
    return text


def _report(issue: int, kind: str, comment_id: int, action: str, as_json: bool) -> None:
    if as_json:
        emit_json({"issue": issue, "kind": kind, "comment_id": comment_id, "action": action})
    else:
        click.echo(comment_id)


@click.command("post", epilog=EXIT_CODE_HELP)
@_options
@pass_app
def post(
    app: App,
    issue: str,
    kind: str,
    body_file: str,
    instance: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Post the KIND artefact comment on ISSUE and record its id in the task progress.

    Prints the new comment id (from GitHub's answer, never scraped from a URL).

    \b
    Examples:
      gh maverick issue comment post 42 --kind design --body-file design.md
      id=$(gh maverick issue comment post OWNER/REPO 42 --kind tasks --body-file -)
    """
    from maverick_ext.commands.coord._shared import trusted_bots
    from maverick_ext.commands.task_progress.commands import issue_client
    from maverick_ext.services.identity import resolve_identity
    from maverick_ext.services.task_progress import post_artefact

    text = _body(body_file)
    client, number = issue_client(app, repo, issue)
    me = resolve_identity(app.env, instance, app.cwd).instance_id
    comment_id, _ = post_artefact(client, number, trusted_bots(app), me, kind, text)
    _report(number, kind, comment_id, "posted", as_json)


@click.command("update", epilog=EXIT_CODE_HELP)
@_options
@pass_app
def update(
    app: App,
    issue: str,
    kind: str,
    body_file: str,
    instance: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Overwrite ISSUE's recorded KIND artefact comment with a new body (same id).

    \b
    Examples:
      gh maverick issue comment update 42 --kind plan --body-file plan.md
    """
    from maverick_ext.commands.coord._shared import trusted_bots
    from maverick_ext.commands.task_progress.commands import issue_client
    from maverick_ext.services.task_progress import update_artefact

    text = _body(body_file)
    client, number = issue_client(app, repo, issue)
    comment_id = update_artefact(client, number, trusted_bots(app), kind, text)
    if comment_id is None:
        raise UsageError(
            f"#{number} has no {kind} comment recorded",
            f"post it first: gh maverick issue comment post {number} --kind {kind} --body-file F",
        )
    _report(number, kind, comment_id, "updated", as_json)


comment = LazyGroup(
    name="comment",
    help="""Post or update an issue's artefact comments (design, plan, tasks, completion).

    \\b
    Examples:
      gh maverick issue comment post 42 --kind design --body-file design.md
      gh maverick issue comment update 42 --kind design --body-file design.md
    """,
    epilog=EXIT_CODE_HELP,
)
comment.add_command(post)
comment.add_command(update)
