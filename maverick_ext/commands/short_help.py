"""Every command's one-line help, keyed by the lazy tables' targets (``module:attribute``).

Generated from the commands themselves (their ``short_help``, else their help's first
sentence), so the text is written once, in the command, and listing commands (``--help``)
imports none of them. Do not edit by hand: after changing a command's help run
``.venv/bin/cog -r maverick_ext/commands/short_help.py docs/commands.md``;
tests/unit/test_command_docs.py fails while this table and the commands disagree.
"""

# [[[cog
# import json
#
# import click
# from maverick_ext.commands.lazy import SHORT_HELP_CHARS
# from maverick_ext.commands.root import cli
#
# found = {}
#
# def walk(group, ctx):
#     for name, target in group.lazy.items():
#         command = group.get_command(ctx, name)
#         text = command.get_short_help_str(SHORT_HELP_CHARS)
#         too_long = text.endswith("...") or len(text) > SHORT_HELP_CHARS
#         assert not too_long, f"{target}: one-line help over {SHORT_HELP_CHARS} chars: {text}"
#         found[target] = text
#         if isinstance(command, click.Group):
#             walk(command, click.Context(command, info_name=name, parent=ctx))
#
# walk(cli, click.Context(cli, info_name="gh maverick"))
# cog.outl("SHORT_HELP: dict[str, str] = {")
# for target, text in sorted(found.items()):
#     key, value = json.dumps(target), json.dumps(text, ensure_ascii=False)
#     line = f"    {key}: {value},"  # as ruff formats it: wrapped only when too long
#     cog.outl(line if len(line) <= 100 else f"    {key}: (\n        {value}\n    ),")
# cog.outl("}")
# ]]]
SHORT_HELP: dict[str, str] = {
    "maverick_ext.commands.bprop.resume:resume": "Finish block propagations a crash left behind.",
    "maverick_ext.commands.bprop.run:run": "Label and notify every descendant of an ejected story.",
    "maverick_ext.commands.bprop:bprop": "Block the descendants of an ejected story (crash-safe).",
    "maverick_ext.commands.branch.name:name": (
        "Print the branch name for an issue (<prefix>/<N>-<slug>)."
    ),
    "maverick_ext.commands.branch:branch": "Branch names derived from issues.",
    "maverick_ext.commands.claim:claim": "Claim issues (exit 0 = you alone own them).",
    "maverick_ext.commands.claims:claims": "Every live claim in the repository (--mine, --epic).",
    "maverick_ext.commands.coord.heartbeat_loop:heartbeat_loop": (
        "Same as `heartbeat --loop` (the seeds' spelling)."
    ),
    "maverick_ext.commands.coord.resume_point:resume_point": (
        "Where to resume an issue: progress, claim, PR (JSON)."
    ),
    "maverick_ext.commands.coord:coord": (
        "Claim commands under the seeds' names (read, claim, ...)."
    ),
    "maverick_ext.commands.dag.build:build": "Build the story DAG of EPIC from GitHub.",
    "maverick_ext.commands.dag.descendants:descendants": (
        "Every story that depends on a story, transitively."
    ),
    "maverick_ext.commands.dag.show:show": "Show the recorded DAG (else the one GitHub implies).",
    "maverick_ext.commands.dag.waves:waves": (
        "Group EPIC's stories into waves that can run side by side."
    ),
    "maverick_ext.commands.dag:dag": "Build, show and plan an epic's story DAG.",
    "maverick_ext.commands.demo:demo": (
        "Run several instances through an epic against the emulator."
    ),
    "maverick_ext.commands.doctor:doctor": "Find and fix what crashed runs left inconsistent.",
    "maverick_ext.commands.epic.next:next_": "The stories to start now, critical path first.",
    "maverick_ext.commands.epic.status:status": "Story, wave, status, holder, lease left, PR.",
    "maverick_ext.commands.epic.summary:summary": "Merged vs ejected, PRs, the human's queue.",
    "maverick_ext.commands.epic:epic": "What to start next, the status table, the summary.",
    "maverick_ext.commands.gh_app.gh:gh": "Run gh as the App (gh-app gh -- ARGS).",
    "maverick_ext.commands.gh_app.status:status": (
        "Is the App configured? Slug, installation, token expiry."
    ),
    "maverick_ext.commands.gh_app.token:token": (
        "Mint (or reuse the cached) installation access token."
    ),
    "maverick_ext.commands.gh_app:gh_app": "Act as the GitHub App: status, token, gh -- ARGS.",
    "maverick_ext.commands.gh_state.read:read": (
        "Print the newest trusted KIND marker's payload as JSON."
    ),
    "maverick_ext.commands.gh_state.write:write": (
        "Validate a KIND payload, then upsert it as the marker."
    ),
    "maverick_ext.commands.gh_state:gh_state": (
        "Read or write one marker kind on an issue, validated."
    ),
    "maverick_ext.commands.git_workflow.pr_target:pr_target": "Print the branch story PRs target.",
    "maverick_ext.commands.git_workflow.show:show": "Show the whole git workflow configuration.",
    "maverick_ext.commands.git_workflow.story_base:story_base": (
        "Print the branch stories start from."
    ),
    "maverick_ext.commands.git_workflow:git_workflow": "Story base and PR target from config.",
    "maverick_ext.commands.guard:guard": "Exit 0 only if this instance still holds the claim.",
    "maverick_ext.commands.heartbeat:heartbeat": (
        "Keep this instance's lease alive (--loop, --daemon)."
    ),
    "maverick_ext.commands.heartbeat_status:heartbeat_status": (
        "Which of this instance's heartbeat loops run, lease left."
    ),
    "maverick_ext.commands.help:help_": "Show the help of a command (gh maverick help epic next).",
    "maverick_ext.commands.init:init": "Create the labels Maverick uses (idempotent).",
    "maverick_ext.commands.issue.close_on_merge:close_on_merge": (
        "After a PR merged: audit comment, label, close by policy."
    ),
    "maverick_ext.commands.issue.comment.post:post": (
        "Post the KIND artefact comment and record its id."
    ),
    "maverick_ext.commands.issue.comment.update:update": (
        "Overwrite the recorded KIND artefact comment."
    ),
    "maverick_ext.commands.issue.comment:comment": (
        "Post or update artefact comments by kind (recorded by id)."
    ),
    "maverick_ext.commands.issue.policy:policy": "Print when issues close after their PR merges.",
    "maverick_ext.commands.issue:issue": "Issue policies, artefact comments, closing on merge.",
    "maverick_ext.commands.pr.retarget:retarget": (
        "Move a stacked PR to the story base once its sibling merged."
    ),
    "maverick_ext.commands.pr.wait:wait": (
        "Wait, bounded, until a PR's checks pass and it can merge."
    ),
    "maverick_ext.commands.pr:pr": "Stacked PRs: retarget them; wait for checks and merges.",
    "maverick_ext.commands.preflight:preflight": "Check gh, git, labels, config and rate limit.",
    "maverick_ext.commands.prune_refs:prune_refs": "Delete the claim refs of closed issues.",
    "maverick_ext.commands.read:read": (
        "Show labels, the live claim and every claim record of ISSUE."
    ),
    "maverick_ext.commands.release:release": "Release this instance's claim with a reason.",
    "maverick_ext.commands.sandbox:sandbox": "Start the local GitHub emulator and print its env.",
    "maverick_ext.commands.state.set:set_": "Record a fact on a story (ejected, merged, blocked).",
    "maverick_ext.commands.state.show:show": "Each story's status, derived from its own facts.",
    "maverick_ext.commands.state:state": "Show or record the status of an epic's stories.",
    "maverick_ext.commands.takeover:takeover": (
        "Take over an issue whose holder's lease went stale."
    ),
    "maverick_ext.commands.task_progress.read:read": "Print an issue's task progress as JSON.",
    "maverick_ext.commands.task_progress.set:set_": (
        "Record a phase, branch, comment ids or tasks done."
    ),
    "maverick_ext.commands.task_progress:task_progress": (
        "Read or record where an issue's work stands."
    ),
    "maverick_ext.commands.whoami:whoami": "This instance's id, host and gh account.",
    "maverick_ext.commands.worktree.create:create": (
        "Create (or reuse) the worktree for a story branch."
    ),
    "maverick_ext.commands.worktree.list:list_worktrees": (
        "List worktrees, the managed ones and the cap."
    ),
    "maverick_ext.commands.worktree.prune:prune": "Forget worktrees whose directories are gone.",
    "maverick_ext.commands.worktree.remove:remove": (
        "Remove a story worktree (refuses a dirty one)."
    ),
    "maverick_ext.commands.worktree:worktree": "Create, list, remove and prune story worktrees.",
}
# [[[end]]]
