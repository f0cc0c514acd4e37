"""The --json contract: one documented action vocabulary, and an error document on failure."""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path

import pytest

from maverick_ext import errors
from maverick_ext.cli import main

ROOT = Path(__file__).resolve().parents[2]


def documented_actions() -> list[str]:
    text = (ROOT / "docs" / "json.md").read_text()
    block = text.split("<!-- actions:start -->")[1].split("<!-- actions:end -->")[0]
    return re.findall(r"^\| `([a-z_]+)` \|", block, re.MULTILINE)


def code_actions() -> set[str]:
    sources = ("services/claims.py", "commands/heartbeat.py")  # the modules building Outcomes
    trees = [ast.parse((ROOT / "maverick_ext" / source).read_text()) for source in sources]
    outcomes = {
        node.args[2].value
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "Outcome"
        and len(node.args) >= 3
        and isinstance(node.args[2], ast.Constant)
    }
    failures = {
        cls.action
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.MaverickError)
    }
    return outcomes | failures


def test_the_documented_actions_are_exactly_the_codes_actions() -> None:
    documented = documented_actions()
    assert len(documented) == len(set(documented))
    assert set(documented) == code_actions()
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", a) for a in documented)


@pytest.mark.parametrize(
    "argv",
    [
        ["epic", "status", "not-a-number", "--json"],
        ["dag", "show", "x", "--json"],
        ["read", "--no-such-option", "--json"],
    ],
)
def test_a_failure_under_json_is_one_error_document_on_stdout(argv, capsys, monkeypatch) -> None:
    monkeypatch.setenv("GH_REPO", "octo/widgets")
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert document["exit_code"] == exited.value.code == 2
    assert document["error"] and "hint" in document and document["schema_version"] == 1
    assert "Traceback" not in err


def test_help_shows_any_commands_help_and_refuses_unknown_ones(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["help", "epic", "next"])
    assert exited.value.code == 0
    assert "Usage: gh maverick epic next" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        main(["help", "nope"])
    assert exited.value.code == 2 and "no such command: nope" in capsys.readouterr().err
