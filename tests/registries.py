"""Downloads the tests need from package registries (npm, PyPI), cached outside the repo.

They land in ``$GH_MAVERICK_TEST_CACHE`` (default ``~/.cache/gh-maverick-tests``). Only
when the registry itself cannot be reached is a test skipped, with the reason; any other
failure fails it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

# npm's and pip's words for "the registry is not reachable from here".
NPM_OFFLINE = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT",
               "ENETUNREACH", "network")  # fmt: skip
PIP_OFFLINE = (
    "Temporary failure in name resolution",
    "Name or service not known",
    "Failed to establish a new connection",
    "Network is unreachable",
    "Connection refused",
    "No matching distribution found",
)


def cache_dir() -> Path:
    configured = os.environ.get("GH_MAVERICK_TEST_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gh-maverick-tests"


def download(
    argv: Sequence[str], *, registry: str, what: str, offline: Sequence[str], cwd: str | None = None
) -> None:
    """Run ``argv`` (``npm pack …``, ``pip install …``) for ``what`` from ``registry``."""
    try:
        result = subprocess.run(list(argv), capture_output=True, text=True, timeout=300, cwd=cwd)
    except subprocess.TimeoutExpired:
        pytest.skip(f"{registry} did not answer within 300 s: cannot fetch {what}")
    if result.returncode != 0:
        if any(words in result.stderr for words in offline):
            pytest.skip(f"{registry} unreachable: cannot fetch {what}")
        pytest.fail(f"{argv[0]} could not fetch {what}: {result.stderr.strip()[-500:]}")
