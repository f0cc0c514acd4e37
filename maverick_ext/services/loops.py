"""The per-instance heartbeat-loop registry: one pidfile per loop in the instance's state dir.

``<state dir>/gh-maverick/instances/<instance id>/loops/<owner>__<repo>__<issue>.json`` holds
``{"pid", "issue", "repo", "started_at"}`` while a ``heartbeat --loop`` runs. ``release``
asks that loop to stop (SIGTERM) and waits for it before writing, so the comment does not
flap; the loop says why it ended. The API (for ``heartbeat --daemon`` / ``heartbeat-status``):

* ``registry_dir(state_root, instance_id)`` — where this instance's loops are listed;
* ``registered(directory, repo, issue)`` — a context manager the loop runs inside;
* ``running(directory)`` — the live entries (stale pidfiles are removed);
* ``stop(directory, repo, issue, timeout_s)`` — stop that loop; True if one was stopped.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from maverick_ext.services.processes import pid_alive


@dataclass(frozen=True)
class LoopEntry:
    pid: int
    issue: int
    repo: str
    started_at: float
    path: Path


def registry_dir(state_root: Path, instance_id: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in instance_id)
    return state_root / "instances" / safe / "loops"


def _path(directory: Path, repo: str, issue: int) -> Path:
    return directory / f"{repo.replace('/', '__')}__{issue}.json"


@contextlib.contextmanager
def registered(directory: Path, repo: str, issue: int) -> Iterator[Path]:
    """Register this process as the loop for ``repo#issue`` while the block runs."""
    path = _path(directory, repo, issue)
    entry = {"pid": os.getpid(), "issue": issue, "repo": repo, "started_at": time.time()}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(entry), encoding="utf-8")
    except OSError:
        pass  # no writable state dir: the loop still runs, release just cannot stop it
    try:
        yield path
    finally:
        with contextlib.suppress(OSError, ValueError):
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink()


def _entry(path: Path) -> LoopEntry | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LoopEntry(int(data["pid"]), int(data["issue"]), str(data["repo"]),
                         float(data["started_at"]), path)  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running(directory: Path) -> list[LoopEntry]:
    entries = []
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        entry = _entry(path)
        if entry is not None and pid_alive(entry.pid):
            entries.append(entry)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
    return entries


def stop(directory: Path, repo: str, issue: int, timeout_s: float = 5.0) -> bool:
    """SIGTERM this instance's loop for ``repo#issue`` and wait (bounded) until it is gone."""
    entry = _entry(_path(directory, repo, issue))
    if entry is None or entry.pid == os.getpid() or not pid_alive(entry.pid):
        return False
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(entry.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while pid_alive(entry.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return True
