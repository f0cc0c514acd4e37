"""A story's status follows from facts on the story, with a documented precedence."""

from __future__ import annotations

import pytest

from maverick_ext.core.epic_state import (
    StoryFacts,
    derive_status,
    fact_for,
    is_complete,
    snapshot_payload,
)
from maverick_ext.errors import UsageError


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        (StoryFacts(), "pending"),
        (StoryFacts(holder="agent-a"), "in_flight"),
        (StoryFacts(labels=("blocked-by:#3",), holder="agent-a"), "blocked"),
        (StoryFacts(labels=("needs-human", "blocked-by:#3"), holder="agent-a"), "ejected"),
        (StoryFacts(labels=("needs-human",), merged_pr=True), "merged"),
        (StoryFacts(labels=("merged-to-develop", "blocked-by:#3")), "merged"),
        (StoryFacts(labels=("claude-in-progress",)), "pending"),  # label without a live claim
        (StoryFacts(closed=True), "closed"),
        (StoryFacts(closed=True, merged_pr=True), "merged"),
        (StoryFacts(labels=("merged-to-develop",), closed=True), "merged"),
        (StoryFacts(labels=("needs-human", "blocked-by:#3"), closed=True, holder="a"), "closed"),
    ],
)
def test_precedence_merged_closed_ejected_blocked_in_flight_pending(
    facts: StoryFacts, status: str
) -> None:
    assert derive_status(facts).status == status


def test_the_reason_names_the_deciding_fact() -> None:
    assert derive_status(StoryFacts(labels=("blocked-by:#3", "blocked-by:#9"))).reason == (
        "blocked by #3, #9"
    )


def test_settable_facts_are_labels_on_the_story() -> None:
    assert fact_for("ejected").add == "needs-human"
    assert fact_for("merged", branch="develop").add == "merged-to-develop"
    assert fact_for("blocked", blocker=4).add == "blocked-by:#4"


@pytest.mark.parametrize("status", ["pending", "in_flight"])
def test_claim_derived_statuses_cannot_be_set(status: str) -> None:
    with pytest.raises(UsageError, match="follows from claims"):
        fact_for(status)


def test_closed_follows_from_closing_the_issue() -> None:
    with pytest.raises(UsageError, match="issue being closed"):
        fact_for("closed")


@pytest.mark.parametrize(
    ("statuses", "complete"),
    [
        (["merged", "closed"], True),
        (["merged", "merged"], True),
        (["merged", "ejected"], False),  # a person still has to decide
        (["closed", "blocked"], False),
        (["merged", "pending"], False),
    ],
)
def test_an_epic_is_complete_when_every_story_is_terminal(statuses: list, complete: bool) -> None:
    assert is_complete(statuses) is complete


def test_snapshot_has_the_seeds_shape() -> None:
    assert snapshot_payload(1, {3: "merged", 2: "pending"}, "2026-01-01T00:00:00Z") == {
        "epic": 1,
        "stories": {"2": "pending", "3": "merged"},
        "updated_at": "2026-01-01T00:00:00Z",
    }
