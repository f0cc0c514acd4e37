"""The seed lines only a real process proves, through the real gh and the installed
extension: gh hands `gh maverick coord …` lines to the extension unchanged, `gh-app gh --
ARGS` runs gh's own porcelain as the App's Bot, and the background heartbeat loop is a
process that ends by itself once its story is released. Every other seed line, and each
line's meaning, runs in-process: tests/commands/test_seed_lines.py.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from tests.conftest import real_gh
from tests.gh_app_keys import SLUG as SLUG_OF_APP
from tests.gh_app_keys import app_env, register, write_key
from tests.seed_lines import EPIC, SLUG, THROUGH_REAL_GH, dag_marker, fill, make_clone

pytestmark = pytest.mark.e2e


def test_the_seed_lines_a_process_proves_run_through_the_real_gh(
    gh_maverick, emulator: Emulator, extension_home: dict[str, str], tmp_path: Path
) -> None:
    clone = make_clone(tmp_path)
    register(emulator.store)
    app = {**app_env(write_key(tmp_path)), "XDG_STATE_HOME": str(tmp_path / "state")}
    ran: set[str] = set()

    def ok(template: str, *extra: str, **values: str) -> subprocess.CompletedProcess[str]:
        ran.add(template)
        # No GH_REPO: the repository comes from the line itself, as in the seeds.
        done = gh_maverick(*fill(template, **values), *extra, cwd=clone, env={"GH_REPO": "", **app})
        assert done.returncode == 0, f"{template}: {done.stderr}"
        return done

    def labels(number: int) -> list[str]:
        issue = emulator.store.issue(emulator.store.repo(OWNER, REPO), number)
        return [label.name for label in issue.labels]

    story = "5"
    # A 10-second lease: the loop beats every 2 s, so it sees the release soon.
    scope = {"csv-of-issues": f"{EPIC},{story}"}
    claimed = json.loads(
        ok("coord claim <repo> --scope <csv-of-issues>", "--ttl", "10s", **scope).stdout
    )
    assert [r["exit_code"] for r in claimed["results"]] == [0, 0]

    # The background heartbeat loop of Phase 0, for one story; it ends after the release.
    ran.add("coord heartbeat-loop <repo> $issue")
    loop = subprocess.Popen(
        [real_gh(), "maverick", *fill("coord heartbeat-loop <repo> $issue", issue=story)],
        env={
            **os.environ,
            **emulator.env(),
            **extension_home,
            "GH_REPO": "",
            "MAVERICK_INSTANCE_ID": "agent-a",
        },
        cwd=clone,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Phase 2: the DAG marker through the App's gh: gh's porcelain, as the App's Bot.
        dag_marker()
        ok("gh-app gh -- issue comment --body-file /tmp/dag-marker.md", str(EPIC), "-R", SLUG)
        posted = emulator.store.issue(emulator.store.repo(OWNER, REPO), EPIC).comments[-1]
        assert posted.user.login == f"{SLUG_OF_APP}[bot]" and "maverick-dag" in posted.body

        released = json.loads(
            ok("coord release <repo> <issue> --reason merged", issue=story).stdout
        )
        assert released["results"][0]["action"] == "released"
        assert "claude-in-progress" not in labels(int(story))
        # The background loop noticed the release of its story and ended cleanly.
        assert loop.wait(timeout=60) == 0
    finally:
        loop.kill()
    assert ok("coord release <repo> --reason complete", str(EPIC)).returncode == 0
    assert ran >= THROUGH_REAL_GH
