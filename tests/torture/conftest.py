"""Torture-tier defaults."""

from __future__ import annotations

import pytest

from maverick_ext.emulator import Emulator


@pytest.fixture(autouse=True)
def _fast_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Claims settle for 2 s by default; scenarios without stale reads need none."""
    monkeypatch.setenv("MAVERICK_SETTLE_S", "0")


@pytest.fixture
def github() -> Emulator:
    """The demo emulator answering in this process only (no socket): for the in-process
    instances of tests/inprocess.py."""
    return Emulator(seed="demo")
