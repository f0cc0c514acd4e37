"""``gh maverick pr``: stacked pull requests."""

from __future__ import annotations

import click

from maverick_ext.commands.lazy import LazyGroup


@click.group(
    "pr",
    cls=LazyGroup,
    lazy={
        "retarget": (
            "maverick_ext.commands.pr.retarget:retarget",
            "Move a stacked PR to the story base once its sibling merged.",
        ),
    },
)
def pr() -> None:
    """Stacked PRs: retarget once the sibling merged.

    \b
    Example:
      gh maverick pr retarget feat/14-logout
      gh maverick pr retarget --all --dry-run
    """
