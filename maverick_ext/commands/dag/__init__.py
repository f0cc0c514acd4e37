"""`gh maverick dag`: build, show and plan an epic's story DAG."""

from __future__ import annotations

from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP

_C = "maverick_ext.commands.dag"

dag = LazyGroup(
    name="dag",
    help="""Build, show and plan an epic's story DAG.

    \b
    Examples:
      gh maverick dag build 100 --write
      gh maverick dag waves 100
      gh maverick dag descendants 100 4 --json | jq '.descendants[]'
    """,
    epilog=EXIT_CODE_HELP,
    lazy={
        "build": f"{_C}.build:build",
        "show": f"{_C}.show:show",
        "waves": f"{_C}.waves:waves",
        "descendants": f"{_C}.descendants:descendants",
    },
)
