"""Whether a process is alive: a zombie (exited, not yet reaped) counts as dead."""

from __future__ import annotations

import os
from pathlib import Path


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return True  # no /proc (macOS): kill(0) is all we know
    # Field 3, after the parenthesised command name (which may hold spaces or parens).
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def process_start(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot, /proc field 22); None where unknown.

    Two processes with one pid differ here, so a reused pid is told from the original."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None
