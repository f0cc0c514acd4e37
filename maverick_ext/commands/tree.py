"""The command tree as data: each group's commands, ``name -> "module:attribute"``.

Kept apart from the groups themselves (click objects) so that the fast path
(``commands/fast.py``) finds a command without importing click, and so the whole tree
reads in one place. A group's help lives with the group, each command's one-line help in
``short_help.py``.
"""

from __future__ import annotations

_C = "maverick_ext.commands"

ROOT: dict[str, str] = {
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

BPROP: dict[str, str] = {
    "run": f"{_C}.bprop.run:run",
    "resume": f"{_C}.bprop.resume:resume",
}

BRANCH: dict[str, str] = {
    "name": f"{_C}.branch.name:name",
}

COORD: dict[str, str] = {
    "read": f"{_C}.read:read",
    "status": f"{_C}.read:read",
    "claim": f"{_C}.claim:claim",
    "heartbeat": f"{_C}.heartbeat:heartbeat",
    "heartbeat-loop": f"{_C}.coord.heartbeat_loop:heartbeat_loop",
    "heartbeat-status": f"{_C}.heartbeat_status:heartbeat_status",
    "release": f"{_C}.release:release",
    "takeover": f"{_C}.takeover:takeover",
    "resume-point": f"{_C}.coord.resume_point:resume_point",
}

DAG: dict[str, str] = {
    "build": f"{_C}.dag.build:build",
    "show": f"{_C}.dag.show:show",
    "waves": f"{_C}.dag.waves:waves",
    "descendants": f"{_C}.dag.descendants:descendants",
}

EPIC: dict[str, str] = {
    "next": f"{_C}.epic.next:next_",
    "status": f"{_C}.epic.status:status",
    "summary": f"{_C}.epic.summary:summary",
}

GH_APP: dict[str, str] = {
    "status": f"{_C}.gh_app.status:status",
    "token": f"{_C}.gh_app.token:token",
    "gh": f"{_C}.gh_app.gh:gh",
}

GH_STATE: dict[str, str] = {
    "read": f"{_C}.gh_state.read:read",
    "write": f"{_C}.gh_state.write:write",
}

GIT_WORKFLOW: dict[str, str] = {
    "story-base": f"{_C}.git_workflow.story_base:story_base",
    "pr-target": f"{_C}.git_workflow.pr_target:pr_target",
    "show": f"{_C}.git_workflow.show:show",
}

ISSUE: dict[str, str] = {
    "policy": f"{_C}.issue.policy:policy",
    "close-on-merge": f"{_C}.issue.close_on_merge:close_on_merge",
    "comment": f"{_C}.issue.comment:comment",
}

PR: dict[str, str] = {
    "retarget": f"{_C}.pr.retarget:retarget",
    "wait": f"{_C}.pr.wait:wait",
}

STATE: dict[str, str] = {
    "show": f"{_C}.state.show:show",
    "set": f"{_C}.state.set:set_",
}

TASK_PROGRESS: dict[str, str] = {
    "read": f"{_C}.task_progress.read:read",
    "set": f"{_C}.task_progress.set:set_",
}

WORKTREE: dict[str, str] = {
    "create": f"{_C}.worktree.create:create",
    "list": f"{_C}.worktree.list:list_worktrees",
    "remove": f"{_C}.worktree.remove:remove",
    "prune": f"{_C}.worktree.prune:prune",
}

ISSUE_COMMENT: dict[str, str] = {
    "post": f"{_C}.issue.comment.post:post",
    "update": f"{_C}.issue.comment.update:update",
}

# Every group above, under the target its parent's table names it by.
GROUPS: dict[str, dict[str, str]] = {
    ROOT["bprop"]: BPROP,
    ROOT["branch"]: BRANCH,
    ROOT["coord"]: COORD,
    ROOT["dag"]: DAG,
    ROOT["epic"]: EPIC,
    ROOT["gh-app"]: GH_APP,
    ROOT["gh-state"]: GH_STATE,
    ROOT["git-workflow"]: GIT_WORKFLOW,
    ROOT["issue"]: ISSUE,
    ROOT["pr"]: PR,
    ROOT["state"]: STATE,
    ROOT["task-progress"]: TASK_PROGRESS,
    ROOT["worktree"]: WORKTREE,
    ISSUE["comment"]: ISSUE_COMMENT,
}

# The groups that print JSON by default: under `coord` the seeds parse stdout.
JSON_BY_DEFAULT = frozenset({ROOT["coord"]})
