"""`gh maverick bprop`: block the descendants of an ejected story, crash-safely."""

from __future__ import annotations

from maverick_ext.commands import tree
from maverick_ext.commands.spec import group
from maverick_ext.errors import EXIT_CODE_HELP

_C = "maverick_ext.commands.bprop"

bprop = group(
    "bprop",
    short_help="Block the descendants of an ejected story (crash-safe).",
    help="""Block the descendants of an ejected story (crash-safe, idempotent).

    \b
    Examples:
      gh maverick bprop run 100 --ejected 104
      gh maverick bprop resume 100
    """,
    epilog=EXIT_CODE_HELP,
    lazy=tree.BPROP,
)
