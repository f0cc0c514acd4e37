"""The commands agents call most stay light (issue #14): no pydantic, asyncio, ssl, click
(their arguments parse on the fast path, commands/fast.py) or dataclasses (records.py) in a
fresh interpreter, through the real gh against the emulator. One interpreter runs them
all in turn, naming what each one added: a module one of them imports shows under its
name. (That each costs one request is counted in-process: tests/commands/test_hot_path.py.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import real_gh
from tests.inprocess import Instances

# click, and dataclasses with the inspect it imports: records.py stands in for the decorator
HEAVY = ("pydantic", "asyncio", "ssl", "graphql", "jwt", "cryptography", "click", "dataclasses")
HOT = [
    ["read", "2", "--json"],
    ["guard", "2"],
    ["heartbeat", "2"],
    ["epic", "next", "1", "--json"],
    ["epic", "status", "1"],
    ["claim", "3", "--settle", "0"],
]
PROBE = """
import json, sys
from maverick_ext.cli import main
heavy = {heavy!r}
for argv in json.loads(sys.argv[1]):
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code
    print("HEAVY", " ".join(argv), code, sorted(m for m in heavy if m in sys.modules),
          file=sys.stderr)
"""


def test_hot_commands_import_nothing_heavy(emulator, tmp_path) -> None:
    # The claim they read is made in this process (claiming is not a hot command).
    claimed = Instances(emulator, tmp_path / "claimer").run(
        "claim", "2", env={"MAVERICK_SETTLE_S": "0"}
    )
    assert claimed.exit_code == 0, claimed.stderr
    gh_dir = os.path.dirname(real_gh())
    env = {
        **os.environ,
        **emulator.env(),
        "PATH": f"{gh_dir}{os.pathsep}{os.environ['PATH']}",
        "GH_CONFIG_DIR": str(tmp_path / "gh"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "MAVERICK_INSTANCE_ID": "agent-a",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), json.dumps(HOT)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("HEAVY ")]
    assert lines == [f"HEAVY {' '.join(argv)} 0 []" for argv in HOT], done.stderr
