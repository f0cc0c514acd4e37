"""`gh maverick coord ...`: the claim commands under the seeds' names.

The same command objects as the top level (`gh maverick claim` is `gh maverick coord claim`),
except that here, as the seeds expect, JSON is printed by default. Only the verbs the top
level lacks live in this folder.
"""

from __future__ import annotations

from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP

_C = "maverick_ext.commands.coord"

coord = LazyGroup(
    name="coord",
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
    lazy={
        "read": ("maverick_ext.commands.read:read", "Show the claim state of an issue."),
        "status": (
            "maverick_ext.commands.read:read",
            "Same as `coord read` (the seeds' other name).",
        ),
        "claim": (
            "maverick_ext.commands.claim:claim",
            "Claim issues (exit 0 = you alone own them).",
        ),
        "heartbeat": ("maverick_ext.commands.heartbeat:heartbeat", "Renew this instance's lease."),
        "heartbeat-loop": (
            f"{_C}.heartbeat_loop:heartbeat_loop",
            "Renew the lease until released or lost (= heartbeat --loop).",
        ),
        "release": (
            "maverick_ext.commands.release:release",
            "Release this instance's claim with a reason.",
        ),
        "takeover": (
            "maverick_ext.commands.takeover:takeover",
            "Take over an issue whose lease went stale.",
        ),
        "resume-point": (
            f"{_C}.resume_point:resume_point",
            "Where to resume an issue: progress, claim, PR, block walks (JSON).",
        ),
    },
)

# `coord VERB` is the top-level `VERB` itself, except these other names of the seeds';
# coord's own verbs (heartbeat-loop, resume-point) live in this folder.
ALIASES = {"status": "read"}
