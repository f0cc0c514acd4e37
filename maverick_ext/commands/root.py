"""The `gh maverick` command tree. Only names and one-line help live here."""

from __future__ import annotations

import click

from maverick_ext import __version__
from maverick_ext.commands.app import App
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP

_C = "maverick_ext.commands"

COMMANDS: dict[str, tuple[str, str]] = {
    # claims (also under `coord`, the seeds' spelling)
    "read": (
        f"{_C}.read:read",
        "Show labels, the live claim and every claim record of an issue.",
    ),
    "claim": (
        f"{_C}.claim:claim",
        "Claim issues for this instance (exit 0 = you alone own them).",
    ),
    "heartbeat": (
        f"{_C}.heartbeat:heartbeat",
        "Keep this instance's lease alive (--loop to repeat).",
    ),
    "release": (f"{_C}.release:release", "Release this instance's claim with a reason."),
    "takeover": (
        f"{_C}.takeover:takeover",
        "Take over an issue whose holder's lease went stale.",
    ),
    "guard": (f"{_C}.guard:guard", "Exit 0 only if this instance still holds the claim."),
    "prune-refs": (f"{_C}.prune_refs:prune_refs", "Delete the claim refs of closed issues."),
    "help": (f"{_C}.help:help_", "Show the help of a command (gh maverick help epic next)."),
    "claims": (f"{_C}.claims:claims", "Every live claim in the repository (--mine, --epic)."),
    "doctor": (f"{_C}.doctor:doctor", "Find and fix what crashed runs left inconsistent."),
    "whoami": (f"{_C}.whoami:whoami", "This instance's id, host and gh account."),
    "coord": (f"{_C}.coord:coord", "Claim commands under the seeds' names (read, claim, ...)."),
    # epics
    "dag": (f"{_C}.dag:dag", "Build, show and plan an epic's story DAG."),
    "state": (f"{_C}.state:state", "Show or record the status of an epic's stories."),
    "bprop": (f"{_C}.bprop:bprop", "Block the descendants of an ejected story (crash-safe)."),
    "epic": (f"{_C}.epic:epic", "What to start next, the status table, the summary."),
    # git
    "worktree": (f"{_C}.worktree:worktree", "Create, list, remove and prune story worktrees."),
    "git-workflow": (f"{_C}.git_workflow:git_workflow", "Story base and PR target from config."),
    "branch": (f"{_C}.branch:branch", "Branch names derived from issues."),
    "pr": (f"{_C}.pr:pr", "Stacked PRs: retarget once the sibling merged."),
    # setup
    "init": (f"{_C}.init:init", "Create the labels Maverick uses (idempotent)."),
    "preflight": (
        f"{_C}.preflight:preflight",
        "Check gh, git, labels, config and rate limit.",
    ),
    "issue": (f"{_C}.issue:issue", "Issue policy, artefact comments, close on merge."),
    "gh-state": (
        f"{_C}.gh_state:gh_state",
        "Read or write one marker kind on an issue, validated.",
    ),
    "task-progress": (
        f"{_C}.task_progress:task_progress",
        "Read or record where an issue's work stands (phase, comments, tasks).",
    ),
    # offline
    "sandbox": (f"{_C}.sandbox:sandbox", "Start the local GitHub emulator and print its env."),
    "demo": (f"{_C}.demo:demo", "Run several instances through an epic against the emulator."),
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
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
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
