"""The per-instance heartbeat-loop registry: one pidfile per loop in the instance's state dir.

``<state dir>/gh-maverick/instances/<instance id>/loops/<owner>__<repo>__<issue>.json`` holds
``{"pid", "issue", "repo", "started_at", "proc_start", "daemon", "renewed_at", "expires_at",
"ttl_s", "renewed_local"}`` while a ``heartbeat --loop`` or ``--daemon`` runs; a daemon's
output goes to the ``.log`` file next to it. ``release`` asks that loop to stop (SIGTERM)
and waits for it before writing, so the comment does not flap; the loop says why it ended.

* ``services.identity.registry_dir(state_root, instance_id)`` — where this instance's loops
  are listed (with the other state paths: the claim commands need the path, not this module);
* ``registered(directory, repo, issue, daemon)`` — a context manager the loop runs inside;
* ``renewed(directory, repo, issue, …)`` — the loop notes each renewal (heartbeat-status);
* ``running(directory)`` — the live entries (stale pidfiles are removed);
* ``stop(directory, repo, issue, timeout_s)`` — stop that loop; True if one was stopped;
* ``start_daemon(…)`` — start a detached loop and wait (bounded) for its first renewal.

A pidfile is only believed while its pid runs *the same process* (its start time in
/proc matches), so a pid the system reused after a crash is never signalled.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from maverick_ext.records import dataclass
from maverick_ext.services.processes import pid_alive, process_start


@dataclass(frozen=True)
class LoopEntry:
    pid: int
    issue: int
    repo: str
    started_at: float
    path: str  # its pidfile (paths are text here: services/identity.py says why)
    proc_start: str | None = None
    daemon: bool = False
    renewed_at: str | None = None  # GitHub's time of the last renewal
    expires_at: str | None = None  # GitHub's time that lease runs out
    ttl_s: float | None = None
    renewed_local: float | None = None  # this machine's clock when it was noted

    @property
    def log(self) -> str:
        return _log_path(self.path)

    def lease_left_s(self, now: float) -> int | None:
        """The lease left, estimated on this machine's clock since the last renewal."""
        if self.ttl_s is None or self.renewed_local is None:
            return None
        return max(0, int(self.ttl_s - (now - self.renewed_local)))

    def to_json(self, now: float) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "issue": self.issue,
            "pid": self.pid,
            "mode": "daemon" if self.daemon else "foreground",
            "started_at": _iso(self.started_at),
            "renewed_at": self.renewed_at,
            "expires_at": self.expires_at,
            "lease_left_s": self.lease_left_s(now),
            "log": self.log if self.daemon else None,
        }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def entry_path(directory: str, repo: str, issue: int) -> str:
    return os.path.join(directory, f"{repo.replace('/', '__')}__{issue}.json")


def _log_path(entry: str) -> str:
    return f"{os.path.splitext(entry)[0]}.log"


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _write(path: str, data: Mapping[str, Any]) -> None:
    """Whole or not at all: a reader never sees half an entry."""
    partial = f"{os.path.splitext(path)[0]}.{os.getpid()}.tmp"
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data))
    os.replace(partial, path)


@contextlib.contextmanager
def registered(directory: str, repo: str, issue: int, daemon: bool = False) -> Iterator[str]:
    """Register this process as the loop for ``repo#issue`` while the block runs."""
    path = entry_path(directory, repo, issue)
    entry = {
        "pid": os.getpid(),
        "issue": issue,
        "repo": repo,
        "started_at": time.time(),
        "proc_start": process_start(os.getpid()),
        "daemon": daemon,
    }
    try:
        os.makedirs(directory, exist_ok=True)
        _write(path, entry)
    except OSError:
        pass  # no writable state dir: the loop still runs, release just cannot stop it
    try:
        yield path
    finally:
        with contextlib.suppress(OSError, ValueError):
            if json.loads(_read(path)).get("pid") == os.getpid():
                os.unlink(path)


def renewed(
    directory: str, repo: str, issue: int, renewed_at: datetime, expires_at: datetime | None
) -> None:
    """Note a renewal in this process's own entry (never in another loop's)."""
    path = entry_path(directory, repo, issue)
    with contextlib.suppress(OSError, ValueError, AttributeError):
        data = json.loads(_read(path))
        if data.get("pid") != os.getpid():
            return
        data.update(
            renewed_at=renewed_at.isoformat(),
            expires_at=expires_at.isoformat() if expires_at else None,
            ttl_s=(expires_at - renewed_at).total_seconds() if expires_at else None,
            renewed_local=time.time(),
        )
        _write(path, data)


