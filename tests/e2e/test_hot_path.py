"""The commands agents call most stay light (issue #14): one gh call, no pydantic, asyncio
or ssl."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import real_gh

HEAVY = ("pydantic", "asyncio", "ssl", "graphql", "jwt", "cryptography")
PROBE = """
import sys
from maverick_ext.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print("HEAVY", code, sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["read", "2", "--json"],
        ["guard", "2"],
        ["heartbeat", "2"],
        ["epic", "next", "1", "--json"],
    ],
)
def test_hot_commands_import_nothing_heavy(emulator, tmp_path, argv):
    gh_dir = os.path.dirname(real_gh())
    env = {
        **os.environ,
        **emulator.env(),
        "PATH": f"{gh_dir}{os.pathsep}{os.environ['PATH']}",
        "GH_CONFIG_DIR": str(tmp_path / "gh"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "MAVERICK_INSTANCE_ID": "agent-a",
        "MAVERICK_SETTLE_S": "0",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert run("claim", "2").returncode == 0
    done = run(*argv)
    line = done.stderr.strip().splitlines()[-1]
    assert line == "HEAVY 0 []", done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["read", "2", "--json"],
        ["guard", "2"],
        ["epic", "next", "1", "--json"],
        ["epic", "status", "1", "--json"],
    ],
)
def test_hot_commands_make_one_gh_call(gh_maverick, emulator, argv):
    assert gh_maverick("claim", "2", env={"MAVERICK_SETTLE_S": "0"}).returncode == 0
    assert gh_maverick("dag", "build", "1", "--write").returncode == 0
    emulator.clear_log()
    done = gh_maverick(*argv)
    assert done.returncode == 0, done.stderr
    assert [(e.method, e.path) for e in emulator.request_log] == [("POST", "/graphql")]
