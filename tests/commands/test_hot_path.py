"""The commands agents call most cost one request (issue #14), counted in-process. That they
import nothing heavy needs a fresh interpreter: tests/e2e/test_hot_path.py."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "argv",
    [
        ["read", "2", "--json"],
        ["guard", "2"],
        ["epic", "next", "1", "--json"],
        ["epic", "status", "1", "--json"],
    ],
)
def test_hot_commands_make_one_gh_call(run_emulated, argv) -> None:
    assert run_emulated("claim", "2", env={"MAVERICK_SETTLE_S": "0"}).exit_code == 0
    assert run_emulated("dag", "build", "1", "--write").exit_code == 0
    done = run_emulated(*argv)
    assert done.exit_code == 0, done.stderr
    assert [(c.method, c.path) for c in done.calls] == [("POST", "graphql")]
