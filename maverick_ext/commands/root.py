"""The `gh maverick` command tree. Only names and one-line help live here."""

from __future__ import annotations

import click

from maverick_ext import __version__
from maverick_ext.commands.app import App
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP

_C = "maverick_ext.commands"

COMMANDS: dict[str, str] = {
    # claims (also under `coord`, the seeds' spelling)
    "read": f"{_C}.read:read",
    "claim": f"{_C}.claim:claim",
    "heartbeat": f"{_C}.heartbeat:heartbeat",
    "heartbeat-status": f"{_C}.heartbeat_status:heartbeat_status",
    "release": f"{_C}.release:release",
    "takeover": f"{_C}.takeover:takeover",
    "guard": f"{_C}.guard:guard",
    "prune-refs": f"{_C}.prune_refs:prune_refs",
    "help": f"{_C}.help:help_",
    "claims": f"{_C}.claims:claims",
    "doctor": f"{_C}.doctor:doctor",
    "whoami": f"{_C}.whoami:whoami",
    "coord": f"{_C}.coord:coord",
    # epics
    "dag": f"{_C}.dag:dag",
    "state": f"{_C}.state:state",
    "bprop": f"{_C}.bprop:bprop",
    "epic": f"{_C}.epic:epic",
    # git
    "worktree": f"{_C}.worktree:worktree",
    "git-workflow": f"{_C}.git_workflow:git_workflow",
    "branch": f"{_C}.branch:branch",
    "pr": f"{_C}.pr:pr",
    # setup
    "gh-app": f"{_C}.gh_app:gh_app",
    "init": f"{_C}.init:init",
    "preflight": f"{_C}.preflight:preflight",
    "issue": f"{_C}.issue:issue",
    "gh-state": f"{_C}.gh_state:gh_state",
    "task-progress": f"{_C}.task_progress:task_progress",
    # offline
    "sandbox": f"{_C}.sandbox:sandbox",
    "demo": f"{_C}.demo:demo",
}


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    epilog=EXIT_CODE_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="gh-maverick")
# GH_DEBUG is read by cli.main with gh's rule (any value but "", 0, false, no; `api` too):
# click's boolean parsing would refuse gh's own documented `GH_DEBUG=api`.
@click.option("--debug", is_flag=True, help="Print every gh call on stderr (or set GH_DEBUG).")
@click.option(
    "--as-app",
    is_flag=True,
    help="Act as the configured GitHub App (its installation token; see gh-app).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, as_app: bool) -> None:
    """Coordinate many coding agents on one GitHub repository.

    \b
    Examples:
      gh maverick claim 123                 # exit 0 = you own #123
      gh maverick heartbeat 123 --loop &    # keep the lease alive
      gh maverick release 123 --reason merged
      gh maverick epic next 100 --json | jq -r '.stories[].number' | xargs -n1 gh maverick claim
    """
    app = ctx.ensure_object(App)
    app.debug = app.debug or debug
    app.as_app = app.as_app or as_app
