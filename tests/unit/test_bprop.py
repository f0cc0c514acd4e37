"""Block propagation planning: what is left is read back from GitHub, not assumed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from maverick_ext.core.bprop import (
    DescendantFacts,
    NoticeComment,
    block_label,
    journal_from_payload,
    new_journal_payload,
    notice_body,
    noticed,
    record_done,
    redundant_notices,
    remaining_steps,
)


def new_journal(epic: int, ejected: int, descendants, now: str):
    """A journal as the walk reads it back once posted (comment 99)."""
    return journal_from_payload(new_journal_payload(epic, ejected, descendants, now), 99, epic)


def test_a_fresh_walk_labels_then_comments_every_descendant() -> None:
    journal = new_journal(1, 4, [7, 6], "2026-01-01T00:00:00Z")
    plan = remaining_steps(journal, {6: DescendantFacts(), 7: DescendantFacts()})
    assert plan == [(6, ["label", "comment"]), (7, ["label", "comment"])]


def test_a_notice_posted_before_a_crash_is_not_posted_again() -> None:
    journal = new_journal(1, 4, [6, 7], "t")
    facts = {
        6: DescendantFacts((block_label(4),), noticed=True),  # done, journal never recorded it
        7: DescendantFacts((block_label(4),), noticed=False),  # crashed between label and notice
    }
    assert remaining_steps(journal, facts) == [(7, ["comment"])]


def test_a_deleted_descendant_has_nothing_left_to_do() -> None:
    assert remaining_steps(new_journal(1, 4, [6], "t"), {}) == []


def test_the_notice_is_recognised_only_for_its_own_epic_and_ejection() -> None:
    body = notice_body(1, 4)
    assert "blocked-by:#4" in body
    assert noticed([body], 1, 4)
    assert not noticed([body], 1, 5)
    assert not noticed([body], 2, 4)


def test_journals_written_by_the_seeds_resume() -> None:
    seed = {"ejected": "4", "descendants": ["6", "7"], "labelled": ["6"], "started_at": "t"}
    journal = journal_from_payload(seed, comment_id=99, epic=1)
    assert (journal.epic, journal.ejected, journal.descendants, journal.labelled) == (
        1,
        4,
        (6, 7),
        (6,),
    )


def test_progress_is_recorded_and_unknown_fields_survive() -> None:
    journal = journal_from_payload({"ejected": 4, "descendants": [6], "note": "x"}, 99, 1)
    payload = record_done(journal, 6, "later").payload()
    assert payload["labelled"] == [6] and payload["commented"] == [6]
    assert payload["note"] == "x" and payload["updated_at"] == "later"


@given(
    st.sets(st.integers(2, 60), min_size=1, max_size=20),
    st.data(),
)
def test_after_doing_the_plan_nothing_is_left(descendants: set[int], data: st.DataObject) -> None:
    journal = new_journal(1, 1, descendants, "t")
    facts = {
        n: DescendantFacts(
            (block_label(1),) if data.draw(st.booleans()) else (), data.draw(st.booleans())
        )
        for n in descendants
    }
    for number, steps in remaining_steps(journal, facts):
        labels = facts[number].labels + ((block_label(1),) if "label" in steps else ())
        facts[number] = DescendantFacts(labels, facts[number].noticed or "comment" in steps)
        assert steps == [s for s in ("label", "comment") if s in steps]  # label first
    assert remaining_steps(journal, facts) == []


def test_racing_notices_keep_the_oldest_and_only_our_own_are_deleted() -> None:
    notice = notice_body(1, 4)
    comments = [
        NoticeComment(30, "bot", notice),
        NoticeComment(10, "other", notice),  # oldest, another account's: stays
        NoticeComment(20, "bot", notice),
        NoticeComment(15, "bot", "unrelated"),
        NoticeComment(25, "bot", notice_body(1, 9)),  # another ejection's notice
    ]
    assert redundant_notices(comments, "bot", 1, 4) == [20, 30]
    assert redundant_notices(comments, "other", 1, 4) == []
    assert redundant_notices([comments[0], comments[2]], "bot", 1, 4) == [30]


@given(
    st.lists(st.integers(1, 10_000), min_size=1, max_size=8, unique=True),
    st.lists(st.sets(st.integers(0, 7)), min_size=1, max_size=8),
)
def test_any_number_of_racing_runs_converge_on_the_oldest_notice(
    ids: list[int], views: list[set[int]]
) -> None:
    """Each run deletes from what it can see; afterwards one full re-read leaves one notice."""
    alive = set(ids)
    for view in views:  # a run seeing only part of the comments (visibility lag)
        seen = [NoticeComment(i, "bot", notice_body(1, 4)) for i in alive if ids.index(i) in view]
        alive -= set(redundant_notices(seen, "bot", 1, 4))
    assert min(ids) in alive  # nobody ever deletes the oldest notice
    everyone = [NoticeComment(i, "bot", notice_body(1, 4)) for i in alive]
    alive -= set(redundant_notices(everyone, "bot", 1, 4))
    assert alive == {min(ids)}


# ---- malformed journals from trusted authors: one reading, a warning, never a crash ----


def _journal_comment(payload: dict):
    from maverick_ext.core.markers import render_comment
    from maverick_ext.github.models import Comment

    return Comment(
        id=9,
        body=render_comment([("bprop", payload)]),
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
        author="owner",
        author_association="OWNER",
    )


def test_whole_floats_in_a_journal_are_the_numbers_they_spell() -> None:
    from maverick_ext.core.trust import TrustPolicy, issue_markers

    payload = {"epic": 1, "ejected": 3.0, "descendants": [4.0, "#5", "6"]}
    parsed = issue_markers([_journal_comment(payload)], TrustPolicy())
    assert parsed.warnings == []
    journal = journal_from_payload(parsed.markers[0].payload, 9, 1)
    assert (journal.ejected, journal.descendants) == (3, (4, 5, 6))


def test_a_journal_naming_no_issue_is_skipped_with_a_warning() -> None:
    import pytest

    from maverick_ext.core.trust import TrustPolicy, issue_markers
    from maverick_ext.errors import InvalidData

    for payload in (
        {"ejected": 3, "descendants": [-1]},  # would send issueOrPullRequest(number: -1)
        {"ejected": 3.5, "descendants": [4]},
        {"ejected": "#abc", "descendants": [4]},
    ):
        parsed = issue_markers([_journal_comment(payload)], TrustPolicy())
        assert parsed.markers == [] and "not an issue number" in str(parsed.warnings[0])
        with pytest.raises(InvalidData):
            journal_from_payload(payload, 9, 1)


def test_an_app_deletes_its_own_redundant_notice_under_graphqls_spelling() -> None:
    notice = notice_body(1, 4)
    comments = [
        NoticeComment(10, "maverick-app", notice),
        NoticeComment(20, "maverick-app", notice),
    ]
    assert redundant_notices(comments, "maverick-app[bot]", 1, 4) == [20]
