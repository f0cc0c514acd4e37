"""``gh maverick issue``: issue policies from config."""

from __future__ import annotations

import click

from maverick_ext.commands.lazy import LazyGroup


@click.group(
    "issue",
    cls=LazyGroup,
    lazy={
        "policy": (
            "maverick_ext.commands.issue.policy:policy",
            "Print when issues close after their PR merges.",
        ),
    },
)
def issue() -> None:
    """Issue policies from config.

    \b
    Example:
      [ "$(gh maverick issue policy)" != manual ] && gh issue close 100
    """
