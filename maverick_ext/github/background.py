"""Start a gh-maverick command detached from its caller (``heartbeat --daemon``).

The detached command is this same program, run by this same Python, and what it does is
call ``gh``; it starts through ``process.py`` like every other child.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from maverick_ext import process


def start_command(
    args: Sequence[str],
    *,
    log_path: str | os.PathLike[str],
    env: Mapping[str, str],
    cwd: str | os.PathLike[str] | None = None,
) -> process.Detached:
    """``python -I -m maverick_ext ARGS…`` in its own session, output appended to
    ``log_path``; isolated as the entry script starts it (``cwd`` is not on its path)."""
    return process.start_detached(
        [sys.executable, "-I", "-m", "maverick_ext", *args], log_path=log_path, env=env, cwd=cwd
    )
