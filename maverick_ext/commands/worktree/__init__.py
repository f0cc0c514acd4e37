"""``gh maverick worktree``: one git worktree per story, under .maverick/worktrees/."""

from __future__ import annotations

import click

from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP

_W = "maverick_ext.commands.worktree"


@click.group(
    "worktree",
    cls=LazyGroup,
    epilog=EXIT_CODE_HELP,
    lazy={
        "create": f"{_W}.create:create",
        "list": f"{_W}.list:list_worktrees",
        "remove": f"{_W}.remove:remove",
        "prune": f"{_W}.prune:prune",
    },
)
def worktree() -> None:
    """Create, list, remove and prune story worktrees.

    \b
    Example:
      gh maverick worktree create feat/12-add-login --issue 12
      cd "$(gh maverick worktree create feat/12-add-login)"
    """
