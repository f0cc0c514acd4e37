"""`heartbeat --daemon`, `heartbeat-status` and `release` through the real gh.

The newest skills forbid `&` backgrounding: the daemon must outlive the tool shell that
started it (and a kill of that shell's whole process group), be visible to
`heartbeat-status`, and stop when this instance releases the claim.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.services.processes import pid_alive
from tests.conftest import real_gh

pytestmark = pytest.mark.e2e


@pytest.fixture
def mav(gh_maverick, tmp_path: Path):
    """`gh maverick` with its own state directory (the loop registry) and a fast settle."""
    state = {"XDG_STATE_HOME": str(tmp_path / "state"), "MAVERICK_SETTLE_S": "0.2"}

    def run(*args: str, **kw):
        return gh_maverick(*args, env={**state, **kw.pop("env", {})}, **kw)

    run.env = state  # type: ignore[attr-defined]
    return run


def _status(mav, *args: str) -> tuple[int, dict]:
    shown = mav("heartbeat-status", *args, "--json")
    return shown.returncode, json.loads(shown.stdout)


def _until(condition, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_daemon_survives_its_shell_shows_in_status_and_stops_on_release(
    mav, emulator: Emulator, extension_home: dict[str, str]
) -> None:
    assert mav("claim", "5").returncode == 0
    # A tool shell in its own process group starts the daemon, then the whole group dies.
    shell = subprocess.Popen(
        [
            "bash",
            "-c",
            f"{real_gh()} maverick heartbeat 5 --daemon --interval 1 --json; "
            "echo END; exec sleep 60",
        ],
        env={
            **os.environ,
            **emulator.env(),
            **extension_home,
            **mav.env,
            "MAVERICK_INSTANCE_ID": "agent-a",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    pid = None
    try:
        assert shell.stdout is not None
        lines = []
        for line in shell.stdout:
            if line.strip() == "END":
                break
            lines.append(line)
        started = json.loads("".join(lines))
        assert started["exit_code"] == 0, shell.stderr
        result = started["results"][0]
        assert result["action"] == "daemon_started"
        pid = result["daemon"]["pid"]
        assert result["daemon"]["mode"] == "daemon" and result["daemon"]["renewed_at"]
        assert os.getpgid(pid) != shell.pid and os.getsid(pid) == pid  # its own session
        os.killpg(shell.pid, signal.SIGKILL)
        shell.wait(timeout=10)

        code, shown = _status(mav, "5")
        assert code == 0 and shown["running"] and shown["pid"] == pid
        first = shown["loops"][0]["renewed_at"]
        assert shown["loops"][0]["lease_left_s"] > 0
        # Still renewing after its shell is gone (GitHub's clock moves a second per beat).
        assert _until(lambda: _status(mav, "5")[1]["loops"][0]["renewed_at"] != first)

        again = json.loads(mav("heartbeat", "5", "--daemon", "--json").stdout)
        assert again["results"][0]["action"] == "already_running"
        assert again["results"][0]["daemon"]["pid"] == pid

        released = mav("release", "5", "--reason", "merged")
        assert released.returncode == 0, released.stderr
        assert "stopped this instance's heartbeat loop" in released.stderr
        assert _until(lambda: not pid_alive(pid), 10)
        code, shown = _status(mav, "5")
        assert code == 13 and shown == {
            "schema_version": 1, "instance_id": "agent-a", "running": False, "pid": None,
            "loops": [],
        }  # fmt: skip
    finally:
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)
        if pid is not None and pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_a_daemon_for_an_issue_we_do_not_hold_reports_why_and_leaves_nothing(mav) -> None:
    started = mav("heartbeat", "4", "--daemon")
    assert started.returncode == 13, started.stderr
    assert "the heartbeat daemon ended before renewing" in started.stderr
    assert "not held" in started.stderr or "no claim" in started.stderr
    assert _status(mav)[1]["loops"] == []
