"""Options shared by many commands, spelled as gh spells them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

repo_option = click.option(
    "-R",
    "--repo",
    "repo",
    metavar="[HOST/]OWNER/REPO",
    help="Repository to use (default: GH_REPO, else this clone's GitHub remote).",
)

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document on stdout."
)


def issues_argument(required: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``ISSUE...``: numbers, OWNER/REPO#N, URLs, or ``-`` for numbers on stdin."""
    return click.argument("issues", nargs=-1, required=required, metavar="ISSUE...")


def read_issue_args(issues: tuple[str, ...]) -> list[Any]:
    """Parse issue arguments, reading stdin once if ``-`` is among them."""
    from maverick_ext.core.refs import parse_issue_refs

    stdin_lines = sys.stdin.read().splitlines() if "-" in issues else None
    return parse_issue_refs(list(issues), stdin_lines)


def read_file_arg(source: str) -> str:
    """The text of a PATH argument, or of stdin for ``-``; one usage line when unreadable."""
    from pathlib import Path

    from maverick_ext.errors import UsageError

    try:
        return sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