def _entry(path: str) -> LoopEntry | None:
    try:
        data = json.loads(_read(path))
        optional = {k: data.get(k) for k in ("proc_start", "renewed_at", "expires_at")}
        return LoopEntry(
            int(data["pid"]), int(data["issue"]), str(data["repo"]), float(data["started_at"]),
            path, daemon=bool(data.get("daemon")),
            ttl_s=None if data.get("ttl_s") is None else float(data["ttl_s"]),
            renewed_local=None if data.get("renewed_local") is None
            else float(data["renewed_local"]),
            **optional,
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(entry: LoopEntry) -> bool:
    if not pid_alive(entry.pid):
        return False
    now = process_start(entry.pid)
    return entry.proc_start is None or now is None or now == entry.proc_start


def _discard(path: str) -> None:
    """Remove a dead loop's pidfile; a daemon's log stays (it says why the loop ended)."""
    with contextlib.suppress(OSError):
        os.unlink(path)


def running(directory: str) -> list[LoopEntry]:
    """The live loops of this instance; pidfiles of dead loops are removed on the way."""
    entries = []
    names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    for path in (os.path.join(directory, n) for n in names if n.endswith(".json")):
        entry = _entry(path)
        if entry is not None and _alive(entry):
            entries.append(entry)
        else:
            _discard(path)
    return entries


def live(directory: str, repo: str, issue: int) -> LoopEntry | None:
    """This instance's live loop for ``repo#issue``, if any (a stale pidfile is removed)."""
    path = entry_path(directory, repo, issue)
    entry = _entry(path)
    if entry is not None and _alive(entry):
        return entry
    if os.path.exists(path):
        _discard(path)
    return None


def stop(directory: str, repo: str, issue: int, timeout_s: float = 5.0) -> bool:
    """SIGTERM this instance's loop for ``repo#issue`` and wait (bounded) until it is gone."""
    entry = live(directory, repo, issue)
    if entry is None or entry.pid == os.getpid():
        return False
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(entry.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _alive(entry) and time.monotonic() < deadline:
        time.sleep(0.05)
    return True


@dataclass(frozen=True)
class DaemonStart:
    entry: LoopEntry | None
    already_running: bool = False
    exit_code: int | None = None  # the daemon ended before its first renewal: its code
    last_line: str = ""  # ... and the last line it logged (why)


def start_daemon(
    directory: str,
    repo: str,
    issue: int,
    spawn: Callable[[str], Any],  # log path -> a started child (``process.Detached``)
    *,
    wait_s: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> DaemonStart:
    """Start ``spawn(log_path)`` as this instance's loop for ``repo#issue``, unless one runs.

    Returns once the daemon renewed the lease (so exit 0 means the lease is being kept),
    ended (its code and last log line say why), or ``wait_s`` passed (entry as far as known).
    """
    existing = live(directory, repo, issue)
    if existing is not None:
        return DaemonStart(existing, already_running=True)
    os.makedirs(directory, exist_ok=True)
    log = _log_path(entry_path(directory, repo, issue))
    with open(log, "w", encoding="utf-8"):
        pass  # a fresh log for this daemon
    child = spawn(log)
    deadline = monotonic() + wait_s
    while True:
        code = child.exit_code()
        entry = _entry(entry_path(directory, repo, issue))
        ours = entry if entry is not None and entry.pid == child.pid else None
        if code is not None:
            return DaemonStart(ours, exit_code=code, last_line=_last_line(log))
        if (ours is not None and ours.renewed_at) or monotonic() >= deadline:
            return DaemonStart(ours)
        sleep(0.05)


def _last_line(log: str) -> str:
    with contextlib.suppress(OSError):
        lines = [line for line in _read(log).splitlines() if line.strip()]
        return lines[-1] if lines else ""
    return ""


def daemon_args(
    issue: int, repo: str, instance_id: str, options: Sequence[str], root: Sequence[str] = ()
) -> list[str]:
    """The command line a daemon runs: the foreground loop, detached, for one issue
    (``root``: the options before the command, such as ``--as-app``)."""
    return [*root, "heartbeat", str(issue), "--loop", "--repo", repo, "--instance",
            instance_id, *options, "--detached"]  # fmt: skip


def spawner(args: Sequence[str], env: Mapping[str, str], cwd: str | None) -> Callable[[str], Any]:
    """``start_daemon``'s ``spawn``: this program with ``args``, detached, logging to a path."""
    from maverick_ext.github.background import start_command

    return lambda log: start_command(args, log_path=log, env=env, cwd=cwd)
