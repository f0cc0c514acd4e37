"""`gh maverick state set EPIC STORY STATUS`: record an explicit fact on the story."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.epic._shared import (
    epic_argument,
    flush_warnings,
    open_epic,
    story_number,
)
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import emit_json, warn
from maverick_ext.core.epic_state import STATUSES
from maverick_ext.errors import EXIT_CODE_HELP


@click.command("set", epilog=EXIT_CODE_HELP)
@epic_argument
@click.argument("story", metavar="STORY")
@click.argument(
    "status",
    metavar="STATUS",
    type=click.Choice(STATUSES),
)
@click.option(
    "--branch", metavar="BRANCH", help="merged: the branch it merged to (default: pr_target)."
)
@click.option("--by", "blocker", metavar="N", type=int, help="blocked: the upstream story.")
@repo_option
@json_option
@pass_app
def set_(
    app: App,
    epic: str,
    story: str,
    status: str,
    branch: str | None,
    blocker: int | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Record that STORY of EPIC is ejected, merged or blocked, as a label on the story.

    ejected adds needs-human; merged adds merged-to-BRANCH; blocked adds blocked-by:#N.
    pending and in_flight are not settable: they follow from claims (claim / release);
    closed follows from closing the issue.
    The fact lives on the story, so any number of instances setting different stories at
    once lose nothing; refresh the epic's snapshot with `state show --write`.

    \b
    Examples:
      gh maverick state set 100 104 ejected
      gh maverick state set 100 102 merged --branch develop

    \b
    JSON: {"number", "title", "status", "reason", "holder", "lease_left_s", "prs", "url",
           "blocked_by": [N], "label": str, "added": bool}
    """
    from maverick_ext.core.epic_state import fact_for
    from maverick_ext.services import epics

    if status == "merged" and not branch:
        branch = app.config.git_workflow.pr_target
    change = fact_for(status, branch=branch, blocker=blocker)
    ctx = open_epic(app, repo, epic, journals="finish")
    result, added = epics.record_fact(ctx, story_number(story), change)
    flush_warnings(ctx)
    if result.status != status:
        warn(f"#{result.number} still shows {result.status} ({result.reason}): that fact wins")
    if as_json:
        emit_json({**result.to_json(), "label": change.add, "added": added})
    else:
        note = "labelled" if added else "already labelled"
        click.echo(f"#{result.number} is {result.status} ({note} {change.add})")
