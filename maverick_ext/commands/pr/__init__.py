"""``gh maverick pr``: stacked pull requests."""

from __future__ import annotations

import click

from maverick_ext.commands import tree
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP


@click.group(
    "pr",
    cls=LazyGroup,
    epilog=EXIT_CODE_HELP,
    lazy=tree.PR,
)
def pr() -> None:
    """Stacked PRs: retarget them; wait for checks and merges.

    \b
    Example:
      gh maverick pr retarget feat/14-logout
      gh maverick pr retarget --all --dry-run
      gh maverick pr wait 12 --timeout 30m
    """
