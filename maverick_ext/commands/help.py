"""`gh maverick help [COMMAND...]`: the help of any command, as `gh help` works."""

from __future__ import annotations

import click

from maverick_ext.commands.output import echo
from maverick_ext.errors import UsageError


@click.command("help", short_help="Show the help of a command (gh maverick help epic next).")
@click.argument("words", nargs=-1, metavar="[COMMAND]...")
@click.pass_context
def help_(ctx: click.Context, words: tuple[str, ...]) -> None:
    """Show the help of COMMAND (e.g. `gh maverick help epic next`), else of gh maverick.

    \b
    Examples:
      gh maverick help
      gh maverick help epic next
    """
    assert ctx.parent is not None
    command: click.Command = ctx.parent.command
    target = ctx.parent
    path = [target.info_name or "gh maverick"]
    for word in words:
        sub = command.get_command(target, word) if isinstance(command, click.Group) else None
        if sub is None:
            raise UsageError(
                f"no such command: {' '.join([*path[1:], word]) or word}",
                "see `gh maverick --help` for the commands",
            )
        path.append(word)
        target = click.Context(sub, info_name=word, parent=target)
        command = sub
    echo(target.get_help())
