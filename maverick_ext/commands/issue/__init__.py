"""``gh maverick issue``: issue policies from config, artefact comments."""

from __future__ import annotations

import click

from maverick_ext.commands import tree
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP


@click.group(
    "issue",
    cls=LazyGroup,
    epilog=EXIT_CODE_HELP,
    lazy=tree.ISSUE,
)
def issue() -> None:
    """Issue policies, artefact comments, closing on merge.

    \b
    Example:
      [ "$(gh maverick issue policy)" != manual ] && gh issue close 100
    """
