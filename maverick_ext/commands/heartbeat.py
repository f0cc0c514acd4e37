"""`gh maverick heartbeat ISSUE [--loop]`: keep this instance's lease alive."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from maverick_ext.commands.claim import RESULTS_JSON
from maverick_ext.commands.params import INSTANCE, ISSUE, JSON, REPO
from maverick_ext.commands.spec import FloatRange, command, option, params
from maverick_ext.errors import EXIT_CODE_HELP

if TYPE_CHECKING:
    from maverick_ext.commands.app import App

# The arguments `heartbeat` and `coord heartbeat-loop` share.
heartbeat_options = params(
    ISSUE,
    option(
        "--interval",
        metavar="SECONDS",
        type=FloatRange(min=0.1),
        help="Seconds between heartbeats with --loop or --daemon (default: lease TTL / 5).",
    ),
    option(
        "--while-pid",
        metavar="PID",
        type=int,
        help="With --loop or --daemon: release (reason abort) once process PID exits.",
    ),
    option(
        "--daemon",
        "--daemonize",
        "daemon",
        is_flag=True,
        help="Keep renewing in a detached background process; return once it renewed.",
    ),
    # What --daemon starts: the loop with no parent to watch (not for people).
    option("--detached", is_flag=True, hidden=True),
    INSTANCE,
    REPO,
    JSON,
)


HELP_TAIL = """
    Each heartbeat edits this instance's claim comment in place (GitHub's updated_at is the
    new heartbeat; no comment is added) and, in the same request, checks the claim ref still
    points at this instance's commit: one request when this instance's state directory
    remembers the claim, a read first otherwise. It exits 13, saying why, when the claim is
    no longer ours: taken over, released, or the issue got a blocked-by:#N label.

    With --loop it repeats every --interval seconds, rides out transient GitHub errors
    until its own lease deadline (monotonic clock), exits 0 once this instance releases
    the claim and 13 on loss.

    With --daemon the same loop runs detached (its own session: it survives the calling
    shell and its process group), with its pidfile and log in this instance's state
    directory; the command returns once the daemon renewed the lease (0), or with the
    daemon's own exit code and last log line if it ended first. A daemon already running
    for the issue is reused. `heartbeat-status` lists the loops; `release` stops them.

    \b
    Examples:
      gh maverick heartbeat 123
      gh maverick heartbeat 123 --loop --while-pid $$ &
      gh maverick heartbeat 123 --daemon && gh maverick heartbeat-status 123
    """


@command(
    "heartbeat",
    short_help="Keep this instance's lease alive (--loop, --daemon).",
    help="Renew this instance's lease on ISSUE (--loop to keep renewing).\n" + HELP_TAIL,
    epilog=f"{RESULTS_JSON}\n\n{EXIT_CODE_HELP}",
)
@heartbeat_options
@option("--loop", is_flag=True, help="Keep renewing until released or lost.")
def heartbeat(app: App, loop: bool, **options: Any) -> None:
    run_heartbeat(app, loop=loop, **options)


def run_heartbeat(
    app: App,
    issue: str,
    interval: float | None,
    while_pid: int | None,
    daemon: bool,
    detached: bool,
    instance: str | None,
    repo: str | None,
    as_json: bool,
    loop: bool,
) -> None:
    from maverick_ext.commands.coordination import finish, for_each_repo
    from maverick_ext.errors import UsageError
    from maverick_ext.services.claims import each

    loop = loop or detached
    if not (loop or daemon) and (interval is not None or while_pid is not None):
        raise UsageError("--interval and --while-pid only apply with --loop or --daemon")
    if interval is not None and math.isnan(interval):  # click's FloatRange lets NaN through
        raise UsageError("invalid --interval nan: not a number of seconds")
    if while_pid is not None and while_pid <= 0:
        raise UsageError(
            f"invalid --while-pid {while_pid}: not a process id (0 and negatives name groups)",
            "pass the pid of the agent process, e.g. $$",
        )

    def beat(coordinator, numbers):
        if daemon and not detached:
            options = ["--interval", f"{interval:g}"] if interval is not None else []
            options += ["--while-pid", str(while_pid)] if while_pid is not None else []
            return each(numbers, lambda n: _start_daemon(app, coordinator, n, options))
        if loop:
            return each(numbers, lambda n: coordinator.heartbeat_loop(n, interval, while_pid))
        return each(numbers, coordinator.heartbeat)

    finish(for_each_repo(app, repo, (issue,), instance, beat, detached=detached), as_json)


def _start_daemon(app: App, coordinator: Any, number: int, options: list[str]) -> Any:
    """One detached loop for ``number``; its outcome once it renewed, ended, or was slow."""
    from maverick_ext.errors import ExitCode
    from maverick_ext.services import loops
    from maverick_ext.services.claims import Outcome

    repo = coordinator.client.require_repo()
    # The daemon acts as this command does: as the App (its token renewed as it runs) and
    # with --debug into its log when this run has them.
    root = [*(["--as-app"] if app.acting_as_app() else []), *(["--debug"] if app.debug else [])]
    args = loops.daemon_args(number, str(repo), coordinator.me, options, root)
    started = loops.start_daemon(
        coordinator.loops_dir, repo.full_name, number, loops.spawner(args, app.env, app.cwd)
    )
    entry = started.entry
    details = {"daemon": entry.to_json(time.time()) if entry else None}
    if started.exit_code is not None:
        known = {int(c) for c in ExitCode}
        code = started.exit_code if started.exit_code in known else ExitCode.FAILURE
        why = started.last_line.removeprefix("gh-maverick: ") or "no output"
        return Outcome(number, ExitCode(code), "daemon_ended",
                       f"#{number}: the heartbeat daemon ended before renewing: {why}",
                       details=details)  # fmt: skip
    if entry is None:
        return Outcome(number, ExitCode.FAILURE, "daemon_failed",
                       f"#{number}: the heartbeat daemon did not start (see its log "
                       f"{loops.entry_path(coordinator.loops_dir, repo.full_name, number)}"
                       ".log)", details=details)  # fmt: skip
    where = f"(pid {entry.pid}, log {entry.log})"
    if started.already_running:
        return Outcome(number, ExitCode.OK, "already_running",
                       f"#{number}: a heartbeat daemon already runs {where}",
                       details=details)  # fmt: skip
    what = "lease renewed" if entry.renewed_at else "first renewal still pending"
    return Outcome(number, ExitCode.OK, "daemon_started",
                   f"#{number}: heartbeat daemon started, {what} {where}",
                   details=details)  # fmt: skip
