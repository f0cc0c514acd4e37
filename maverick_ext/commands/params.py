"""Parameters many commands share, spelled as gh spells them, declared once.

Commands declared with ``commands/spec`` use these directly (``@REPO``); commands declared
with click itself get the same parameters from ``commands/options.py``.
"""

from __future__ import annotations

import sys
from typing import Any

from maverick_ext.commands.spec import Param, argument, option, params

SETTLE_ENV = "MAVERICK_SETTLE_S"

REPO = option(
    "-R",
    "--repo",
    "repo",
    metavar="[HOST/]OWNER/REPO",
    help="Repository to use (default: GH_REPO, else this clone's GitHub remote).",
)
JSON = option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
INSTANCE = option(
    "--instance",
    metavar="ID",
    help="Act as this instance id (default: MAVERICK_INSTANCE_ID, the agent session, "
    "else an id cached per git worktree).",
)
TTL = option("--ttl", metavar="DURATION", help="Lease length, e.g. 90s, 10m, 1h (default 10m).")
SETTLE = option(
    "--settle",
    metavar="SECONDS",
    type=float,
    help=f"Wait this long for competing claims to show before re-reading (default 2; "
    f"env {SETTLE_ENV}; 0 allowed).",
)
ISSUE = argument("issue", metavar="ISSUE")
EPIC = argument("epic", metavar="EPIC")


def issues(required: bool = True) -> Param:
    """``ISSUE...``: numbers, OWNER/REPO#N, URLs, or ``-`` for numbers on stdin."""
    return argument("issues", nargs=-1, required=required, metavar="ISSUE...")


# What every command that claims takes.
CLAIMING = (TTL, SETTLE, INSTANCE, REPO, JSON)
claiming = params(*CLAIMING)


def read_issue_args(issues: tuple[str, ...]) -> list[Any]:
    """Parse issue arguments, reading stdin once if ``-`` is among them."""
    from maverick_ext.core.refs import parse_issue_refs

    stdin_lines = sys.stdin.read().splitlines() if "-" in issues else None
    return parse_issue_refs(list(issues), stdin_lines)
