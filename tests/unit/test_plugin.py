"""The agent-harness plugin (plugin/): Claude Code's layout, files that parse, and every
`gh maverick …` line it tells an agent to run names a command and options that exist."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import click
import pytest

from maverick_ext.commands.root import cli

PLUGIN = Path(__file__).resolve().parents[2] / "plugin"
SKILLS = sorted((PLUGIN / "skills").glob("*/SKILL.md"))
# Up to a pipe, `&&`, `;`, a closing backtick or parenthesis, or a nested "$(".
_INVOCATION = re.compile(r"gh maverick ([a-z](?:(?!\$\()[^`|;&)\n])*)")


def words(line: str) -> list[str]:
    """The line's words, shell comments dropped; a quote left open by a cut "$(" closed."""
    if line.count('"') % 2:
        line += '"'
    return shlex.split(line, comments=True)


def frontmatter(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path} has no frontmatter"
    head = text[4 : text.index("\n---\n", 4)]
    fields = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def invocations() -> list[tuple[str, str]]:
    hooks = (PLUGIN / "hooks" / "hooks.json").read_text(encoding="utf-8")
    found = [
        (f"{p.parent.name}/SKILL.md", m[1])
        for p in SKILLS
        for m in _INVOCATION.finditer(p.read_text())
    ]
    return found + [("hooks.json", m[1]) for m in _INVOCATION.finditer(hooks)]


def test_the_manifest_and_hooks_parse_and_the_session_end_hook_releases_everything() -> None:
    manifest = json.loads((PLUGIN / ".claude-plugin" / "plugin.json").read_text())
    assert re.fullmatch(r"[a-z0-9-]+", manifest["name"]) and manifest["description"]
    hooks = json.loads((PLUGIN / "hooks" / "hooks.json").read_text())["hooks"]
    commands = [h["command"] for entry in hooks["SessionEnd"] for h in entry["hooks"]]
    assert commands == ["gh maverick release --all --reason session-end"]
    assert all(h["type"] == "command" for entry in hooks["SessionEnd"] for h in entry["hooks"])


@pytest.mark.parametrize("path", SKILLS, ids=[p.parent.name for p in SKILLS])
def test_each_skill_has_a_name_matching_its_folder_and_a_short_description(path: Path) -> None:
    fields = frontmatter(path)
    assert fields["name"] == path.parent.name
    assert 0 < len(fields["description"]) <= 1024


def _leaf(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = cli
    ctx = click.Context(cli)
    rest = list(words)
    while isinstance(command, click.Group) and rest:
        found = command.get_command(ctx, rest[0])
        assert found is not None, f"no command {rest[0]!r} in {' '.join(words)!r}"
        command, rest = found, rest[1:]
        ctx = click.Context(command, parent=ctx)
    assert not isinstance(command, click.Group), f"{' '.join(words)!r} names a group only"
    return command, rest


@pytest.mark.parametrize(
    ("where", "line"), invocations(), ids=[f"{where}: {text}" for where, text in invocations()]
)
def test_every_command_the_plugin_names_exists_with_its_options(where: str, line: str) -> None:
    command, rest = _leaf(words(line))
    known = {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts}
    for token in rest:
        if token.startswith("--"):
            assert token.split("=")[0] in known, f"{where}: {line!r}: no option {token}"


def test_the_plugin_names_the_commands_it_is_about() -> None:
    named = {" ".join(words(line)[:2]) for _, line in invocations()}
    assert {"claim --scope", "release --all", "task-progress set", "preflight do-epic"} <= named
