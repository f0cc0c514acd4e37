"""A click group whose subcommands are imported only when they run.

A group's table names each command's module (``name -> "package.module:attribute"``);
listing commands (``--help``) shows the one-line help recorded in ``short_help.py``, which
is generated from the commands themselves, so it imports none of them.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from maverick_ext.commands.seed_args import Shape


class LazyGroup(click.Group):
    def __init__(
        self,
        *args: Any,
        lazy: dict[str, str] | None = None,
        json_default: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})
        self.json_default = json_default

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Accept the seeds' ``<repo> <issue>`` order (and, under ``coord``, their JSON)."""
        from maverick_ext.commands.seed_args import hoist_repo, json_by_default

        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not isinstance(command, click.Group):
            shape = click_shape(command)
            rest = hoist_repo(shape, rest)
            if self.json_default:
                rest = json_by_default(shape, rest)
        return name, command, rest

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            target = self.lazy[cmd_name]
            module_name, attribute = target.split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if hasattr(command, "to_click"):  # declared with commands/spec
                command = command.to_click()
            if not isinstance(command, click.Command):
                raise TypeError(f"{target} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from maverick_ext.commands.short_help import SHORT_HELP

        rows = []
        for name in self.list_commands(ctx):
            target = self.lazy.get(name)
            if target in SHORT_HELP:
                rows.append((name, SHORT_HELP[target]))
            else:  # a table not regenerated yet (tests/unit/test_command_docs.py fails then)
                command = self.get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(SHORT_HELP_CHARS)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def click_shape(command: click.Command) -> Shape:
    """What the seeds' argument order needs to know of a click command."""
    options = [p for p in command.params if isinstance(p, click.Option)]
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    return Shape(
        first_argument=arguments[0].name if arguments else None,
        has_repo=any(p.name == "repo" for p in options),
        has_json=any(p.name == "as_json" for p in command.params),
        value_options=frozenset(
            opt for p in options if not p.is_flag and not p.count for opt in p.opts
        ),
    )


# fits an 80-column terminal (click wraps at 78) beside a 14-character command name
SHORT_HELP_CHARS = 60
