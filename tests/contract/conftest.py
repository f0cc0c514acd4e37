"""Contract tier: every gh/git child goes through ``subprocess`` (``maverick_ext.process``),
so pytest-subprocess's ``fp`` fixture asserts the exact argv (and stdin) we send."""

from __future__ import annotations

from collections.abc import Mapping

import pytest


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
