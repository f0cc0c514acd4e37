"""The scenario both implementations go through, each against its own fresh emulator."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from _compare.clis import Cli
from _compare.fixtures import DEMO_EPIC, Fixtures, blocked, prepare, race_targets
from _compare.meter import Counts, MeteredEmulator

# The seeds' lease is a fixed 10 minutes and ours defaults to the same; the takeover runs
# once a minute more has passed.
LEASE_S = 600
STALE_AFTER_S = LEASE_S + 60
COMMAND_TIMEOUT_S = 180
OPERATIONS = (
    "read",
    "claim",
    "heartbeat",
    "release",
    "takeover",
    "state set",
    "dag waves",
    "bprop run",
)


@dataclass(frozen=True)
class Run:
    counts: Counts
    wall_s: float
    exit_code: int
    stdout: str
    stderr: str
    outcome: str = ""  # what the command left on GitHub, where the scenario checks it


@dataclass
class RaceResult:
    racers: int
    delay_ms: int
    holders: list[int] = field(default_factory=list)  # per round: how many exited 0
    exit_codes: Counter[int] = field(default_factory=Counter)
    calls: list[int] = field(default_factory=list)  # per round, all racers together
    writes: list[int] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)  # per round, until the last exits


class Side:
    """One implementation, one emulator, one temp dir holding each instance's home."""

    def __init__(self, cli: Cli, emu: MeteredEmulator, workdir: Path, gh_dir: Path) -> None:
        self.cli = cli
        self.emu = emu
        self.workdir = workdir
        self.gh_dir = gh_dir

    def env(self, instance: str) -> tuple[dict[str, str], Path]:
        """A clean environment and working directory for `instance`.

        Each instance gets its own HOME (the seeds keep an instance-id file, a claims
        registry and epic-state cache under ~/.maverick and ./.maverick) and gh config
        dir; nothing from the caller's environment but PATH and the locale leaks in.
        """
        home = self.workdir / instance
        (home / "gh").mkdir(parents=True, exist_ok=True)
        env = {
            "PATH": f"{self.gh_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(home),
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "MAVERICK_INSTANCE_ID": f"{self.cli.name}-{instance}",
            "NO_COLOR": "1",
            **self.emu.env(config_dir=home / "gh"),
            **self.cli.extra_env,
        }
        return env, home

    def execute(self, argv: list[str], instance: str) -> tuple[int, str, str, float]:
        """Run one command to completion: exit code, stdout, stderr, wall seconds."""
        env, cwd = self.env(instance)
        started = time.perf_counter()
        # Its own session, so a command that hangs is ended with every gh it started.
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(timeout=COMMAND_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            stdout, stderr = proc.communicate()
            stderr += f"\n(killed after {COMMAND_TIMEOUT_S}s)"
        return proc.returncode, stdout, stderr, time.perf_counter() - started

    def measure(self, argv: list[str], instance: str) -> Run:
        before = self.emu.counts()
        code, stdout, stderr, wall = self.execute(argv, instance)
        return Run(self.emu.counts() - before, wall, code, stdout, stderr)


@contextmanager
def side(cli: Cli, gh_dir: Path) -> Iterator[Side]:
    """A fresh demo-seeded emulator and temp dir for `cli`, both gone on exit."""
    emu = MeteredEmulator(seed="demo").start()
    try:
        with tempfile.TemporaryDirectory(prefix=f"compare-{cli.name}-") as tmp:
            yield Side(cli, emu, Path(tmp), gh_dir)
    finally:
        emu.stop()


class Operations:
    """One side's runs of every operation, one repetition at a time (so the caller can
    alternate sides and machine load drifts evenly over both)."""

    def __init__(self, s: Side, reps: int, descendants: int, status: str) -> None:
        self.s = s
        self.status = status
        self.fx: Fixtures = prepare(s.emu.store, reps, descendants)
        # None where the CLI lacks the command; takeover also needs a claim to take over.
        self.results: dict[str, list[Run] | None] = {
            op: None if s.cli.missing(op) or (op == "takeover" and s.cli.missing("claim")) else []
            for op in OPERATIONS
        }

    def _measure(self, op: str, argv: list[str], instance: str = "planner") -> None:
        runs = self.results[op]
        if runs is not None:
            runs.append(self.s.measure(argv, instance))

    def repetition(self, i: int) -> None:
        """Every operation once, on the issues set aside for repetition `i`."""
        s, cli, fx, results = self.s, self.s.cli, self.fx, self.results
        issue = fx.claim_issues[i]
        if results["claim"] is not None:
            self._measure("claim", cli.claim(issue), "holder")
            self._measure("read", cli.read(issue), "reader")
            self._measure("heartbeat", cli.heartbeat(issue), "holder")
            self._measure("release", cli.release(issue), "holder")
        else:
            self._measure("read", cli.read(issue), "reader")
        if results["takeover"] is not None:
            stale = fx.takeover_issues[i]
            s.execute(cli.claim(stale), "crashed")  # the holder that then dies (not timed)
            s.emu.advance_clock(STALE_AFTER_S)
            self._measure("takeover", cli.takeover(stale, STALE_AFTER_S), "taker")
        self._measure("dag waves", cli.dag_waves(DEMO_EPIC))
        if (waves := results["dag waves"]) and waves[-1].exit_code == 0:
            plan = " | ".join(",".join(map(str, w)) for w in cli.waves(waves[-1].stdout))
            waves[-1] = replace(waves[-1], outcome=plan)
        self._measure("state set", cli.state_set(DEMO_EPIC, fx.state_stories[i], self.status))
        epic, ejected = fx.bprop_epics[i]
        self._measure("bprop run", cli.bprop_run(epic, ejected))
        if bprop := results["bprop run"]:
            bprop[-1] = replace(bprop[-1], outcome=blocked(s.emu.store, epic, ejected))


class Race:
    """`racers` instances claim one fresh issue at the same moment, once per round, while
    new comments stay invisible to listings for `delay_ms`."""

    def __init__(self, s: Side, rounds: int, racers: int, delay_ms: int) -> None:
        self.s = s
        self.targets = race_targets(s.emu.store, rounds)
        self.result = None if s.cli.missing("claim") else RaceResult(racers, delay_ms)

    def round(self, i: int) -> None:
        s, result = self.s, self.result
        if result is None:
            return
        s.emu.faults.update(visibility_delay_ms=result.delay_ms)
        before = s.emu.counts()
        started = time.perf_counter()
        codes = _race_round(s, self.targets[i], result.racers)
        spent = s.emu.counts() - before
        result.wall_s.append(time.perf_counter() - started)
        result.holders.append(codes.count(0))
        result.exit_codes.update(codes)
        result.calls.append(spent.calls)
        result.writes.append(spent.writes)


def _race_round(s: Side, issue: int, racers: int) -> list[int]:
    """Exit codes of `racers` claims of `issue` released together by a barrier."""
    barrier = threading.Barrier(racers)
    codes = [0] * racers

    def contend(slot: int) -> None:
        barrier.wait()
        codes[slot] = s.execute(s.cli.claim(issue), f"racer-{slot + 1}")[0]

    threads = [threading.Thread(target=contend, args=(j,)) for j in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes
