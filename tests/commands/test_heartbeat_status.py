"""`heartbeat-status`: this instance's loops from the registry, no GitHub call, stale ones
cleaned. (The daemon itself runs as a separate process: tests/e2e/test_heartbeat_daemon.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.services.processes import process_start

SLUG = f"{OWNER}/{REPO}"


def _loops(tmp_path: Path, instance: str = "agent-a") -> Path:
    directory = tmp_path / "home" / "state" / "gh-maverick" / "instances" / instance / "loops"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _register(directory: Path, issue: int, pid: int, **fields) -> Path:
    path = directory / f"{OWNER}__{REPO}__{issue}.json"
    entry = {"pid": pid, "issue": issue, "repo": SLUG, "started_at": time.time(), **fields}
    path.write_text(json.dumps(entry), encoding="utf-8")
    return path


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_lists_live_loops_with_the_lease_left_and_removes_dead_ones(run_stubbed, tmp_path) -> None:
    loops = _loops(tmp_path)
    me = os.getpid()
    _register(loops, 5, me, proc_start=process_start(me), daemon=True,
              renewed_at="2026-12-01T12:00:00+00:00", expires_at="2026-12-01T12:10:00+00:00",
              ttl_s=600.0, renewed_local=time.time() - 100)  # fmt: skip
    dead = _register(loops, 6, _dead_pid())
    reused = _register(loops, 7, me, proc_start="1")  # our pid, but another process's start

    result = run_stubbed("heartbeat-status", "--json")

    assert result.exit_code == 0, result.stderr
    assert result.calls == []  # the registry answers; GitHub is not asked
    shown = result.json()
    assert shown["running"] is True and shown["instance_id"] == "agent-a"
    [loop] = shown["loops"]
    assert loop["issue"] == 5 and loop["pid"] == me and loop["mode"] == "daemon"
    assert loop["renewed_at"] == "2026-12-01T12:00:00+00:00"
    assert 495 <= loop["lease_left_s"] <= 500
    assert loop["log"].endswith(f"{OWNER}__{REPO}__5.log")
    assert not dead.exists() and not reused.exists()


def test_a_named_issue_without_a_loop_exits_13(run_stubbed, tmp_path) -> None:
    _register(_loops(tmp_path), 6, _dead_pid())

    result = run_stubbed("heartbeat-status", "6", "--json")

    assert result.exit_code == 13
    assert result.json() == {
        "schema_version": 1, "instance_id": "agent-a", "running": False, "pid": None, "loops": [],
    }  # fmt: skip
    assert "no heartbeat loop of instance agent-a runs for #6" in result.stderr
    assert "lease is not being renewed" in result.stderr


def test_coord_spelling_takes_the_repository_first_and_prints_json(run_stubbed, tmp_path) -> None:
    me = os.getpid()
    _register(_loops(tmp_path), 5, me, proc_start=process_start(me))

    result = run_stubbed("coord", "heartbeat-status", SLUG, "5")

    assert result.exit_code == 0, result.stderr
    shown = result.json()
    assert shown["pid"] == me and shown["loops"][0]["mode"] == "foreground"
    assert shown["loops"][0]["lease_left_s"] is None  # no renewal noted yet


def test_text_output_is_a_table_and_other_instances_are_not_listed(run_stubbed, tmp_path) -> None:
    me = os.getpid()
    _register(_loops(tmp_path, "agent-b"), 5, me, proc_start=process_start(me))

    assert run_stubbed("heartbeat-status").stdout.strip() == (
        "no heartbeat loops run for instance agent-a"
    )
    mine = run_stubbed("heartbeat-status", "--instance", "agent-b").stdout
    assert mine.splitlines()[0].split() == ["ISSUE", "PID", "MODE", "RENEWED", "LEASE", "LEFT"]
    assert f"{SLUG}#5" in mine and "foreground" in mine


def test_the_daemon_runs_the_foreground_loop_detached_with_the_callers_root_options() -> None:
    from maverick_ext.services.loops import daemon_args

    assert daemon_args(5, "h/o/r", "agent-a", ["--interval", "2"], ["--as-app"]) == [
        "--as-app", "heartbeat", "5", "--loop", "--repo", "h/o/r", "--instance", "agent-a",
        "--interval", "2", "--detached",
    ]  # fmt: skip
