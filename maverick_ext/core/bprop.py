"""Block propagation as pure functions: the journal, the remaining steps, the notice text.

Protocol (``services.bprop`` performs it): write a ``maverick-bprop`` journal on the epic
(one comment per ejected story, so two ejections never share one), then for each
transitive descendant add ``blocked-by:#N`` and post one notice comment, recording progress
in the journal after each story; delete the journal when every descendant is done.

What is already done is read back from GitHub, not trusted from the journal: a label is
there or not, and each notice carries a hidden tag naming the epic and the ejected story.
So a crash between any two calls — even after a notice was posted but before the journal
recorded it — resumes without a second notice. Maverick never removes a block label.

Runs that race for one ejection can each post a notice before seeing the other's. They
converge on one: after its walk a run re-reads the descendants and deletes every notice of
its own account for that ejection except the oldest (lowest comment id) visible. The oldest
notice on GitHub is never deleted — deleting needs an older one in view — so however many
runs race, exactly one notice per descendant remains once each has re-read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from maverick_ext.core.labels import BLOCK_LABEL_PREFIX, has_label
from maverick_ext.core.payloads import Payload, validate
from maverick_ext.core.trust import same_account
from maverick_ext.errors import InvalidData
from maverick_ext.records import dataclass, field

Step = Literal["label", "comment"]
_NOTICE_TAG = "<!-- maverick-bprop-notice epic={epic} ejected={ejected} -->"
_NOTICE_TAG_RE = re.compile(r"<!-- maverick-bprop-notice epic=(\d+) ejected=(\d+) -->")


@dataclass(frozen=True)
class Journal:
    """One ``maverick-bprop`` marker: the walk for one ejected story."""

    comment_id: int
    epic: int
    ejected: int
    descendants: tuple[int, ...]
    labelled: tuple[int, ...] = ()
    commented: tuple[int, ...] = ()
    started_at: str | None = None
    updated_at: str | None = None
    # Fields written by other implementations survive our rewrites.
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def payload(self) -> dict[str, Any]:
        return {
            **self.extra,
            "epic": self.epic,
            "ejected": self.ejected,
            "descendants": list(self.descendants),
            "labelled": list(self.labelled),
            "commented": list(self.commented),
            **({"started_at": self.started_at} if self.started_at else {}),
            **({"updated_at": self.updated_at} if self.updated_at else {}),
        }


@dataclass(frozen=True)
class DescendantFacts:
    labels: tuple[str, ...] = ()
    noticed: bool = False  # our notice for this (epic, ejected) is already on the story


def block_label(ejected: int) -> str:
    return f"{BLOCK_LABEL_PREFIX}{ejected}"


def new_journal_payload(
    epic: int, ejected: int, descendants: Iterable[int], now: str
) -> dict[str, Any]:
    """The journal to post before the walk starts (it becomes a ``Journal`` once posted)."""
    return {
        "epic": epic,
        "ejected": ejected,
        "descendants": sorted(descendants),
        "labelled": [],
        "commented": [],
        "started_at": now,
        "updated_at": now,
    }


def journal_from_payload(payload: Mapping[str, Any], comment_id: int, epic: int) -> Journal:
    """Read a journal written by us or by the seeds (which write numbers as strings).

    Numbers follow ``core.refs.issue_number`` (the ``bprop`` payload check); a journal naming
    something else is InvalidData — readers of trusted markers never get that far, because
    ``core.trust`` already skipped it with a warning.
    """
    typed = validate("bprop", dict(payload))
    if isinstance(typed, str):
        raise InvalidData(f"malformed maverick-bprop journal in comment {comment_id}: {typed}")
    return journal_from_checked(typed, comment_id, epic)


def journal_from_checked(typed: Payload, comment_id: int, epic: int) -> Journal:
    """A journal from a payload that passed the ``bprop`` check (a trusted marker's
    ``typed``): nothing is checked twice."""

    def numbers(values: Iterable[int]) -> tuple[int, ...]:
        return tuple(sorted(set(values)))

    return Journal(
        comment_id=comment_id,
        epic=typed.epic or epic,
        ejected=typed.ejected,
        descendants=numbers(typed.descendants),
        labelled=numbers(typed.labelled),
        commented=numbers(typed.commented),
        started_at=typed.started_at,
        updated_at=typed.updated_at,
        extra=typed.extra,
    )


def notice_body(epic: int, ejected: int) -> str:
    return (
        f"Blocked by #{ejected}: that story was ejected for human review and this story "
        f"depends on it (epic #{epic}). Maverick will not start this story until a person "
        f"resolves #{ejected} and removes the `{block_label(ejected)}` label.\n\n"
        + _NOTICE_TAG.format(epic=epic, ejected=ejected)
    )


def is_notice(body: str) -> bool:
    """Whether a comment is a block notice (of any ejection)."""
    return _NOTICE_TAG_RE.search(body or "") is not None


def noticed(comment_bodies: Iterable[str], epic: int, ejected: int) -> bool:
    """Whether one of these (trusted) comments is our notice for this ejection."""
    wanted = (str(epic), str(ejected))
    return any(
        match.groups() == wanted
        for body in comment_bodies
        for match in _NOTICE_TAG_RE.finditer(body or "")
    )


@dataclass(frozen=True)
class NoticeComment:
    comment_id: int
    author: str | None
    body: str


def redundant_notices(
    comments: Iterable[NoticeComment], viewer: str | None, epic: int, ejected: int
) -> list[int]:
    """The viewer's notices for this ejection that are not the oldest one (to delete)."""
    notices = sorted(
        (c for c in comments if noticed([c.body], epic, ejected)), key=lambda c: c.comment_id
    )
    return [c.comment_id for c in notices[1:] if same_account(c.author, viewer)]


def remaining_steps(
    journal: Journal, facts: Mapping[int, DescendantFacts]
) -> list[tuple[int, list[Step]]]:
    """Per descendant still missing something: what to do, label before notice.

    A descendant GitHub no longer knows (deleted, transferred) has nothing left to do.
    """
    label = block_label(journal.ejected)
    plan: list[tuple[int, list[Step]]] = []
    for number in journal.descendants:
        story = facts.get(number)
        if story is None:
            continue
        steps: list[Step] = []
        if not has_label(story.labels, label):
            steps.append("label")
        if not story.noticed:
            steps.append("comment")
        if steps:
            plan.append((number, steps))
    return plan


def record_done(journal: Journal, number: int, now: str) -> Journal:
    """The journal after ``number`` is labelled and noticed."""
    return Journal(
        journal.comment_id,
        journal.epic,
        journal.ejected,
        journal.descendants,
        tuple(sorted({*journal.labelled, number})),
        tuple(sorted({*journal.commented, number})),
        journal.started_at,
        now,
        journal.extra,
    )
