"""Rendering: one JSON document on stdout for --json, aligned tables for people."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import Any

# docs/json.md: every document carries it; a breaking change to any shape bumps it.
SCHEMA_VERSION = 1


class _RunState(threading.local):
    """What this command run has shown so far. Per thread, not per process: tests run many
    commands at once in one process (racing instances), each its own run."""

    # Whether this run printed its one --json document (a report that then fails, such as
    # preflight's, must not be followed by a second, error document).
    json_emitted = False
    # A progress line is on the terminal, to be cleared before anything else is said.
    progress_shown = False


run_state = _RunState()


def echo(message: object = "", err: bool = False, nl: bool = True) -> None:
    """One line on stdout (stderr with ``err``), flushed: what click.echo does for our text,
    without importing click on the fast path. The stream is looked up at each call, so
    tests' captured streams receive it."""
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{message}\n" if nl else str(message))
    stream.flush()


def emit_json(data: dict[str, Any]) -> None:
    """A command's one --json document, stamped with ``schema_version``."""
    emit_payload({"schema_version": SCHEMA_VERSION, **data})


def emit_payload(data: Any) -> None:
    """A marker's payload exactly as written (`gh-state read`, `task-progress read`): the
    seeds' shape, so it can be written back unchanged; no ``schema_version`` is added."""
    end_progress()
    echo(json.dumps(data, indent=2, sort_keys=True, default=str))
    run_state.json_emitted = True


def warn(message: str) -> None:
    end_progress()
    echo(f"warning: {message}", err=True)


def info(message: str) -> None:
    end_progress()
    echo(message, err=True)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain, aligned text table (no colour, no box drawing: greppable output)."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


_CLEAR_LINE = "\r\x1b[K"


def progress(message: str) -> None:
    """Progress for long operations (bprop walks, DAG builds, doctor), only when a person
    is watching stderr: one line, rewritten in place; "" clears it (the operation is
    done). Silent in pipes and files."""
    if not message:
        end_progress()
    elif sys.stderr.isatty():
        echo(f"{_CLEAR_LINE}{message}", err=True, nl=False)
        run_state.progress_shown = True


def end_progress() -> None:
    """Clear the progress line, if one is shown (before other output, and at exit)."""
    if run_state.progress_shown:
        echo(_CLEAR_LINE, err=True, nl=False)
        run_state.progress_shown = False
