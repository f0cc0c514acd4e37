"""The half of "only github/, git/ start processes" that import-linter cannot see.

`lint-imports` (contracts in pyproject.toml) forbids importing subprocess/sh/pty outside
process.py and process.py outside github/, git/, the emulator and demo. But ``os`` is imported
everywhere, so calls such as ``os.system`` are found here, in the syntax tree.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "maverick_ext"
PROCESS_STARTERS = {"system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp"}
PREFIXES = ("exec", "spawn")


def process_calls(source: str) -> list[str]:
    """``os.<starter>(...)`` calls and ``from os import <starter>`` in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            name = node.attr
            if node.value.id == "os" and (name in PROCESS_STARTERS or name.startswith(PREFIXES)):
                found.append(f"os.{name}")
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [
                f"from os import {alias.name}"
                for alias in node.names
                if alias.name in PROCESS_STARTERS or alias.name.startswith(PREFIXES)
            ]
    return found


def test_the_checker_sees_each_way_of_starting_a_process() -> None:
    assert process_calls("import os\nos.system('ls')") == ["os.system"]
    assert process_calls("import os\nos.execvp('ls', ['ls'])") == ["os.execvp"]
    assert process_calls("from os import spawnl") == ["from os import spawnl"]
    assert process_calls("import os\nos.environ.get('X')\nos.path.join('a')") == []


def test_no_module_starts_a_process_through_os() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): calls
        for path in sorted(PACKAGE.rglob("*.py"))
        if (calls := process_calls(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "start children through maverick_ext/process.py (from github/, git/)"


def test_the_import_contracts_hold() -> None:
    """`lint-imports` as CI runs it, so a layering break shows up in the fast tier too."""
    import subprocess
    import sys

    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(linter)], cwd=PACKAGE.parent, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-3000:]


RAW_CALL = re.compile(
    r"\brepo_path\(|\bclient\.(get|post|patch|put|delete|paginate|request|graphql)\("
    r"|[\"']repos/"
)


def test_only_github_builds_rest_paths_or_sends_raw_requests() -> None:
    """Services and commands use the typed calls in github/ (issues.py, pulls.py, ...)."""
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for folder in ("services", "commands", "core")
        for path in sorted((PACKAGE / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if RAW_CALL.search(line)
    ]
    assert offenders == [], "add a typed call to maverick_ext/github/ instead"


def test_one_name_names_one_thing() -> None:
    """Distinct things get distinct names, and JSON rendering has one method name.

    Two classes of one name (two ``Outcome``s, two ``StoryFacts``) make a reader guess
    which is meant; the emulator stands apart, being GitHub's side of the wire.
    """
    defined: dict[str, list[str]] = {}
    json_methods: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative = str(path.relative_to(PACKAGE))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                if not relative.startswith("emulator/"):
                    defined.setdefault(node.name, []).append(relative)
                json_methods |= {
                    f.name
                    for f in node.body
                    if isinstance(f, ast.FunctionDef)
                    and f.name in ("as_json", "to_dict", "as_dict")
                }
    assert {n: p for n, p in defined.items() if len(p) > 1} == {}
    assert json_methods == set(), "render JSON with to_json()"
