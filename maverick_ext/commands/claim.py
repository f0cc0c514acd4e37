"""`gh maverick claim ISSUE...`: exit 0 only when this instance alone owns every issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maverick_ext.commands.params import claiming, issues
from maverick_ext.commands.spec import command, option
from maverick_ext.errors import EXIT_CODE_HELP

if TYPE_CHECKING:
    from maverick_ext.commands.app import App

RESULTS_JSON = """\b
JSON: {"exit_code": N, "results": [{"issue", "exit_code", "action", "message",
       "fencing_token": int|null, "record": RECORD|null}]}  (RECORD: see `read --help`)"""


@command(
    "claim",
    short_help="Claim issues (exit 0 = you alone own them).",
    epilog=f"{RESULTS_JSON}\n\n{EXIT_CODE_HELP}",
)
@issues(required=False)
@option(
    "--scope",
    metavar="N,N",
    help="Also claim these issues under one scope: all of them or none (ISSUE may be "
    "omitted, as in the seeds' `coord claim REPO --scope 100,101`).",
)
@claiming
def claim(
    app: App,
    issues: tuple[str, ...],
    scope: str | None,
    ttl: str | None,
    settle: float | None,
    instance: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Claim ISSUE... for this instance: exit 0 means you alone own it.

    Moves the claim ref refs/maverick/claims/ISSUE by compare-and-swap (GitHub lets one
    writer win), then posts the claim comment (a maverick-claim plus a maverick-lease
    fence: the lease clock, readable by the seeds' tools) and adds the claude-in-progress
    label. A loser exits 13 and writes nothing. In a repository with no commit yet the
    comment-order protocol runs instead (post, wait the settle window, re-read, the
    earliest live comment wins). With coordination.mixed_fleet (MAVERICK_MIXED_FLEET=1)
    a claim waits the settle window and yields (13) to a seeds claim that landed
    meanwhile. Claiming an issue you already hold is a no-op (0, same fencing token). A
    stale holder is never taken over silently (12: use `takeover`). With several issues
    (or `-` for numbers on stdin) each is reported and the exit code is the worst one.

    \b
    Examples:
      gh maverick claim 123
      gh maverick claim 123 --scope 124,125 --ttl 20m
      gh maverick claim --scope 100,101,102          # the whole scope, no lead issue
      gh maverick epic next 100 --json | jq -r '.stories[].number' | gh maverick claim -
    """
    from maverick_ext.commands.coordination import claim_settings, finish, for_each_repo

    settings = claim_settings(app, ttl, settle)
    scope_numbers = _scope(scope)
    if not issues:
        issues = tuple(str(number) for number in scope_numbers)
    outcomes = for_each_repo(
        app,
        repo,
        issues,
        instance,
        lambda coordinator, numbers: coordinator.claim(numbers, settings, scope=scope_numbers),
    )
    finish(outcomes, as_json)


def _scope(text: str | None) -> list[int]:
    from maverick_ext.core.refs import parse_issue_ref

    if not text:
        return []
    return [parse_issue_ref(part).number for part in text.split(",") if part.strip()]
