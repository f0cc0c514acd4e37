"""The crash-injection doubles themselves: a command dies right after its Nth gh call.

Two doubles: the real one (a `gh` shim SIGKILLs the gh-maverick process, tests/conftest.py)
and the in-process one the torture tier uses (tests/inprocess.py: ``dies_after``). The
second must leave GitHub exactly as the first does, or the crash torture proves nothing.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from tests.conftest import real_gh
from tests.inprocess import KILLED


def _left_behind(emulator: Emulator) -> tuple[object, ...]:
    """What a killed `claim 2` left on GitHub: requests, the ref, labels, comments."""
    repo = emulator.store.repo(OWNER, REPO)
    issue = emulator.store.issue(repo, 2)
    return (
        [(e.method, e.path, e.operation, e.status) for e in emulator.request_log],
        "refs/maverick/claims/2" in repo.refs,
        [label.name for label in issue.labels],
        len(issue.comments),
    )


def test_the_command_is_killed_after_the_chosen_call_and_the_call_was_applied(
    gh_maverick, crash_after_calls, emulator
):
    emulator.clear_log()
    result = gh_maverick("claim", "2", "--settle", "0", env=crash_after_calls(4))
    assert result.returncode != 0  # killed, not a clean exit
    # read, claim commit, ref CAS, then comment + label (applied, though the caller died)
    assert len(emulator.request_log) == 4
    assert "claude-in-progress" in [
        label.name for label in emulator.store.issue(emulator.store.repo(OWNER, REPO), 2).labels
    ]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_the_in_process_kill_leaves_what_the_real_kill_leaves(
    k, extension_home, crash_after_calls, instances, tmp_path
):
    """`claim 2` killed after call k: by the shim (a real SIGKILL) on one fresh emulator, by
    ``dies_after=k`` on another; both see the same requests and end in the same state."""
    with Emulator(seed="demo") as real_emulator:
        real = subprocess.run(
            [real_gh(), "maverick", "claim", "2", "--settle", "0"],
            env={
                **os.environ,
                **real_emulator.env(),
                **extension_home,
                "MAVERICK_INSTANCE_ID": "agent-a",
                **crash_after_calls(k),
            },
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
        twin = Emulator(seed="demo")
        modelled = instances(twin).run("claim", "2", "--settle", "0", dies_after=k)
        assert real.returncode != 0, real.stderr
        assert modelled.exit_code == KILLED, modelled.stderr
        assert _left_behind(real_emulator) == _left_behind(twin)
