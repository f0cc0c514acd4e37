"""Cursor pagination of GraphQL connections: never loses or repeats an item."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maverick_ext.emulator.graphql.connection import (
    PaginationError,
    check_bounds,
    encode_cursor,
    paginate,
)


def _key(n: int) -> tuple[int]:
    return (n,)


def _walk_forward(items: list[int], size: int, descending: bool = False) -> list[int]:
    seen: list[int] = []
    after = None
    while True:
        page = paginate(items, _key, descending=descending, first=size, after=after)
        seen += page["nodes"]
        assert len(page["nodes"]) <= size
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


@given(st.sets(st.integers(-1000, 1000)), st.integers(1, 100), st.booleans())
def test_forward_walk_yields_every_item_once_in_order(
    keys: set[int], size: int, descending: bool
) -> None:
    items = sorted(keys, reverse=descending)
    assert _walk_forward(items, size, descending) == items


@given(st.sets(st.integers(0, 500)), st.integers(1, 100))
def test_backward_walk_with_last_and_before(keys: set[int], size: int) -> None:
    items = sorted(keys)
    seen: list[int] = []
    before = None
    while True:
        page = paginate(items, _key, last=size, before=before)
        seen = page["nodes"] + seen
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert seen == items


@given(
    st.lists(st.integers(1, 30), min_size=1, max_size=8),
    st.integers(1, 20),
    st.data(),
)
def test_growing_list_with_deletions_loses_and_repeats_nothing(
    growth: list[int], size: int, data: st.DataObject
) -> None:
    """Comments arrive (higher ids) and old ones are deleted between page requests."""
    items = list(range(1, 41))
    next_id = 41
    seen: list[int] = []
    deleted: set[int] = set()
    after = None
    for step in range(10_000):
        extra = growth[step] if step < len(growth) else 0
        page = paginate(items, _key, first=size, after=after)
        seen += page["nodes"]
        new = list(range(next_id, next_id + extra))
        next_id += extra
        # Delete some items already paged past, including the cursor's own item.
        gone = set(data.draw(st.lists(st.sampled_from(seen)))) if seen else set()
        deleted |= gone
        items = [i for i in items if i not in gone] + new
        if not page["pageInfo"]["hasNextPage"] and not extra:
            break
        after = page["pageInfo"]["endCursor"] or after
    assert len(seen) == len(set(seen)), "an item was repeated"
    assert seen == sorted(seen)
    assert set(range(1, next_id)) - deleted <= set(seen), "an item was lost"


def test_page_info_and_edges() -> None:
    page = paginate([1, 2, 3], _key, first=2)
    assert page["totalCount"] == 3
    assert [e["node"] for e in page["edges"]] == [1, 2]
    assert page["edges"][1]["cursor"] == page["pageInfo"]["endCursor"] == encode_cursor((2,))
    assert page["pageInfo"]["startCursor"] == encode_cursor((1,))
    assert page["pageInfo"]["hasNextPage"] and not page["pageInfo"]["hasPreviousPage"]
    empty = paginate([], _key, first=5)
    assert empty["pageInfo"] == {
        "startCursor": None,
        "endCursor": None,
        "hasNextPage": False,
        "hasPreviousPage": False,
    }


@pytest.mark.parametrize(
    ("first", "last", "required", "type_"),
    [
        (101, None, True, "EXCESSIVE_PAGINATION"),
        (None, 101, True, "EXCESSIVE_PAGINATION"),
        (None, None, True, "MISSING_PAGINATION_BOUNDARIES"),
        (-1, None, True, "INVALID_PAGINATION"),
    ],
)
def test_bounds_like_github(
    first: int | None, last: int | None, required: bool, type_: str
) -> None:
    with pytest.raises(PaginationError) as err:
        check_bounds("comments", first, last, required=required)
    assert err.value.type == type_


def test_total_count_alone_needs_no_bounds() -> None:
    check_bounds("commits", None, None, required=False)


@pytest.mark.parametrize("cursor", ["nope", "Y3Vyc29yOnYyOg==", encode_cursor(("a",))])
def test_bad_cursor_is_rejected(cursor: str) -> None:
    with pytest.raises(PaginationError) as err:
        paginate([1, 2], _key, first=1, after=cursor)
    assert err.value.type == "INVALID_CURSOR_ARGUMENTS"
