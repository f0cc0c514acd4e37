"""`gh maverick heartbeat ISSUE [--loop]`: keep this instance's lease alive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.claim import RESULTS_JSON
from maverick_ext.commands.coordination import instance_option
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.errors import EXIT_CODE_HELP

F = TypeVar("F", bound=Callable[..., Any])


def heartbeat_options(function: F) -> F:
    """The arguments `heartbeat` and `coord heartbeat-loop` share."""
    for option in reversed(
        [
            click.argument("issue", metavar="ISSUE"),
            click.option(
                "--interval",
                metavar="SECONDS",
                type=click.FloatRange(min=0.1),
                help="Seconds between heartbeats with --loop (default: lease TTL / 5).",
            ),
            click.option(
                "--while-pid",
                metavar="PID",
                type=int,
                help="With --loop: release (reason abort) as soon as process PID exits.",
            ),
            instance_option,
            repo_option,
            json_option,
        ]
    ):
        function = option(function)
    return function


HELP_TAIL = """
    Each heartbeat re-reads the issue and checks this instance still holds it, then edits
    its own claim comment in place (GitHub's updated_at is the new heartbeat; no comment is
    added). It exits 13, saying why, when the claim is no longer ours: an earlier claim
    became visible, the claim was taken over, or the issue got a blocked-by:#N label.

    With --loop it repeats every --interval seconds, rides out transient GitHub errors
    until its own lease deadline (monotonic clock), exits 0 once this instance releases
    the claim and 13 on loss.

    \b
    Examples:
      gh maverick heartbeat 123
      gh maverick heartbeat 123 --loop --while-pid $$ &
    """


@click.command("heartbeat", epilog=f"{RESULTS_JSON}\n\n{EXIT_CODE_HELP}")
@heartbeat_options
@click.option("--loop", is_flag=True, help="Keep renewing until released or lost.")
@pass_app
def heartbeat(app: App, loop: bool, **options: Any) -> None:
    run_heartbeat(app, loop=loop, **options)


heartbeat.help = "Renew this instance's lease on ISSUE (--loop to keep renewing).\n" + HELP_TAIL


def run_heartbeat(
    app: App,
    issue: str,
    interval: float | None,
    while_pid: int | None,
    instance: str | None,
    repo: str | None,
    as_json: bool,
    loop: bool,
) -> None:
    from maverick_ext.commands.coordination import finish, for_each_repo
    from maverick_ext.errors import UsageError
    from maverick_ext.services.claims import each

    if not loop and (interval is not None or while_pid is not None):
        raise UsageError("--interval and --while-pid only apply with --loop")
    if while_pid is not None and while_pid <= 0:
        raise UsageError(
            f"invalid --while-pid {while_pid}: not a process id (0 and negatives name groups)",
            "pass the pid of the agent process, e.g. $$",
        )

    def beat(coordinator, numbers):
        if loop:
            return each(numbers, lambda n: coordinator.heartbeat_loop(n, interval, while_pid))
        return each(numbers, coordinator.heartbeat)

    finish(for_each_repo(app, repo, (issue,), instance, beat), as_json)
