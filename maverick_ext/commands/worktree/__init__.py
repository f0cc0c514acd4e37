"""``gh maverick worktree``: one git worktree per story, under .maverick/worktrees/."""

from __future__ import annotations

import click

from maverick_ext.commands import tree
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP


@click.group(
    "worktree",
    cls=LazyGroup,
    epilog=EXIT_CODE_HELP,
    lazy=tree.WORKTREE,
)
def worktree() -> None:
    """Create, list, remove and prune story worktrees.

    \b
    Example:
      gh maverick worktree create feat/12-add-login --issue 12
      cd "$(gh maverick worktree create feat/12-add-login)"
    """
