"""The shared parameters (``commands/params.py``) for commands declared with click itself."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

from maverick_ext.commands import params

F = TypeVar("F", bound=Callable[..., Any])

repo_option = params.REPO.click_decorator()
json_option = params.JSON.click_decorator()
instance_option = params.INSTANCE.click_decorator()
epic_argument = params.EPIC.click_decorator()


def issues_argument(required: bool = True) -> Callable[[F], F]:
    """``ISSUE...``: numbers, OWNER/REPO#N, URLs, or ``-`` for numbers on stdin."""
    return params.issues(required).click_decorator()


def claiming_options(function: F) -> F:
    """--ttl, --settle, --instance, -R/--repo and --json: what every command that claims takes."""
    for param in reversed(params.CLAIMING):
        function = param.click_decorator()(function)
    return function


def read_file_arg(source: str) -> str:
    """The text of a PATH argument, or of stdin for ``-``; one usage line when unreadable."""
    from pathlib import Path

    from maverick_ext.errors import UsageError

    try:
        return sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
