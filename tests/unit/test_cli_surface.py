"""The command surface users meet first: help texts, the exit-code contract, start-up."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import click
import pytest

from maverick_ext.commands.root import cli
from maverick_ext.errors import EXIT_CODE_HELP, ExitCode


def leaf_commands() -> list[tuple[str, click.Command, click.Context]]:
    found = []

    def walk(group: click.Group, ctx: click.Context, prefix: list[str]) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, f"{' '.join([*prefix, name])} is registered but missing"
            sub = click.Context(command, info_name=name, parent=ctx)
            if isinstance(command, click.Group):
                walk(command, sub, [*prefix, name])
            else:
                found.append((" ".join([*prefix, name]), command, sub))

    walk(cli, click.Context(cli, info_name="gh maverick"), [])
    return found


COMMANDS = leaf_commands()


@pytest.mark.parametrize(("name", "command", "ctx"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_has_help_with_an_example(name, command, ctx):
    text = command.get_help(ctx)
    assert "xample" in text, f"`gh maverick {name} --help` shows no example"


def test_every_group_help_has_an_example_and_the_exit_codes():
    root = click.Context(cli, info_name="gh maverick")
    for name in cli.list_commands(root):
        group = cli.get_command(root, name)
        if isinstance(group, click.Group):
            text = group.get_help(click.Context(group, info_name=name, parent=root))
            assert "xample" in text and "Exit codes:" in text, f"`gh maverick {name} --help`"


def test_every_exit_code_is_documented_in_help():
    for code in ExitCode:
        assert f"  {code.value} " in EXIT_CODE_HELP.replace("\n", "  \n")


def test_the_seeds_coord_spellings_are_the_same_commands():
    coord = cli.get_command(click.Context(cli), "coord")
    ctx = click.Context(coord)
    for verb in ("read", "claim", "heartbeat", "release", "takeover"):
        assert coord.get_command(ctx, verb) is cli.get_command(click.Context(cli), verb)


HEAVY = ("pydantic", "asyncio", "ssl", "graphql", "jwt", "cryptography")


@pytest.mark.parametrize("argv", [["--help"], ["gh-app", "--help"], ["gh-app", "token", "--help"]])
def test_help_imports_nothing_heavy(argv):
    probe = (
        "import sys\n"
        "from maverick_ext.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_our_bytecode_is_cached_even_where_python_is_told_not_to_write_it(tmp_path):
    # Some machines set PYTHONDONTWRITEBYTECODE for every user. The entry script compiles our
    # modules when it builds the environment, but `gh extension upgrade` changes sources
    # without a rebuild: each changed module would be compiled again on every start.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-m", "maverick_ext", "--version"],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    cached = {p.name.split(".")[0] for p in tmp_path.rglob("*.pyc") if "maverick_ext" in p.parts}
    assert {"cli", "root", "app", "errors"} <= cached, cached


def test_listing_commands_imports_none_of_them():
    # the one-line help comes from commands/short_help.py, so `--help` of a group loads only it
    probe = (
        "import sys\n"
        "from maverick_ext.cli import main\n"
        "try:\n    main(['coord', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('maverick_ext.commands.')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "Claim issues (exit 0 = you alone own them)." in result.stdout
    loaded = {
        m.removeprefix("maverick_ext.commands.")
        for m in ast.literal_eval(result.stdout.splitlines()[-1])
    }
    support = {"app", "fast", "lazy", "output", "root", "seed_args", "short_help", "spec", "tree"}
    assert loaded <= {"coord", *support}, loaded
