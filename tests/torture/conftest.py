"""Torture-tier defaults."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Claims settle for 2 s by default; scenarios without stale reads need none."""
    monkeypatch.setenv("MAVERICK_SETTLE_S", "0")
