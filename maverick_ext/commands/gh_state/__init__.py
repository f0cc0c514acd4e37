"""`gh maverick gh-state read|write ISSUE KIND`: one marker kind on an issue, raw."""

from __future__ import annotations

from maverick_ext.commands import tree
from maverick_ext.commands.spec import group
from maverick_ext.errors import EXIT_CODE_HELP, UsageError

_C = "maverick_ext.commands.gh_state"

# claim and lease records belong to the claim protocol (coord claim/heartbeat/release):
# writing them by hand would forge or break a lease.
WRITABLE = ("dag", "state", "bprop", "task-progress")
READABLE = ("claim", "lease", *WRITABLE)


def marker_kind(text: str, allowed: tuple[str, ...]) -> str:
    kind = text.removeprefix("maverick-")
    if kind in allowed:
        return kind
    if kind in READABLE:
        raise UsageError(
            f"maverick-{kind} is written by the claim protocol only",
            "use gh maverick claim / heartbeat / release",
        )
    raise UsageError(
        f"unknown marker kind {text!r}",
        f"use one of: {', '.join('maverick-' + k for k in allowed)}",
    )


gh_state = group(
    "gh-state",
    short_help="Read or write one marker kind on an issue, validated.",
    help="""Read or write one marker kind on an issue (validated before it is written).

    \\b
    Examples:
      gh maverick gh-state read 100 maverick-dag
      gh maverick gh-state write 100 maverick-dag --payload-file dag.json
    """,
    epilog=EXIT_CODE_HELP,
    lazy=tree.GH_STATE,
)
