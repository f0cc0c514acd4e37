"""`gh maverick heartbeat-status [ISSUE]`: which of this instance's heartbeat loops run."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import instance_option, json_option, repo_option
from maverick_ext.commands.output import echo
from maverick_ext.errors import EXIT_CODE_HELP, Exit

STATUS_JSON = """\b
JSON: {"instance_id", "running": bool, "pid": int|null (with ISSUE),
       "loops": [{"repo", "issue", "pid", "mode": "daemon"|"foreground", "started_at",
                  "renewed_at", "expires_at", "lease_left_s", "log"}]}"""


@click.command("heartbeat-status", epilog=f"{STATUS_JSON}\n\n{EXIT_CODE_HELP}")
@click.argument("issue", required=False, metavar="[ISSUE]")
@instance_option
@repo_option
@json_option
@pass_app
def heartbeat_status(
    app: App, issue: str | None, instance: str | None, repo: str | None, as_json: bool
) -> None:
    """Which of this instance's heartbeat loops run, lease left.

    Read from the loop registry in this instance's state directory, without asking GitHub:
    for each loop the repository and issue, its pid, whether it is a daemon, when GitHub
    last saw a renewal and the lease left, estimated on this machine's clock since then.
    Pidfiles of loops that died are removed. With ISSUE, exit 13 if no loop keeps that
    issue's lease alive (treat it as a lost claim: stop pushing, check with `read`).

    \b
    Examples:
      gh maverick heartbeat-status
      gh maverick heartbeat-status 123 --json | jq .loops[0].lease_left_s
      gh maverick coord heartbeat-status OWNER/REPO 123
    """
    import time

    from maverick_ext.commands.output import emit_json, table
    from maverick_ext.core.refs import parse_issue_ref
    from maverick_ext.errors import ExitCode
    from maverick_ext.services.identity import registry_dir, resolve_identity, state_root
    from maverick_ext.services.loops import running

    identity = resolve_identity(app.env, instance, app.cwd)
    loops = running(registry_dir(state_root(app.env), identity.instance_id))
    wanted = parse_issue_ref(issue) if issue is not None else None
    if wanted is not None or repo:
        chosen = (wanted.repo if wanted else None) or app.resolve_repo(repo)
        full_name = chosen.full_name if chosen else None
        loops = [
            e for e in loops
            if e.repo == full_name and (wanted is None or e.issue == wanted.number)
        ]  # fmt: skip
    now = time.time()
    if as_json:
        document = {"instance_id": identity.instance_id, "running": bool(loops)}
        if wanted is not None:
            document["pid"] = loops[0].pid if loops else None
        emit_json({**document, "loops": [e.to_json(now) for e in loops]})
    elif loops:
        rows = [
            (f"{e.repo}#{e.issue}", e.pid, "daemon" if e.daemon else "foreground",
             e.renewed_at or "-", "-" if e.lease_left_s(now) is None else f"{e.lease_left_s(now)}s")
            for e in loops
        ]  # fmt: skip
        echo(table(("ISSUE", "PID", "MODE", "RENEWED", "LEASE LEFT"), rows))
    elif wanted is None:
        echo(f"no heartbeat loops run for instance {identity.instance_id}")
    if wanted is not None and not loops:
        echo(
            f"gh-maverick: no heartbeat loop of instance {identity.instance_id} runs for "
            f"#{wanted.number}: its lease is not being renewed (check the claim with `read`, "
            "then `heartbeat --daemon`)",
            err=True,
        )
        raise Exit(ExitCode.LOST)
