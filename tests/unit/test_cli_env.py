"""Environment variables gh users already set work the way gh reads them."""

from __future__ import annotations

import pytest

from maverick_ext import cli


@pytest.mark.parametrize(
    ("value", "enabled"),
    [("api", True), ("1", True), ("true", True), ("yes", True), ("", False), ("0", False),
     ("false", False), ("no", False), (None, False)],
)  # fmt: skip
def test_gh_debug_follows_ghs_own_rule(value: str | None, enabled: bool) -> None:
    assert cli.gh_debug_enabled({} if value is None else {"GH_DEBUG": value}) is enabled


@pytest.mark.parametrize("value", ["api", "1", "true"])
def test_any_gh_debug_value_gh_accepts_runs_the_command(monkeypatch, capsys, value) -> None:
    monkeypatch.setenv("GH_DEBUG", value)
    with pytest.raises(SystemExit) as caught:
        cli.main(["issue", "policy"])
    assert caught.value.code == 0, capsys.readouterr().err
