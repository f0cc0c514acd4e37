"""Relay connections with GitHub's pagination rules over plain Python lists.

Cursors encode the *sort key* of an item, not its position: paging with ``after`` resumes
right after that key even if items were inserted or deleted in between, so a walk over a
growing comment list never loses or repeats an item (ids only grow).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any

MAX_PAGE = 100

Key = tuple[Any, ...]


class PaginationError(Exception):
    """A pagination argument GitHub would refuse; ``type`` is GitHub's error type."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message


def encode_cursor(key: Key) -> str:
    raw = "cursor:v2:" + json.dumps(list(key), separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> Key:
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
        if not raw.startswith("cursor:v2:"):
            raise ValueError(cursor)
        key = json.loads(raw.removeprefix("cursor:v2:"))
        if not isinstance(key, list):
            raise ValueError(cursor)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise PaginationError(
            "INVALID_CURSOR_ARGUMENTS", f"`{cursor}` does not appear to be a valid cursor."
        ) from None
    return tuple(key)


def check_bounds(name: str, first: int | None, last: int | None, *, required: bool) -> None:
    """GitHub's limits: ``first``/``last`` within 1..100 and one of them when nodes are read."""
    for arg, value in (("first", first), ("last", last)):
        if value is None:
            continue
        if value < 0:
            raise PaginationError(
                "INVALID_PAGINATION", f"`{arg}` on the `{name}` connection cannot be less than 0."
            )
        if value > MAX_PAGE:
            raise PaginationError(
                "EXCESSIVE_PAGINATION",
                f"Requesting {value} records on the `{name}` connection exceeds the "
                f"`{arg}` limit of {MAX_PAGE} records.",
            )
    if required and first is None and last is None:
        raise PaginationError(
            "MISSING_PAGINATION_BOUNDARIES",
            f"You must provide a `first` or `last` value to properly paginate the `{name}` "
            "connection.",
        )


def paginate(
    items: Sequence[Any],
    key: Callable[[Any], Key],
    *,
    descending: bool = False,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """A connection dict (``nodes``, ``edges``, ``pageInfo``, ``totalCount``).

    ``items`` must already be in connection order: ``key`` values strictly increasing, or
    strictly decreasing when ``descending``. Keys hold only JSON scalars (ints, strings).
    """
    keys = [key(item) for item in items]
    lo, hi = 0, len(items)
    if after is not None:
        mark = decode_cursor(after)
        lo = _count(keys, lambda k: not _beyond(k, mark, descending))
    if before is not None:
        mark = decode_cursor(before)
        hi = max(lo, _count(keys, lambda k: _beyond(mark, k, descending)))
    if first is not None:
        hi = min(hi, lo + first)
    if last is not None:
        lo = max(lo, hi - last)
    window = range(lo, hi)
    edges = [{"cursor": encode_cursor(keys[i]), "node": items[i]} for i in window]
    return {
        "nodes": [items[i] for i in window],
        "edges": edges,
        "totalCount": len(items),
        "pageInfo": {
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
            "hasNextPage": hi < len(items),
            "hasPreviousPage": lo > 0,
        },
    }


def _beyond(key: Key, mark: Key, descending: bool) -> bool:
    """Whether ``key`` comes strictly after ``mark`` in connection order."""
    try:
        return key < mark if descending else key > mark
    except TypeError:  # a cursor minted by a different kind of connection
        raise PaginationError(
            "INVALID_CURSOR_ARGUMENTS", "The cursor does not belong to this connection."
        ) from None


def _count(keys: list[Key], pred: Callable[[Key], bool]) -> int:
    """Length of the prefix of ``keys`` satisfying ``pred`` (keys are sorted, so it is one run)."""
    n = 0
    for k in keys:
        if not pred(k):
            break
        n += 1
    return n
