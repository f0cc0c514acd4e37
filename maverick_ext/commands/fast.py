"""The fast path: run a command declared with ``commands/spec`` without importing click.

``cli.main`` tries it first. It follows ARGV's leading words through the command tree
(``commands/tree.py``); when they name a spec command and its declaration parses the rest
(``spec.Command.parse``), the command runs here, with the seeds' repository-first order and
``coord``'s JSON default applied as click's groups apply them. Anything else — a click
command, ``--help``, an argument ``parse`` declines — returns False, and click runs it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from maverick_ext.commands import spec, tree
from maverick_ext.commands.seed_args import hoist_repo, json_by_default

if TYPE_CHECKING:
    from maverick_ext.commands.app import App


def run(app: App, args: list[str]) -> bool:
    """Run ARGS if they name a spec command in a shape it parses; False leaves it to click."""
    table, json_default = tree.ROOT, False
    for index, word in enumerate(args):
        target = table.get(word)
        if target is None:
            return False
        if target in tree.GROUPS:
            table, json_default = tree.GROUPS[target], target in tree.JSON_BY_DEFAULT
            continue
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, spec.Command):
            return False
        shape = command.shape()
        rest = hoist_repo(shape, args[index + 1 :])
        if json_default:
            rest = json_by_default(shape, rest)
        values = command.parse(rest)
        if values is None:
            return False
        command.function(app, **values)
        return True
    return False
