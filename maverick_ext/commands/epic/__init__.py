"""`gh maverick epic`: what to start next, the status table, the summary."""

from __future__ import annotations

from maverick_ext.commands import tree
from maverick_ext.commands.spec import group
from maverick_ext.errors import EXIT_CODE_HELP

_C = "maverick_ext.commands.epic"

epic = group(
    "epic",
    help="""What to start next, the status table, the summary.

    \b
    Examples:
      gh maverick epic next 100 --json | jq -r '.stories[].number' | xargs -n1 gh maverick claim
      gh maverick epic status 100
      gh maverick epic summary 100 --post
    """,
    epilog=EXIT_CODE_HELP,
    lazy=tree.EPIC,
)
