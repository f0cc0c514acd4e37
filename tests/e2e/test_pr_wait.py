"""`gh maverick pr wait` through the real gh, as a process an agent watches: a check posted
with `gh api` as CI would post it, the wait's progress read live from its stderr while it
polls, then passed (0). One answer per exit code runs in-process:
tests/commands/test_pr_wait.py."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from tests.conftest import real_gh

pytestmark = pytest.mark.e2e

SLUG = f"{OWNER}/{REPO}"


@pytest.fixture
def pull(emulator: Emulator):
    store = emulator.store
    with store.lock:
        repo = store.repo(OWNER, REPO)
        owner = store.identify(f"as:{OWNER}:OWNER")
        return store.create_pull(repo, owner, "Story 2", "feat/2-x", "main", body="Closes #2")


def _api(gh, *args: str) -> dict:
    done = gh("api", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_waits_until_ci_passes_then_exits_0(
    gh, pull, emulator: Emulator, extension_home: dict[str, str], tmp_path
) -> None:
    run = _api(
        gh, f"repos/{SLUG}/check-runs", "-f", "name=build", "-f", f"head_sha={pull.head_sha}"
    )
    assert run["status"] == "queued" and run["conclusion"] is None
    waiting = subprocess.Popen(
        [
            real_gh(),
            "maverick",
            "pr",
            "wait",
            str(pull.number),
            "--interval",
            "1",
            "--timeout",
            "90s",
            "--json",
        ],
        env={**os.environ, **emulator.env(), **extension_home},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # CI reports while the wait polls: the wait sees it pending first, then passed.
        assert "1 pending (build)" in waiting.stderr.readline()  # type: ignore[union-attr]
        _api(gh, "-X", "PATCH", f"repos/{SLUG}/check-runs/{run['id']}", "-f", "conclusion=success")
        out, err = waiting.communicate(timeout=90)
    finally:
        waiting.kill()
    assert waiting.returncode == 0, err
    shown = json.loads(out)
    assert shown["result"] == "passed" and shown["polls"] >= 2
    assert shown["checks"][0]["name"] == "build" and shown["checks"][0]["bucket"] == "pass"
