"""`gh maverick state set [EPIC] STORY STATUS`: record an explicit fact on the story."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.epic._shared import flush_warnings, open_epic, story_number
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import echo, emit_json, info, warn
from maverick_ext.errors import EXIT_CODE_HELP, UsageError

if TYPE_CHECKING:
    from maverick_ext.services.epics import StoryStatus


@click.command(
    "set", short_help="Record a fact on a story (ejected, merged, blocked).", epilog=EXIT_CODE_HELP
)
@click.argument("epic", nargs=-1, metavar="[EPIC] STORY STATUS")
@click.option(
    "--branch", metavar="BRANCH", help="merged: the branch it merged to (default: pr_target)."
)
@click.option("--by", "blocker", metavar="N", type=int, help="blocked: the upstream story.")
@repo_option
@json_option
@pass_app
def set_(
    app: App,
    epic: tuple[str, ...],
    branch: str | None,
    blocker: int | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Record that STORY of EPIC is ejected, merged or blocked, as a label on the story.

    ejected adds needs-human; merged adds merged-to-BRANCH; blocked adds blocked-by:#N.
    pending and in_flight follow from claims (claim / release): they are accepted, nothing
    is written, and the status derived instead is shown (exit 0); closed follows from
    closing the issue. Without EPIC, the epic
    is the story's parent issue. The fact lives on the story, so any number of instances
    setting different stories at once lose nothing; refresh the epic's snapshot with
    `state show --write`.

    \b
    Examples:
      gh maverick state set 100 104 ejected
      gh maverick state set 100 102 merged --branch develop
      gh maverick state set OWNER/REPO 104 ejected      # the seeds' order; epic = parent

    \b
    JSON: {"number", "title", "status", "reason", "holder", "lease_left_s", "prs", "url",
           "blocked_by": [N], "label": str|null, "added": bool}
    """
    from maverick_ext.core.epic_state import FROM_CLAIMS, STATUSES, fact_for
    from maverick_ext.services import epics

    epic_text, story, status = _split(app, repo, epic)
    if status not in STATUSES:
        raise UsageError(f"unknown status {status!r}", f"use one of: {', '.join(STATUSES)}")
    ctx = open_epic(app, repo, epic_text, journals="warn" if status in FROM_CLAIMS else "finish")
    number = story_number(story)
    if status in FROM_CLAIMS:
        epics.current_dag(ctx)[0].require(number)
        _explain(epics.statuses(ctx, [number])[number], status, as_json)
        flush_warnings(ctx)
        return
    if status == "merged" and not branch:
        branch = app.config.git_workflow.pr_target
    change = fact_for(status, branch=branch, blocker=blocker)
    result, added = epics.record_fact(ctx, number, change)
    flush_warnings(ctx)
    if result.status != status:
        warn(f"#{result.number} still shows {result.status} ({result.reason}): that fact wins")
    if as_json:
        emit_json({**result.to_json(), "label": change.add, "added": added})
    else:
        note = "labelled" if added else "already labelled"
        echo(f"#{result.number} is {result.status} ({note} {change.add})")


def _split(app: App, repo: str | None, given: tuple[str, ...]) -> tuple[str, str, str]:
    """``EPIC STORY STATUS``, or ``STORY STATUS`` with the epic read from the story's parent."""
    if len(given) == 3:
        return given[0], given[1], given[2]
    if len(given) != 2:
        raise UsageError(
            f"expected [EPIC] STORY STATUS, got {len(given)} argument(s)",
            "for example: state set 100 104 ejected",
        )
    from maverick_ext.core.refs import parse_issue_ref
    from maverick_ext.github.issues import parent_issue

    ref = parse_issue_ref(given[0])
    client = app.client(ref.repo or app.resolve_repo(repo))
    parent = parent_issue(client, ref.number)
    if parent is None:
        raise UsageError(
            f"#{ref.number} is not a sub-issue of an epic", "name the epic: state set EPIC STORY"
        )
    return (str(parent) if ref.repo is None else f"{ref.repo}#{parent}"), given[0], given[1]


def _explain(current: StoryStatus, status: str, as_json: bool) -> None:
    note = (
        f"{status} is derived from claims, not recorded: #{current.number} is "
        f"{current.status} ({current.reason})"
    )
    if as_json:
        emit_json({**current.to_json(), "label": None, "added": False, "note": note})
        info(note)
    else:
        echo(note)
