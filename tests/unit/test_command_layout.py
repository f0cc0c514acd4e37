"""Every command lives in the file its own words name (docs/ARCHITECTURE.md, `commands/`).

`gh maverick W1 W2 ... VERB` is `maverick_ext/commands/w1/w2/.../verb.py` (a group is the
package's `__init__.py`; `-` becomes `_`); `coord VERB` is the top-level VERB itself unless
the top level lacks it. Nothing else lives in the folder but the listed support modules and
`_`-named helpers of their folder.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import click

import maverick_ext.commands
from maverick_ext.commands.coord import ALIASES
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.commands.root import cli

PACKAGE = "maverick_ext.commands"
# shared by several command folders; none of them is a command's name
SUPPORT = {
    *("app", "coordination", "fast", "lazy", "options", "output", "params", "root"),
    *("seed_args", "short_help", "spec", "tree"),
}

Path = tuple[str, ...]


def registered() -> Iterator[tuple[Path, click.Command, str]]:
    """(command words, command, the module the lazy table imports it from) for every command."""

    def walk(group: click.Group, ctx: click.Context, path: Path) -> Iterator:
        assert isinstance(group, LazyGroup), f"`{' '.join(path)}` is not a lazy group"
        listed = group.list_commands(ctx)
        assert listed == sorted(group.lazy), f"`{' '.join(path)}` registers a command eagerly"
        for name in listed:
            command = group.get_command(ctx, name)
            assert command is not None
            yield (*path, name), command, group.lazy[name].split(":")[0]
            if isinstance(command, click.Group):
                yield from walk(
                    command, click.Context(command, info_name=name, parent=ctx), (*path, name)
                )

    yield from walk(cli, click.Context(cli, info_name="gh maverick"), ())


def module_of(path: Path) -> str:
    return ".".join([PACKAGE, *(word.replace("-", "_") for word in path)])


COMMANDS = list(registered())
TOP_LEVEL = {path[0]: command for path, command, _ in COMMANDS if len(path) == 1}


def test_every_command_lives_in_the_file_its_words_name() -> None:
    wrong = []
    for path, command, target in COMMANDS:
        if path[0] == "coord" and len(path) == 2 and ALIASES.get(path[1], path[1]) in TOP_LEVEL:
            continue  # a re-export, checked below
        defined_in = command.callback.__module__ if command.callback else target
        if {target, defined_in} != {module_of(path)}:
            wrong.append(f"{' '.join(path)}: {defined_in} (expected {module_of(path)})")
    assert not wrong, wrong


def test_coord_re_exports_the_top_level_verbs() -> None:
    coord = [
        (path[1], command) for path, command, _ in COMMANDS if path[0] == "coord" and len(path) == 2
    ]
    re_exported = {verb for verb, _ in coord if ALIASES.get(verb, verb) in TOP_LEVEL}
    assert {"read", "status", "claim", "heartbeat", "release", "takeover"} <= re_exported
    for verb, command in coord:
        if verb in re_exported:
            assert command is TOP_LEVEL[ALIASES.get(verb, verb)], f"coord {verb}"


def test_the_folder_holds_only_commands_support_and_helpers() -> None:
    expected = {PACKAGE} | {module_of(path) for path, _, _ in COMMANDS}
    strays = []
    for info in pkgutil.walk_packages(maverick_ext.commands.__path__, f"{PACKAGE}."):
        relative = info.name.removeprefix(f"{PACKAGE}.")
        if info.name in expected or relative in SUPPORT or relative.split(".")[-1][0] == "_":
            continue
        strays.append(info.name)
    assert not strays, f"modules that are no command's words: {strays}"
    for name in SUPPORT:
        assert name.replace("_", "-") not in TOP_LEVEL
        importlib.import_module(f"{PACKAGE}.{name}")
