"""The commands agents call most stay light (issue #14): no pydantic, asyncio, ssl, click
(their arguments parse on the fast path, commands/fast.py) or dataclasses (records.py),
each in a fresh interpreter, through the real gh against the emulator; and each sends the
requests it always did — the read commands start theirs early (GhClient.prefetch), and
what they then send must be that very request, not a second one.
(tests/commands/test_hot_path.py counts the same in-process, without the prefetch.)
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import real_gh

# click, and dataclasses with the inspect it imports: records.py stands in for the decorator
HEAVY = ("pydantic", "asyncio", "ssl", "graphql", "jwt", "cryptography", "click", "dataclasses")
# Each command and the requests GitHub sees from it: the read commands start theirs before
# importing the code that reads the answer (GhClient.prefetch), and the request they then
# send is that same one, never a second.
HOT = [
    (["read", "2", "--json"], 1),
    (["guard", "2"], 1),
    (["heartbeat", "2"], 1),
    (["epic", "next", "1", "--json"], 1),
    (["epic", "status", "1"], 1),
    (["claim", "3", "--settle", "0"], 4),
]
PROBE = """
import sys
from maverick_ext.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print("HEAVY", code, sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


def test_hot_commands_import_nothing_heavy_and_send_one_request(emulator, tmp_path) -> None:
    gh_dir = os.path.dirname(real_gh())
    env = {
        **os.environ,
        **emulator.env(),
        "PATH": f"{gh_dir}{os.pathsep}{os.environ['PATH']}",
        "GH_CONFIG_DIR": str(tmp_path / "gh"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "MAVERICK_INSTANCE_ID": "agent-a",
        "XDG_STATE_HOME": str(tmp_path / "state"),  # remembers the claim: heartbeat sends 1
    }
    claim = [sys.executable, "-m", "maverick_ext", "claim", "2", "--settle", "0"]
    claimed = subprocess.run(claim, env=env, cwd=tmp_path, capture_output=True, timeout=60)
    assert claimed.returncode == 0, claimed.stderr
    seen = []
    for argv, _ in HOT:
        emulator.clear_log()
        done = subprocess.run(
            [sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        heavy = [line for line in done.stderr.splitlines() if line.startswith("HEAVY ")]
        seen.append((argv, heavy, len(emulator.request_log)))
    assert seen == [(argv, ["HEAVY 0 []"], calls) for argv, calls in HOT]
