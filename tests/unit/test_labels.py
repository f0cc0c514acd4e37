"""Label facts: at most 50 characters, compared case-insensitively, malformed blocks block."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maverick_ext.core import labels
from maverick_ext.core.claims import ClaimView, entry_check
from maverick_ext.core.epic_state import StoryFacts, derive_status, fact_for
from maverick_ext.core.refs import issue_number

BRANCH_CHARS = st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="~^:?*[\\")


def test_a_short_branch_keeps_the_seeds_label() -> None:
    assert labels.merged_label("develop") == "merged-to-develop"
    assert labels.merged_label("b" * 40) == "merged-to-" + "b" * 40  # exactly 50


@given(st.text(BRANCH_CHARS, min_size=41, max_size=250))
def test_a_long_branch_label_fits_githubs_50_characters_stably(branch: str) -> None:
    label = labels.merged_label(branch)
    assert len(label) == labels.MAX_LABEL_CHARS
    assert label == labels.merged_label(branch)
    assert label.startswith("merged-to-" + branch[:31] + "~")


def test_two_long_branches_with_one_prefix_get_two_labels() -> None:
    a, b = "feature/" + "x" * 60 + "-a", "feature/" + "x" * 60 + "-b"
    assert labels.merged_label(a) != labels.merged_label(b)
    assert fact_for("merged", branch=a).add == labels.merged_label(a)


def test_labels_match_without_regard_to_case() -> None:
    assert labels.has_label(["Claude-In-Progress"], labels.CLAIM_LABEL)
    assert not labels.has_label(["claude-in-progres"], labels.CLAIM_LABEL)
    assert labels.blocked_by(["Blocked-By:#3"]) == [3]
    assert derive_status(StoryFacts(labels=("NEEDS-HUMAN",))).status == "ejected"
    assert derive_status(StoryFacts(labels=("Merged-To-main",))).status == "merged"


MALFORMED = ["blocked-by:#²", "blocked-by:#-3", "blocked-by:#abc", "blocked-by:#", "blocked-by:#0"]


@pytest.mark.parametrize("label", MALFORMED)
def test_a_malformed_block_label_blocks_claim_and_status_alike(label: str) -> None:
    assert labels.blocked_by([label]) == []  # names no story: never reaches a query
    assert labels.malformed_block_labels([label]) == [label]
    view = ClaimView(datetime(2026, 1, 1, tzinfo=timezone.utc), [], None, None)
    assert entry_check([label], view, "me").outcome == "blocked"
    derived = derive_status(StoryFacts(labels=(label,)))
    assert derived.status == "blocked" and label in derived.reason


@pytest.mark.parametrize(
    ("value", "number"),
    [(3, 3), (3.0, 3), ("3", 3), ("#3", 3), (-1, None), (0, None), (3.5, None),
     ("abc", None), ("²", None), ("", None), (True, None), (None, None), (2**31, None)],
)  # fmt: skip
def test_one_rule_for_issue_numbers_in_data(value: object, number: int | None) -> None:
    assert issue_number(value) == number
