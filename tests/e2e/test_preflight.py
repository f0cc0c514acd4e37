"""`gh maverick preflight` through the real gh and the installed extension: what the real gh
answers about itself (`gh --version`, `gh auth status` with and without a token) decides
the gh and gh auth checks. The labels, config and GitHub App checks, each unmet one with
its fix, run in-process: tests/commands/test_preflight.py."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e


def test_a_ready_clone_passes_every_check(gh_maverick, checkout):
    done = gh_maverick("preflight", "do-epic", "--json", cwd=checkout)

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["workflow"] == "do-epic"
    assert [c["name"] for c in report["checks"]] == [
        "gh", "git", "repository", "worktrees", "remote", "gh auth", "config", "labels", "rate limit",
        "github app",
    ]  # fmt: skip
    assert {c["status"] for c in report["checks"][:-1]} == {"pass"}
    # No App configured is allowed: the commands act as gh's account.
    assert report["checks"][-1] == {
        "name": "github app",
        "status": "skip",
        "detail": "no GitHub App configured (commands act as gh's account)",
        "fix": None,
    }


def test_a_bare_machine_gets_every_unmet_check_with_its_fix(gh_maverick, tmp_path):
    done = gh_maverick(
        "preflight", "do-issue-solo", cwd=tmp_path, env={"GH_TOKEN": "", "GH_REPO": ""}
    )

    assert done.returncode == 1
    assert "FAIL  repository: not inside a git repository" in done.stdout
    assert "FAIL  remote: no GitHub remote and no GH_REPO" in done.stdout
    assert "FAIL  gh auth: not logged in to github.localhost" in done.stdout
    assert "fix: gh auth login --hostname github.localhost" in done.stdout
    assert "skip  labels" in done.stdout
    assert "worktrees" not in done.stdout  # do-issue-solo does not need them
