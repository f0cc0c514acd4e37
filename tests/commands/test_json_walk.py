"""The --json contract (docs/json.md) walked over every command that takes --json: one
document on stdout, success or failure, with ``schema_version``; ``repo`` is OWNER/REPO
(never the host-prefixed GH_REPO these runs are given); every story list has the one STORY
shape. A command that gains --json without a row here fails the first test."""

from __future__ import annotations

import json

import click
import pytest

from maverick_ext.commands.root import cli
from maverick_ext.emulator.seeds import OWNER, REPO

# docs/json.md, "Story lists": every key, always present.
STORY_KEYS = {
    "number", "title", "wave", "critical_path", "deps", "status", "reason", "holder",
    "lease_left_s", "prs", "url", "blocked_by", "problems",
}  # fmt: skip
# The documents' keys that hold a story list (or, for `claimed`, one STORY).
STORY_LISTS = ("stories", "details", "human_queue")
# The two commands that print a marker's payload exactly as written (the seeds' shape).
PAYLOAD_COMMANDS = {"gh-state read", "task-progress read"}
FAST = {"MAVERICK_SETTLE_S": "0"}
# Checks whose failing report is their one document: the key that says it failed.
REPORTS = {"preflight": "ok", "gh-app status": "configured"}

# One run per command with --json: a success where the in-process world allows it (no git:
# PATH is empty, so worktree and branch commands fail, and must fail as one error document).
WALK: dict[str, list[str]] = {
    "bprop resume": ["bprop", "resume", "1"],
    "bprop run": ["bprop", "run", "1", "--ejected", "4"],
    "branch name": ["branch", "name", "2"],
    "claim": ["claim", "2"],
    "claims": ["claims"],
    "coord claim": ["coord", "claim", "2"],
    "coord heartbeat": ["coord", "heartbeat", "2"],
    "coord heartbeat-status": ["coord", "heartbeat-status"],
    "coord heartbeat-loop": ["coord", "heartbeat-loop", "2", "--while-pid", "4194303"],
    "coord read": ["coord", "read", "2"],
    "coord release": ["coord", "release", "2", "--reason", "abort"],
    "coord resume-point": ["coord", "resume-point", "2"],
    "coord status": ["coord", "status", "2"],
    "coord takeover": ["coord", "takeover", "2"],
    "dag build": ["dag", "build", "1"],
    "dag descendants": ["dag", "descendants", "1", "4"],
    "dag show": ["dag", "show", "1"],
    "dag waves": ["dag", "waves", "1"],
    "doctor": ["doctor", "--epic", "1"],
    "epic next": ["epic", "next", "1"],
    "epic status": ["epic", "status", "1"],
    "epic summary": ["epic", "summary", "1"],
    "gh-state read": ["gh-state", "read", "1", "maverick-dag"],
    "gh-state write": ["gh-state", "write", "2", "maverick-task-progress", "--payload-file", "-"],
    "gh-app status": ["gh-app", "status"],
    "gh-app token": ["gh-app", "token"],
    "git-workflow pr-target": ["git-workflow", "pr-target"],
    "git-workflow show": ["git-workflow", "show"],
    "git-workflow story-base": ["git-workflow", "story-base"],
    "guard": ["guard", "2"],
    "heartbeat": ["heartbeat", "2"],
    "heartbeat-status": ["heartbeat-status"],
    "init": ["init"],
    "issue close-on-merge": ["issue", "close-on-merge", "2", "--pr", "9", "--target", "main"],
    "issue comment post": ["issue", "comment", "post", "2", "--kind", "design", "--body-file", "-"],
    "issue comment update": [
        "issue",
        "comment",
        "update",
        "2",
        "--kind",
        "design",
        "--body-file",
        "-",
    ],
    "issue policy": ["issue", "policy"],
    "pr retarget": ["pr", "retarget", "9"],
    "pr wait": ["pr", "wait", "999", "--timeout", "90s"],
    "preflight": ["preflight"],
    "prune-refs": ["prune-refs", "--dry-run"],
    "read": ["read", "2"],
    "release": ["release", "2", "--reason", "abort"],
    "state set": ["state", "set", "1", "4", "ejected"],
    "state show": ["state", "show", "1"],
    "takeover": ["takeover", "2"],
    "task-progress read": ["task-progress", "read", "2"],
    "task-progress set": ["task-progress", "set", "2", "design"],
    "whoami": ["whoami"],
    "worktree create": ["worktree", "create", "feat/2-x"],
    "worktree list": ["worktree", "list"],
    "worktree prune": ["worktree", "prune"],
    "worktree remove": ["worktree", "remove", "feat/2-x"],
}
STDIN = {
    "gh-state write": '{"phase": "design"}',
    "issue comment post": "hello",
    "issue comment update": "hello again",
}


def json_commands() -> list[str]:
    found: list[str] = []

    def walk(group: click.Group, ctx: click.Context, prefix: list[str]) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            sub = click.Context(command, info_name=name, parent=ctx)
            if isinstance(command, click.Group):
                walk(command, sub, [*prefix, name])
            elif any("--json" in getattr(p, "opts", ()) for p in command.params):
                found.append(" ".join([*prefix, name]))

    walk(cli, click.Context(cli, info_name="gh maverick"), [])
    return found


def test_the_walk_covers_every_command_that_takes_json() -> None:
    assert sorted(WALK) == sorted(json_commands())


def _check_story(story: object, where: str) -> None:
    assert isinstance(story, dict), where
    assert set(story) >= STORY_KEYS, f"{where} lacks {sorted(STORY_KEYS - set(story))}"
    assert isinstance(story["number"], int) and isinstance(story["deps"], list), where


def check_contract(name: str, document: object) -> None:
    assert isinstance(document, dict), name
    if name in PAYLOAD_COMMANDS and "exit_code" not in document:
        assert "schema_version" not in document  # a payload, written back as read
        return
    assert document.get("schema_version") == 1, name
    if "repo" in document:
        assert document["repo"] == f"{OWNER}/{REPO}", name
    for key in STORY_LISTS:
        value = document.get(key)
        if isinstance(value, list):
            for story in value:
                _check_story(story, f"{name}: {key}")
    if document.get("claimed") is not None:
        _check_story(document["claimed"], f"{name}: claimed")


@pytest.mark.parametrize("name", sorted(WALK))
def test_every_json_document_keeps_the_contract(name: str, run_emulated) -> None:
    env = FAST
    if name.split()[-1] in ("heartbeat", "heartbeat-loop", "release", "guard", "takeover"):
        assert run_emulated("claim", "2", env=FAST).exit_code == 0  # something to act on
    result = run_emulated(*WALK[name], "--json", env=env, input=STDIN.get(name))
    assert "Traceback" not in result.stderr, result.stderr
    document = json.loads(result.stdout)  # exactly one document, success or failure
    check_contract(name, document)
    if result.exit_code and name not in REPORTS:
        assert document["exit_code"] == result.exit_code and "error" in document, name
    elif result.exit_code:  # a failing check is in the report itself (docs/json.md)
        assert document[REPORTS[name]] is False


def test_repo_is_owner_slash_repo_whatever_form_repo_was_given_in(run_emulated) -> None:
    for given in (f"github.localhost/{OWNER}/{REPO}", f"https://github.localhost/{OWNER}/{REPO}"):
        for argv in (["read", "2"], ["claims"], ["whoami"], ["doctor"]):
            result = run_emulated(*argv, "-R", given, "--json")
            assert result.exit_code == 0, result.stderr
            assert result.json()["repo"] == f"{OWNER}/{REPO}", (argv, given)
