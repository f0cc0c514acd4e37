"""`gh maverick coord ...`: the claim commands under the seeds' names.

The same command objects as the top level (`gh maverick claim` is `gh maverick coord claim`),
except that here, as the seeds expect, JSON is printed by default. Only the verbs the top
level lacks live in this folder.
"""

from __future__ import annotations

from maverick_ext.commands import tree
from maverick_ext.commands.spec import group
from maverick_ext.errors import EXIT_CODE_HELP

_C = "maverick_ext.commands.coord"

coord = group(
    "coord",
    short_help="Claim commands under the seeds' names (read, claim, ...).",
    help="""Claim commands under the seeds' names (read, claim, heartbeat, ...).

    Output is JSON by default here (the seeds parse it); the top-level verbs print text.
    The repository may come first, as the seeds write it.

    \b
    Examples:
      gh maverick coord read OWNER/REPO 123
      gh maverick coord claim OWNER/REPO --scope 100,101,102
    """,
    json_default=True,
    epilog=EXIT_CODE_HELP,
    lazy=tree.COORD,
)

# `coord VERB` is the top-level `VERB` itself, except these other names of the seeds';
# coord's own verbs (heartbeat-loop, resume-point) live in this folder.
ALIASES = {"status": "read"}
