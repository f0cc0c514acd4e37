"""What the local `gh` says about itself: its version and whether it is logged in.

These are the only `gh` children that are not `gh api` calls (preflight needs them).
"""

from __future__ import annotations

from collections.abc import Mapping

from maverick_ext import process
from maverick_ext.github.client import QUIET_GH_ENV


def _env(env: Mapping[str, str]) -> dict[str, str]:
    return {**env, **QUIET_GH_ENV}


def version(env: Mapping[str, str], gh: str = "gh") -> process.ProcessResult:
    """``gh --version``; ``ToolMissing`` when gh is not on PATH."""
    return process.run([gh, "--version"], env=_env(env), timeout=30)


def is_logged_in(host: str, env: Mapping[str, str], gh: str = "gh") -> bool:
    """``gh auth status --hostname HOST`` exits 0 (a token from GH_TOKEN counts)."""
    result = process.run([gh, "auth", "status", "--hostname", host], env=_env(env), timeout=60)
    return result.exit_code == 0
