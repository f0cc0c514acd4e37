"""The two command lines under test, spelled for the same operations.

Ours is the `gh-maverick` entry script (what `gh maverick ...` execs). Theirs is the
seeds' published implementation, PyPI `maverick-harness`, installed into a throwaway
virtualenv under `benchmarks/.cache/` and never imported here: only its CLI runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Protocol

from maverick_ext.emulator.seeds import OWNER, REPO

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "benchmarks" / ".cache"
HARNESS_VENV = CACHE / "maverick-harness"
RELEASE_REASON = "complete"  # a reason both accept
TAKEOVER_REASON = "benchmark: holder's lease went stale"

# The seeds decide lease liveness on the local wall clock (`coordinator._now()` against
# an `expires_at` the holder wrote from its own clock), so moving GitHub's clock does not
# make their lease stale. A taker whose clock is ahead is the seeds' own picture of a
# stale lease: this launcher shifts `_now` by argv[1] seconds, then runs their CLI as is.
_SHIFTED_CLOCK = """\
import sys
from datetime import timedelta
import maverick.coordinator as coordinator
from maverick.cli import main
shift, real_now = timedelta(seconds=float(sys.argv[1])), coordinator._now
coordinator._now = lambda: real_now() + shift
sys.argv = ["maverick", *sys.argv[2:]]
main()
"""


class Cli(Protocol):
    """How one implementation spells each operation (argv lists, run without a shell)."""

    name: str
    extra_env: dict[str, str]

    def missing(self, op: str) -> bool:
        """True when this implementation has no command for `op` (report, don't run)."""
        ...

    def read(self, issue: int) -> list[str]: ...
    def claim(self, issue: int) -> list[str]: ...
    def heartbeat(self, issue: int) -> list[str]: ...
    def release(self, issue: int) -> list[str]: ...
    def takeover(self, issue: int, clock_ahead_s: float) -> list[str]: ...
    def state_set(self, epic: int, story: int, status: str) -> list[str]: ...
    def dag_waves(self, epic: int) -> list[str]: ...
    def bprop_run(self, epic: int, ejected: int) -> list[str]: ...
    def waves(self, stdout: str) -> list[list[int]]:
        """The waves `dag_waves` printed."""
        ...


# The command path each of our operations needs; probed with --help before anything runs.
OUR_COMMANDS: dict[str, tuple[str, ...]] = {
    "read": ("read",),
    "claim": ("claim",),
    "heartbeat": ("heartbeat",),
    "release": ("release",),
    "takeover": ("takeover",),
    "state set": ("state", "set"),
    "dag waves": ("dag", "waves"),
    "bprop run": ("bprop", "run"),
}


class Ours:
    def __init__(self, settle_s: float | None) -> None:
        self.name = "ours"
        self.extra_env = {} if settle_s is None else {"MAVERICK_SETTLE_S": f"{settle_s:g}"}
        self.entry = str(ROOT / "gh-maverick")
        self._missing: dict[str, bool] = {}

    def missing(self, op: str) -> bool:
        if op not in self._missing:
            probe = subprocess.run(
                [self.entry, *OUR_COMMANDS[op], "--help"],
                capture_output=True,
                check=False,
                timeout=60,
            )
            self._missing[op] = probe.returncode != 0
        return self._missing[op]

    def read(self, issue: int) -> list[str]:
        return [self.entry, "read", str(issue)]

    def claim(self, issue: int) -> list[str]:
        return [self.entry, "claim", str(issue)]

    def heartbeat(self, issue: int) -> list[str]:
        return [self.entry, "heartbeat", str(issue)]

    def release(self, issue: int) -> list[str]:
        return [self.entry, "release", str(issue), "--reason", RELEASE_REASON]

    def takeover(self, issue: int, clock_ahead_s: float) -> list[str]:
        # Liveness is judged on GitHub's clock, which the scenario has already advanced.
        return [self.entry, "takeover", str(issue), "--reason", TAKEOVER_REASON]

    def state_set(self, epic: int, story: int, status: str) -> list[str]:
        return [self.entry, "state", "set", str(epic), str(story), status]

    def dag_waves(self, epic: int) -> list[str]:
        return [self.entry, "dag", "waves", str(epic), "--json"]

    def waves(self, stdout: str) -> list[list[int]]:
        return [[int(n) for n in wave] for wave in json.loads(stdout)["waves"]]

    def bprop_run(self, epic: int, ejected: int) -> list[str]:
        return [self.entry, "bprop", "run", str(epic), "--ejected", str(ejected)]


class Theirs:
    def __init__(self, venv: Path) -> None:
        self.name = "theirs"
        self.extra_env: dict[str, str] = {}
        self.python = str(venv / "bin" / "python")
        self.maverick = str(venv / "bin" / "maverick")
        self.repo = f"{OWNER}/{REPO}"  # the host comes from GH_HOST

    def missing(self, op: str) -> bool:
        return False  # the published CLI has every verb the scenario uses

    def _coord(self, verb: str, issue: int, *more: str) -> list[str]:
        return [self.maverick, "coord", verb, self.repo, str(issue), *more]

    def read(self, issue: int) -> list[str]:
        return self._coord("read", issue)

    def claim(self, issue: int) -> list[str]:
        return self._coord("claim", issue)

    def heartbeat(self, issue: int) -> list[str]:
        return self._coord("heartbeat", issue)

    def release(self, issue: int) -> list[str]:
        return self._coord("release", issue, "--reason", RELEASE_REASON)

    def takeover(self, issue: int, clock_ahead_s: float) -> list[str]:
        argv = ["coord", "takeover", self.repo, str(issue), "--reason", TAKEOVER_REASON]
        return [self.python, "-c", _SHIFTED_CLOCK, f"{clock_ahead_s:g}", *argv]

    def state_set(self, epic: int, story: int, status: str) -> list[str]:
        return [self.maverick, "state", "set", self.repo, str(epic), str(story), status]

    def dag_waves(self, epic: int) -> list[str]:
        return [self.maverick, "dag", "waves", self.repo, str(epic)]

    def waves(self, stdout: str) -> list[list[int]]:
        return [[int(n) for n in wave] for wave in json.loads(stdout)]

    def bprop_run(self, epic: int, ejected: int) -> list[str]:
        return [self.maverick, "bprop", "run", self.repo, str(epic), "--ejected", str(ejected)]


def install_harness(spec: str, reinstall: bool) -> tuple[Path, str]:
    """A virtualenv holding `spec` (default: the latest maverick-harness); reused while the
    spec is unchanged. Returns the venv and the installed version."""
    stamp = HARNESS_VENV / ".spec"
    python = HARNESS_VENV / "bin" / "python"
    fresh = reinstall or not python.exists() or not stamp.exists() or stamp.read_text() != spec
    if fresh:
        print(f"installing {spec} into {HARNESS_VENV.relative_to(ROOT)} ...", file=sys.stderr)
        # From the base interpreter: a venv made by a venv's Python would chain to ours.
        base = Path(getattr(sys, "_base_executable", sys.executable))
        steps = [
            [str(base), "-m", "venv", "--clear", str(HARNESS_VENV)],
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", spec],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.exit(f"compare: {' '.join(step[:4])} failed:\n{done.stdout}{done.stderr}")
        stamp.write_text(spec)
    version = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('maverick-harness'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return HARNESS_VENV, version
