"""Contract tier: every gh/git child goes through ``subprocess`` so that pytest-subprocess's
``fp`` fixture can assert the exact argv (and stdin) we send."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence

import pytest

from maverick_ext import process


def run_with_subprocess(
    argv: Sequence[str],
    *,
    input: str | None,
    env: Mapping[str, str] | None,
    cwd: str | os.PathLike[str] | None,
    timeout: float | None,
) -> process.ProcessResult:
    completed = subprocess.run(
        list(argv),
        input=input or "",
        env=dict(env) if env is not None else None,
        cwd=cwd,
        timeout=timeout,
        capture_output=True,
        text=True,
        check=False,
    )
    return process.ProcessResult(
        tuple(argv), completed.returncode, completed.stdout or "", completed.stderr or ""
    )


@pytest.fixture(autouse=True)
def _argv_visible_to_fake_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process, "backend", run_with_subprocess)


def _gh_reply(status: int = 200, body: str = "{}", headers: Mapping[str, str] | None = None) -> str:
    """What `gh api --include` prints: status line, headers, blank line, body."""
    all_headers = {"Date": "Sat, 21 Nov 2026 12:00:00 GMT", **(headers or {})}
    lines = [f"HTTP/2.0 {status} {'OK' if status < 400 else 'Error'}"]
    lines += [f"{name}: {value}" for name, value in all_headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n" + body


@pytest.fixture
def gh_reply():
    """Build the stdout of `gh api --include` for pytest-subprocess registrations."""
    return _gh_reply
