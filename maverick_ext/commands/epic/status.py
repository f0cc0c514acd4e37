"""`gh maverick epic status EPIC`: the table a person reads at a glance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maverick_ext.commands.epic._shared import epic_board
from maverick_ext.commands.output import echo, emit_json, table
from maverick_ext.commands.params import EPIC, JSON, REPO
from maverick_ext.commands.spec import command
from maverick_ext.errors import EXIT_CODE_HELP

if TYPE_CHECKING:
    from maverick_ext.commands.app import App


@command("status", short_help="Story, wave, status, holder, lease left, PR.", epilog=EXIT_CODE_HELP)
@EPIC
@REPO
@JSON
def status(app: App, epic: str, repo: str | None, as_json: bool) -> None:
    """One row per story of EPIC, in wave order: story, title, wave, status, holder,
    lease left, PR.

    The whole epic costs a constant number of API calls (stories read 50 per request).
    An invalid DAG (cycle, unknown story or dependency) still shows every story: the
    offenders are marked, every problem is named on stderr, and the offending dependencies
    are left out of the waves.

    \b
    Examples:
      gh maverick epic status 100
      gh maverick epic status 100 --json | jq '.counts'

    \b
    JSON: {"epic": N, "title": str, "counts": {"pending": n, "in_flight": n, "merged": n,
           "closed": n, "ejected": n, "blocked": n},
           "stories": [STORY]}, in wave order
    STORY (docs/json.md): {"number", "title", "wave", "critical_path", "deps": [N],
           "status", "reason", "holder", "lease_left_s", "prs": [url], "url",
           "blocked_by": [N], "problems": [str]}
    """
    ctx, board = epic_board(app, repo, epic, lenient=True)
    from maverick_ext.core.epic_state import STATUSES

    rows = board.stories()
    if as_json:
        counts = {name: sum(r["status"] == name for r in rows) for name in STATUSES}
        emit_json({"epic": ctx.number, "title": ctx.issue.title, "counts": counts, "stories": rows})
        return
    echo(f"#{ctx.number} {ctx.issue.title}")
    echo(
        table(
            ("STORY", "TITLE", "WAVE", "STATUS", "HOLDER", "LEASE LEFT", "PR"),
            (
                (
                    f"#{r['number']}",
                    _clip(r["title"]),
                    r["wave"],
                    r["status"] + (" (invalid DAG)" if r["problems"] else ""),
                    r["holder"] or "-",
                    f"{r['lease_left_s']}s" if r["lease_left_s"] is not None else "-",
                    " ".join(r["prs"]) or "-",
                )
                for r in rows
            ),
        )
    )


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
