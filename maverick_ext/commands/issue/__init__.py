"""``gh maverick issue``: issue policies from config, artefact comments."""

from __future__ import annotations

import click

from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP


@click.group(
    "issue",
    cls=LazyGroup,
    epilog=EXIT_CODE_HELP,
    lazy={
        "policy": "maverick_ext.commands.issue.policy:policy",
        "close-on-merge": "maverick_ext.commands.issue.close_on_merge:close_on_merge",
        "comment": "maverick_ext.commands.issue.comment:comment",
    },
)
def issue() -> None:
    """Issue policies, artefact comments, closing on merge.

    \b
    Example:
      [ "$(gh maverick issue policy)" != manual ] && gh issue close 100
    """
