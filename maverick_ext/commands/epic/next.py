"""`gh maverick epic next EPIC`: the stories to start now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maverick_ext.commands.epic._shared import epic_board, numbers
from maverick_ext.commands.output import echo, emit_json, info
from maverick_ext.commands.params import EPIC, claiming
from maverick_ext.commands.spec import IntRange, command, option
from maverick_ext.errors import EXIT_CODE_HELP, Exit

MAX_ENV = "MAX_CONCURRENT_WORKTREES"


if TYPE_CHECKING:
    from maverick_ext.commands.app import App


@command("next", short_help="The stories to start now, critical path first.", epilog=EXIT_CODE_HELP)
@EPIC
@option(
    "--max",
    "limit",
    type=IntRange(min=1),
    metavar="N",
    help=f"At most N stories (default: {MAX_ENV}, else coordination.max_concurrent_worktrees, "
    "else 4).",
)
@option(
    "--claim",
    "claim",
    is_flag=True,
    help="Claim the first startable story (critical path first) and print it; move past "
    "races lost to other agents. Exit 16: nothing to start now; 17: nothing left.",
)
@claiming
def next_(
    app: App,
    epic: str,
    limit: int | None,
    claim: bool,
    ttl: str | None,
    settle: float | None,
    instance: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """The stories of EPIC to start now: the first unfinished wave minus blocked, claimed,
    merged and closed stories, critical path first, capped.

    Prints nothing (JSON: empty stories) when nothing can start; stderr says why.

    --claim picks and claims in one step, safe with many agents calling it at once: it
    claims the first startable story, and when another agent wins that race (or the story
    was claimed, blocked or closed meanwhile) it tries the next, re-reading the epic up to
    3 times. Exit 0 prints the story it now holds; 16 means nothing can start now but
    stories are in flight (retry after a while); 17 means nothing is left for agents.

    \b
    Examples:
      gh maverick epic next 100
      gh maverick epic next 100 --json | jq -r '.stories[].number' | xargs -n1 gh maverick claim
      while story=$(gh maverick epic next 100 --claim); do work "$story"; done

    \b
    JSON: {"epic": N, "wave": W|null, "stories": [STORY], "in_flight": [N], "waiting": [N]}
    --claim JSON: {"epic": N, "claimed": STORY + {"fencing_token"}|null,
                   "tried": [{"number", "action", "exit_code"}], "exit_code": N}
    STORY (docs/json.md): {"number", "title", "wave", "critical_path", "deps", "status",
           "reason", "holder", "lease_left_s", "prs", "url", "blocked_by", "problems"}
    (claimed is the story as read before the claim: status pending, holder null)
    """
    if claim:
        _claim_next(app, epic, repo, ttl, settle, instance, as_json)
        return
    cap = limit or _default_limit(app)
    ctx, board = epic_board(app, repo, epic)
    from maverick_ext.core.waves import select_next

    status = {n: s.status for n, s in board.statuses.items()}
    chosen = select_next(board.dag, board.plan, status, cap)
    stories = board.stories(chosen.ready)
    if chosen.wave is None:
        info(
            f"nothing left to start on #{ctx.number}: "
            "every story is merged, closed, ejected or blocked"
        )
    elif not chosen.ready:
        info(
            f"wave {chosen.wave}: nothing to start (in flight: {numbers(chosen.running)}; "
            f"waiting on upstream: {numbers(chosen.waiting)})"
        )
    if as_json:
        emit_json(
            {
                "epic": ctx.number,
                "wave": chosen.wave,
                "stories": stories,
                "in_flight": chosen.running,
                "waiting": chosen.waiting,
            }
        )
        return
    for story in stories:
        echo(f"#{story['number']}\t{story['title']}")


def _claim_next(
    app: App,
    epic: str,
    repo: str | None,
    ttl: str | None,
    settle: float | None,
    instance: str | None,
    as_json: bool,
) -> None:
    from maverick_ext.commands.coordination import claim_settings, coordinator
    from maverick_ext.commands.output import emit_json
    from maverick_ext.core.waves import select_next
    from maverick_ext.errors import MaverickError, NothingLeft, NothingStartable
    from maverick_ext.services.fleet import claim_first

    settings = claim_settings(app, ttl, settle)
    ctx, board = epic_board(app, repo, epic)
    boards = [board]

    def candidates(tried: set[int]) -> list[int]:
        if tried:  # a later round: the epic as it is now
            boards.append(epic_board(app, repo, epic)[1])
        latest = boards[-1]
        status = {n: s.status for n, s in latest.statuses.items()}
        return select_next(latest.dag, latest.plan, status, len(latest.dag.stories)).ready

    result = claim_first(coordinator(app, ctx.client.repo, instance), settings, candidates)
    latest = boards[-1]
    document: dict = {"epic": ctx.number, "claimed": None, "tried": result.tried, "exit_code": 0}
    if result.won is not None:
        number = result.won.issue
        document["claimed"] = {
            **latest.story(number),
            "fencing_token": result.won.record.fencing_token if result.won.record else None,
        }
    if result.failure is not None:
        error = MaverickError(result.failure.message)
        error.exit_code = result.failure.code
    elif result.won is None:
        status = {n: s.status for n, s in latest.statuses.items()}
        left = select_next(latest.dag, latest.plan, status, 0)
        lost = f" (lost {numbers([t['number'] for t in result.tried])})" if result.tried else ""
        error = (
            NothingLeft(
                f"nothing left on #{ctx.number}: every story is merged, closed, ejected or blocked",
                "summarise it: gh maverick epic summary " + str(ctx.number),
            )
            if left.wave is None
            else NothingStartable(
                f"nothing to start on #{ctx.number} now{lost}: in flight "
                f"{numbers(left.running)}, waiting on upstream {numbers(left.waiting)}",
                "retry after a while",
            )
        )
    else:
        error = None
    if error is not None:
        document.update(exit_code=int(error.exit_code), error=error.message, hint=error.hint)
    if as_json:
        emit_json(document)
    elif document["claimed"]:
        echo(f"#{document['claimed']['number']}\t{document['claimed']['title']}")
    if error is not None:
        info(f"gh-maverick: {error.one_line()}")
        raise Exit(int(error.exit_code))


def _default_limit(app: App) -> int:
    return app.coordination().max_concurrent_worktrees  # MAX_ENV is applied with the files
