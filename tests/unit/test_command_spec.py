"""The fast path parses a command line exactly as click would, or leaves it to click.

Commands declared with commands/spec run without importing click when their arguments
parse (commands/fast.py); click takes the rest. So whatever ``Command.parse`` accepts,
click must accept too, with the same values — and the shapes agents write must parse.
"""

from __future__ import annotations

import importlib

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maverick_ext.commands import spec, tree


def spec_commands() -> list[tuple[str, spec.Command]]:
    found: dict[str, tuple[str, spec.Command]] = {}

    def walk(table: dict[str, str], path: tuple[str, ...]) -> None:
        for name, target in table.items():
            if target in tree.GROUPS:
                walk(tree.GROUPS[target], (*path, name))
                continue
            module, attribute = target.split(":")
            declared = getattr(importlib.import_module(module), attribute)
            if isinstance(declared, spec.Command):
                found.setdefault(target, (" ".join((*path, name)), declared))

    walk(tree.ROOT, ())
    return sorted(found.values(), key=lambda item: item[0])


SPEC_COMMANDS = spec_commands()
IDS = [name for name, _ in SPEC_COMMANDS]


def click_parse(command: spec.Command, args: list[str]) -> dict | None:
    try:
        return command.to_click().make_context("gh maverick", list(args)).params
    except (click.UsageError, click.exceptions.Exit):
        return None


def test_the_commands_agents_call_most_are_declared_for_the_fast_path() -> None:
    hot = {"read", "guard", "heartbeat", "claim", "epic next", "epic status"}
    assert hot <= set(IDS)


def sorted_items(values: dict | None) -> list | None:
    return None if values is None else sorted(values.items())


WORDS = ["1", "12", "0", "-1", "0.05", "2.5", "nan", "1_0", " 3", "abc", "o/r", "o/r#3", ""]
ODD = ["-", "--", "--help", "-h", "--nope", "-Ro/r", "--json=1", "--repo=o/r", "--max=2"]


def argv_for(command: spec.Command) -> st.SearchStrategy[list[str]]:
    opts = sorted(opt for param in command.params for opt in param.opts)
    return st.lists(st.sampled_from(opts) | st.sampled_from(WORDS + ODD), max_size=7)


@pytest.mark.parametrize(("name", "command"), SPEC_COMMANDS, ids=IDS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_what_the_fast_path_accepts_click_accepts_with_the_same_values(
    name: str, command: spec.Command, data: st.DataObject
) -> None:
    args = data.draw(argv_for(command))
    ours = command.parse(args)
    if ours is not None:  # (compared as text: a NaN is not equal to itself)
        assert repr(sorted_items(click_parse(command, args))) == repr(sorted_items(ours)), args


COMMON = {
    "read": [["12"], ["12", "--json"], ["o/r#12"], ["12", "-R", "o/r"], ["--repo=o/r", "12"]],
    "guard": [["12"], ["12", "--instance", "agent-7"]],
    "heartbeat": [["12"], ["12", "--loop", "--interval", "5", "--while-pid", "4242"]],
    "claim": [["12"], ["12", "13", "--settle", "0", "--json"], ["--scope", "1,2"]],
    "epic next": [["1"], ["1", "--json"], ["1", "--max", "2"], ["1", "--claim", "--ttl", "5m"]],
    "epic status": [["1"], ["1", "--json"]],
}


@pytest.mark.parametrize(
    ("name", "args"), [(name, args) for name, cases in COMMON.items() for args in cases]
)
def test_the_shapes_agents_write_run_on_the_fast_path(name: str, args: list[str]) -> None:
    command = dict(SPEC_COMMANDS)[name]
    parsed = command.parse(args)
    assert parsed is not None and parsed == click_parse(command, args)


@pytest.mark.parametrize(
    "args", [["12", "--help"], ["12", "--jsn"], [], ["12", "13"], ["x", "--max", "0"]]
)
def test_help_typos_and_bad_values_are_left_to_click(args: list[str]) -> None:
    for command in (dict(SPEC_COMMANDS)["read"], dict(SPEC_COMMANDS)["epic next"]):
        assert command.parse(args) is None


def test_the_click_command_is_built_once() -> None:
    # `coord read` and `read` are one command object (tests/unit/test_cli_surface.py)
    command = dict(SPEC_COMMANDS)["read"]
    assert command.to_click() is command.to_click()


def test_the_tree_names_the_groups_that_print_json_by_default() -> None:
    # the fast path reads commands/tree.py; click's groups carry their own flag
    for target in tree.GROUPS:
        module, attribute = target.split(":")
        group = getattr(importlib.import_module(module), attribute)
        group = group.to_click() if isinstance(group, spec.Group) else group
        assert getattr(group, "json_default", False) == (target in tree.JSON_BY_DEFAULT), target
