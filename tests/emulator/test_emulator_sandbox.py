"""Lifecycle: loopback-only binding, port clashes, and the sandbox as a separate process."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.errors import UsageError

from .conftest import GH


def test_refuses_non_loopback_host() -> None:
    with pytest.raises(UsageError, match=r"only listens on 127\.0\.0\.1"):
        Emulator(host="0.0.0.0")


def test_unknown_seed() -> None:
    with pytest.raises(UsageError, match="unknown seed"):
        Emulator(seed="nope")


def test_port_in_use(emu: Emulator) -> None:
    with pytest.raises(UsageError) as caught:
        Emulator(port=emu.port).start()
    assert "already in use" in caught.value.one_line()
    assert "--port 0" in caught.value.one_line()


def test_env_points_gh_at_the_emulator(emu: Emulator, tmp_path: Path) -> None:
    env = emu.env(config_dir=tmp_path)
    assert env["HTTP_PROXY"] == env["http_proxy"] == f"http://127.0.0.1:{emu.port}"
    assert env["GH_HOST"] == "github.localhost"
    assert env["GH_REPO"] == "github.localhost/maverick-sandbox/demo"
    assert env["GH_CONFIG_DIR"] == str(tmp_path)
    assert env["NO_PROXY"] == ""


def _read_env(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = shlex.split(value)[0] if value else ""
    return env


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "sandbox did not write its env file"
        time.sleep(0.05)


def test_sandbox_process_env_file_gh_and_sigterm(tmp_path: Path) -> None:
    env_file = tmp_path / "sandbox.env"
    proc = subprocess.Popen(
        [sys.executable, "-m", "maverick_ext.emulator", "--port", "0", "--seed", "demo",
         "--env-file", str(env_file), "--max-lifetime", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(env_file, proc)
        env = _read_env(env_file)
        assert env["GH_HOST"] == "github.localhost"
        if GH.exists():
            base = {k: v for k, v in os.environ.items() if not k.startswith("GH_")}
            done = subprocess.run(
                [str(GH), "api", "user", "--jq", ".login"],
                env=base | env, capture_output=True, text=True, timeout=30,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            assert done.stdout.strip() == "maverick-sandbox"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "export HTTP_PROXY=" in out
    assert "sandbox listening on http://127.0.0.1:" in err
    assert not env_file.exists(), "a stale env file would point at a dead port"
    assert not Path(env["GH_CONFIG_DIR"]).exists()


def test_sandbox_idle_timeout_stops_it(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "maverick_ext.emulator", "--seed", "empty",
         "--idle-timeout", "0.3"],
        capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "idle limit reached" in done.stderr


def test_sandbox_port_in_use_is_a_usage_error(emu: Emulator) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "maverick_ext.emulator", "--port", str(emu.port)],
        capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "already in use" in done.stderr
