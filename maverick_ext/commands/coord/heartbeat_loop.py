"""`gh maverick coord heartbeat-loop ISSUE`: the seeds' spelling of `heartbeat --loop`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from maverick_ext.commands.claim import RESULTS_JSON
from maverick_ext.commands.heartbeat import HELP_TAIL, heartbeat_options, run_heartbeat
from maverick_ext.commands.spec import command
from maverick_ext.errors import EXIT_CODE_HELP

if TYPE_CHECKING:
    from maverick_ext.commands.app import App


@command(
    "heartbeat-loop",
    help="Same as `heartbeat --loop` (the seeds' spelling).\n" + HELP_TAIL,
    epilog=f"{RESULTS_JSON}\n\n{EXIT_CODE_HELP}",
)
@heartbeat_options
def heartbeat_loop(app: App, **options: Any) -> None:
    run_heartbeat(app, loop=True, **options)
