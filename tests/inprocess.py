"""Many `gh maverick` instances inside the test process, for the torture and race tiers.

Each command runs through ``cli.main`` with its own ``App`` (instance id, environment,
clock) whose clients send every `gh api` request to the real emulator's ``Emulator.handle``
(tests/commands/conftest.py: ``InProcessEmulator``), faults included: latency, jitter,
visibility delays, 5xx and ambiguous writes are rolled in the emulator's API layer, and its
store is locked per request, as under the HTTP server's threads. What is left out is one
Python start and one `gh` start per command — most of what the real-gh tier costs.

- Several commands may run at once from several threads (racing instances, ``at_once``): each thread's
  stdout and stderr go to its own buffers (``_PerThreadStream``), so every racer's exit
  code and stdout JSON are its own.
- ``dies_after=k`` models SIGKILL just after call k: call k is applied and answered, then
  the command is stopped by ``Killed`` (a BaseException: no ``except Exception`` in the
  product catches it) and every later request is refused the same way — a dead process
  sends nothing, so no ``finally`` of the product reaches GitHub. tests/e2e/
  test_crash_injection.py kills a real process at the same point and checks the same count.

The base environment has ``PATH=/nonexistent``: a command that would start gh or git
behind the transport's back fails instead of quietly using the host's.
"""

from __future__ import annotations

import io
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from maverick_ext import process
from maverick_ext.commands.app import App
from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import AGENT_TOKEN, OWNER, REPO
from maverick_ext.emulator.server import GH_HOST
from tests.commands.conftest import CliResult, FakeClock, InProcessEmulator

KILLED = -9  # what Popen reports for a SIGKILLed child, so crash tests read the same
T = TypeVar("T")


class Killed(BaseException):
    """The instance's process died (SIGKILL): nothing after this point runs for it."""


@dataclass
class DiesAfter:
    """A transport whose process is killed right after it answered call ``after``."""

    inner: InProcessEmulator
    after: int
    answered: int = 0

    def run(self, argv: Sequence[str], **kw: Any) -> process.ProcessResult:
        if self.answered >= self.after:
            raise Killed(f"dead after call {self.after}: {' '.join(argv[-1:])} never sent")
        result = self.inner.run(argv, **kw)
        self.answered += 1
        if self.answered >= self.after:
            raise Killed(f"killed right after call {self.after}")
        return result


class _PerThreadStream(io.TextIOBase):
    """sys.stdout / sys.stderr for many commands at once: a thread that set a buffer
    writes there, any other thread to the stream this one replaced."""

    def __init__(self, fallback: Any) -> None:
        self._fallback = fallback
        self._local = threading.local()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return "strict"

    def _target(self) -> Any:
        return getattr(self._local, "buffer", None) or self._fallback

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # click probes for binary streams with b""
            raise TypeError("text stream")
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return False

    @contextmanager
    def capture(self) -> Iterator[io.StringIO]:
        self._local.buffer = buffer = io.StringIO()
        try:
            yield buffer
        finally:
            self._local.buffer = None


_install = threading.Lock()


def _per_thread_streams() -> tuple[_PerThreadStream, _PerThreadStream]:
    """sys.stdout and sys.stderr as per-thread streams, installed over whatever is there.

    Installed at a command's start rather than by a fixture: pytest puts its own capture
    streams back between a test's setup and call phases, never during one."""
    with _install:
        if not isinstance(sys.stdout, _PerThreadStream):
            sys.stdout = _PerThreadStream(sys.stdout)
        if not isinstance(sys.stderr, _PerThreadStream):
            sys.stderr = _PerThreadStream(sys.stderr)
        return sys.stdout, sys.stderr


@dataclass
class Instances:
    """``run(*args, instance=NAME)``: one `gh maverick` command as instance NAME, against
    ``emulator``, on the real clock (settle windows and backoff are real sleeps) or on
    ``clock`` (a FakeClock: sleeping moves our clock and GitHub's, and takes no time)."""

    emulator: Emulator
    home: Path
    env: dict[str, str] = field(default_factory=dict)
    clock: FakeClock | None = None

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.env = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_STATE_HOME": str(self.home / "state"),
            "GH_REPO": f"{GH_HOST}/{OWNER}/{REPO}",
            "GH_TOKEN": AGENT_TOKEN,
            "PATH": "/nonexistent",  # nothing may start gh or git behind the transport
            **self.env,
        }

    def run(
        self,
        *args: str,
        instance: str = "agent-a",
        env: Mapping[str, str] | None = None,
        token: str | None = None,
        dies_after: int | None = None,
    ) -> CliResult:
        from maverick_ext import cli

        transport = InProcessEmulator(self.emulator, token=token or AGENT_TOKEN)
        send = transport.run if dies_after is None else DiesAfter(transport, dies_after).run
        clock = self.clock
        app = App(
            env={**self.env, "MAVERICK_INSTANCE_ID": instance, **(env or {})},
            gh_run=send,
            sleep=clock.sleep if clock else time.sleep,
            monotonic=clock.monotonic if clock else time.monotonic,
            cwd=str(self.home),
        )
        out_stream, err_stream = _per_thread_streams()
        with out_stream.capture() as out, err_stream.capture() as err:
            try:
                cli.main(list(args), app=app)
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
            except Killed:
                code = KILLED
            stdout, stderr = out.getvalue(), err.getvalue()
        return CliResult(code, stdout, stderr, transport.calls)


def at_once(names: Sequence[str], work: Callable[[str], T], timeout: float = 300) -> dict[str, T]:
    """``work(name)`` for every name, each in its own thread, all let go together (a
    barrier): racing instances. Every thread must finish within ``timeout``."""
    barrier = threading.Barrier(len(names))
    results: dict[str, T] = {}

    def one(name: str) -> None:
        barrier.wait()
        results[name] = work(name)

    threads = [threading.Thread(target=one, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    missing = [name for name in names if name not in results]
    assert not missing, f"never finished (or failed, see the thread's traceback): {missing}"
    return results
