"""Every `maverick …` command line of the two seed documents, run as `gh maverick …`
in-process (tests/seed_lines.py reads them out of the seeds themselves, so a new line there
fails this test until it is covered).

An agent harness swaps `uv run maverick` for `gh maverick` and changes nothing else. The
lines run in the order the do-epic skill runs them against the sandbox's demo epic (#1,
stories #2-#7), each checked for the meaning the seeds give it, in a real git clone (real
git on PATH; the local gh's `--version` and `auth status`, which preflight asks, answered
by a stand-in). The lines only a real process proves (gh's porcelain behind `gh-app gh`,
the background heartbeat loop) run through the real gh in tests/e2e/test_seed_lines.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maverick_ext.emulator.seeds import AGENT_TOKEN, OWNER, REPO
from tests.gh_app_keys import SLUG as SLUG_OF_APP
from tests.gh_app_keys import app_env, register, write_key
from tests.seed_lines import (
    EPIC,
    SEED_LINES_COPY,
    SEEDS,
    SLUG,
    STORIES,
    THROUGH_REAL_GH,
    dag_marker,
    fill,
    make_clone,
    seed_lines,
)


def test_the_kept_copy_of_the_seed_lines_is_current() -> None:
    if not SEEDS.is_dir():
        pytest.skip("the seed documents are not on this machine; the kept copy is used")
    kept = set(SEED_LINES_COPY.read_text(encoding="utf-8").splitlines())
    assert kept == seed_lines()


def test_every_seed_line_runs_under_gh_maverick_with_its_meaning(
    run_emulated, inproc_emulator, local_tools: str, tmp_path: Path
) -> None:
    emulator = inproc_emulator.emulator
    inproc_emulator.token = AGENT_TOKEN  # as the tiers' agents: the Bot (its App, below)
    clone = make_clone(tmp_path)
    ran: set[str] = set()
    register(emulator.store)
    app = {**app_env(write_key(tmp_path)), "PATH": local_tools}

    def run(template: str, *extra: str, instance: str = "agent-a", env=None, **values: str):
        ran.add(template)
        argv = [*fill(template, **values), *extra]
        # No GH_REPO: the repository comes from the line itself, as in the seeds.
        # The App is configured, as both seeds require.
        env = {"GH_REPO": "", "MAVERICK_INSTANCE_ID": instance, **app, **(env or {})}
        return run_emulated(*argv, cwd=clone, env=env)

    def ok(template: str, *extra: str, env=None, **values: str):
        result = run(template, *extra, env=env, **values)
        assert result.exit_code == 0, f"{template}: {result.stderr}"
        return result

    def labels(number: int) -> list[str]:
        issue = emulator.store.issue(emulator.store.repo(OWNER, REPO), number)
        return [label.name for label in issue.labels]

    epic, story, child = str(EPIC), "5", "6"

    # Preflight (mandatory), in the agent's GitHub clone (GH_REPO stands for its remote).
    checked = ok("preflight do-epic", "--json", env={"GH_REPO": SLUG}).json()
    assert checked["ok"] is True and checked["workflow"] == "do-epic"
    assert {c["name"]: c["status"] for c in checked["checks"]}["github app"] == "pass"

    # Entry: the Maverick GitHub App is mandatory.
    assert ok("gh-app status").stdout.splitlines()[0] == "configured: true"

    # Phase 0: entry check, then claim the whole epic as one scope.
    entry = ok("coord read <repo> <issue>", issue=epic).json()
    assert entry["in_progress"] is False and entry["lease_live"] is False

    scope = ",".join(str(n) for n in (EPIC, *STORIES))
    claimed = ok("coord claim <repo> --scope <csv-of-issues>", **{"csv-of-issues": scope}).json()
    assert claimed["exit_code"] == 0 and len(claimed["results"]) == 7
    assert all("claude-in-progress" in labels(n) for n in (EPIC, *STORIES))

    # Phase 1: extending the claim to a child already in scope is a no-op success.
    again = ok("coord claim <repo> <child-issue>", **{"child-issue": child}).json()
    assert again["results"][0]["action"] == "already_held"

    # Phase 2: the DAG marker, posted as the App's Bot (the seeds do it with `gh-app gh --
    # issue comment`, which hands the line to gh's porcelain: the real-gh tier runs it).
    token = run_emulated("gh-app", "token", "--print", env={"GH_REPO": SLUG, **app})
    assert token.exit_code == 0, token.stderr
    posted = emulator.handle(
        "POST",
        f"/repos/{OWNER}/{REPO}/issues/{EPIC}/comments",
        {"Authorization": f"token {token.stdout.strip()}"},
        json.dumps({"body": dag_marker().read_text()}).encode(),
    )
    assert posted.status == 201 and posted.body["user"]["login"] == f"{SLUG_OF_APP}[bot]"
    # Read as the user: the configured App's marker is trusted like a configured bot's.
    inproc_emulator.token = "sandbox-token"
    recorded = run_emulated("dag", "show", "1", "--json", cwd=clone, env=app).json()
    assert recorded["source"] == "marker"
    inproc_emulator.token = AGENT_TOKEN

    # Phase 3 and 5a: waves and state, the epic restored where the scrape lost it.
    waves = ok("dag waves <repo>", epic, "--json").json()
    assert waves["waves"] == [[2, 3], [4, 5], [6], [7]]

    # Phase 4: seeding pending is accepted and explained (it is derived), exit 0.
    seeded = ok("state set <repo> <story> <status>", story=story, status="pending")
    assert "derived" in seeded.stdout
    shown = ok("state show <repo>", epic, "--json").json()
    assert shown["stories"][story] == "in_flight"  # we hold it: the claim decides

    # Phase 5b: the story base and a worktree for the story's branch.
    assert ok("git-workflow story-base").stdout.strip() == "main"
    path = ok("worktree create <branch> [--base <sibling-branch>]", branch="feat/5-cli").stdout
    assert Path(path.strip()).is_dir()

    # Phase 5d: re-verify the claim, then an eject.
    assert ok("coord heartbeat <repo> <story>", story=story).json()["exit_code"] == 0
    assert ok("coord heartbeat <repo> <issue>", issue=story).json()["exit_code"] == 0
    ok("state set <repo> <story> ejected", story=story)
    assert "needs-human" in labels(5)
    assert ok("state show <repo>", epic, "--json").json()["stories"][story] == "ejected"

    # Releases with the seeds' reasons; each ends the claim on GitHub.
    for reason, number in (("merged", "2"), ("ejected", story), ("abort", "3")):
        released = ok(f"coord release <repo> <issue> --reason {reason}", issue=number).json()
        assert released["results"][0]["action"] == "released"
        assert "claude-in-progress" not in labels(int(number))

    # Takeover of a stale claim left by a crashed instance.
    crashed = run(
        "coord claim <repo> <child-issue>", "--ttl", "90s", instance="crashed",
        **{"child-issue": "3"},
    )  # fmt: skip
    assert crashed.exit_code == 0, crashed.stderr
    emulator.advance_clock(91)
    taken = ok("coord takeover <repo> <issue>", issue="3").json()
    assert taken["results"][0]["record"]["instance_id"] == "agent-a"

    # Phase 6: the close policy, then release the epic-level claim.
    assert ok("issue policy").stdout.strip() == "on_pr_merge"  # the default
    done = ok("coord release <repo> --reason complete", epic).json()
    assert done["results"][0]["action"] == "released"
    assert "claude-in-progress" not in labels(EPIC)

    missing = seed_lines() - ran - THROUGH_REAL_GH
    assert not missing, f"seed lines no test runs: {sorted(missing)}"
    assert not ran & THROUGH_REAL_GH
