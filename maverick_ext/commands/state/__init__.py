"""`gh maverick state`: each story's derived status, and recording explicit facts."""

from __future__ import annotations

from maverick_ext.commands import tree
from maverick_ext.commands.spec import group
from maverick_ext.errors import EXIT_CODE_HELP

_C = "maverick_ext.commands.state"

state = group(
    "state",
    help="""Show or record the status of an epic's stories.

    Status is derived from facts on each story (merged PR or merged-to-* label, needs-human,
    blocked-by:#N, a live claim), so instances updating different stories never collide.

    \b
    Examples:
      gh maverick state show 100 --write
      gh maverick state set 100 104 ejected
    """,
    epilog=EXIT_CODE_HELP,
    lazy=tree.STATE,
)
