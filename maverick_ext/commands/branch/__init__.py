"""``gh maverick branch``: branch names derived from issues."""

from __future__ import annotations

import click

from maverick_ext.commands import tree
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP


@click.group(
    "branch",
    cls=LazyGroup,
    epilog=EXIT_CODE_HELP,
    lazy=tree.BRANCH,
)
def branch() -> None:
    """Branch names derived from issues.

    \b
    Example:
      gh maverick worktree create "$(gh maverick branch name 12)" --issue 12
    """
