"""`gh maverick dag`: build, show and plan an epic's story DAG."""

from __future__ import annotations

from maverick_ext.commands import tree
from maverick_ext.commands.spec import group
from maverick_ext.errors import EXIT_CODE_HELP

_C = "maverick_ext.commands.dag"

dag = group(
    "dag",
    help="""Build, show and plan an epic's story DAG.

    \b
    Examples:
      gh maverick dag build 100 --write
      gh maverick dag waves 100
      gh maverick dag descendants 100 4 --json | jq '.descendants[]'
    """,
    epilog=EXIT_CODE_HELP,
    lazy=tree.DAG,
)
