"""Whether a process is alive (a zombie counts as dead), and whether our parent still is.

``python -m maverick_ext`` imports this first thing on every start (``note_parent``), so it
imports no more than ``os`` does: pathlib alone would add a few ms to every command.
"""

from __future__ import annotations

import os
from collections.abc import Callable


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    stat = _proc_stat(pid)
    if stat is None:
        return True  # no /proc (macOS): kill(0) is all we know
    # Field 3, after the parenthesised command name (which may hold spaces or parens).
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


_started_by: int | None = None


def note_parent() -> None:
    """Remember the process that started us (``python -m maverick_ext`` calls it first)."""
    global _started_by
    _started_by = os.getppid()


def parent_watch() -> Callable[[], bool]:
    """Whether the process that started us still runs. gh forwards no SIGTERM to an
    extension: when `kill $!` ends gh, this is how its child learns (it is re-parented).
    The parent is the one noted at start-up, not whoever is the parent by now."""
    parent = _started_by if _started_by is not None else os.getppid()
    return lambda: os.getppid() == parent and pid_alive(parent)


def process_start(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot, /proc field 22); None where unknown.

    Two processes with one pid differ here, so a reused pid is told from the original."""
    stat = _proc_stat(pid)
    if stat is None:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def _proc_stat(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as file:
            return file.read()
    except OSError:
        return None
