"""A story's status, derived from facts on the story itself — never stored as the truth.

Facts and the status they mean, in order of precedence (the first that applies wins):

1. ``merged``    — a merged pull request closes the story, or it carries a
                   ``merged-to-<branch>`` label. The seeds apply that label when the PR
                   merges even if the close policy defers closing the issue (open or closed,
                   the code is in). Whatever else the story still carries (a stale claim,
                   an old block) is history.
2. ``closed``    — the story is closed and no merged PR closes it (a person closed it by
                   hand, as completed elsewhere or not planned). Terminal: nobody can claim
                   a closed issue, so ``epic next`` skips it and it counts as done for the
                   stories that depend on it (the person who closed it decided it is not
                   needed before them).
3. ``ejected``   — ``needs-human``: review rejected it and a person must decide. Outranks
                   a block and a claim, because the story itself is the human's queue.
4. ``blocked``   — a ``blocked-by:#N`` label: an upstream story was ejected. Outranks a live
                   claim: the holder must stop and push nothing.
5. ``in_flight`` — a live claim (lease not expired on GitHub's clock).
6. ``pending``   — none of the above.

Because each fact lives on its own story, N instances recording facts on different stories
at once cannot lose each other's updates; the epic's ``maverick-state`` marker is only a
snapshot written from these facts for humans and seed-format readers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from maverick_ext.core.labels import (
    BLOCK_LABEL_PREFIX,
    NEEDS_HUMAN_LABEL,
    blocked_by,
    has_label,
    malformed_block_labels,
    merged_label,
    merged_labels,
)
from maverick_ext.records import dataclass

Status = Literal["pending", "in_flight", "merged", "closed", "ejected", "blocked"]
STATUSES: tuple[Status, ...] = ("pending", "in_flight", "merged", "closed", "ejected", "blocked")
# Nothing more will happen to these by itself: the epic is complete when every story is one.
TERMINAL: frozenset[Status] = frozenset({"merged", "closed"})
# Done for wave progress: terminal, or waiting on a person (the seeds' "merged or ejected").
SETTLED: frozenset[Status] = TERMINAL | {"ejected"}
# A dependency in one of these lets its dependents start.
SATISFIES_DEPENDENCY: frozenset[Status] = TERMINAL
# The stories a person must look at.
HUMAN_QUEUE: frozenset[Status] = frozenset({"ejected", "blocked"})
# These follow from claims alone: accepted by `state set`, explained, never recorded.
FROM_CLAIMS: frozenset[Status] = frozenset({"pending", "in_flight"})


@dataclass(frozen=True)
class StoryFacts:
    """What the story says about itself; ``holder`` is the live claim's instance, if any."""

    labels: tuple[str, ...] = ()
    merged_pr: bool = False
    holder: str | None = None
    closed: bool = False  # the issue itself is closed


@dataclass(frozen=True)
class Derived:
    status: Status
    reason: str  # the fact that decided it, for people reading `state show`


def derive_status(facts: StoryFacts) -> Derived:
    merged = merged_labels(facts.labels)
    if facts.merged_pr:
        return Derived("merged", "a merged pull request closes it")
    if merged:
        return Derived("merged", f"labelled {merged[0]}")
    if facts.closed:
        return Derived("closed", "closed without a merged pull request")
    if has_label(facts.labels, NEEDS_HUMAN_LABEL):
        return Derived("ejected", f"labelled {NEEDS_HUMAN_LABEL}")
    # Malformed block labels block too (core.labels); the reason quotes them as written.
    blocks = [f"#{n}" for n in blocked_by(facts.labels)]
    blocks += [f"{label} (malformed)" for label in malformed_block_labels(facts.labels)]
    if blocks:
        return Derived("blocked", "blocked by " + ", ".join(blocks))
    if facts.holder is not None:
        return Derived("in_flight", f"claimed by {facts.holder}")
    return Derived("pending", "no claim, block, ejection, merge or close")


def is_complete(statuses: Iterable[Status]) -> bool:
    """Every story terminal: the epic has nothing left for agents or people to do."""
    return all(status in TERMINAL for status in statuses)


@dataclass(frozen=True)
class LabelChange:
    """The explicit fact `state set` records on a story."""

    add: str


def fact_for(status: str, *, branch: str | None = None, blocker: int | None = None) -> LabelChange:
    """The label that makes ``status`` true for a story, or why it cannot be set by hand."""
    from maverick_ext.errors import UsageError

    if status == "ejected":
        return LabelChange(NEEDS_HUMAN_LABEL)
    if status == "merged":
        if not branch:
            raise UsageError("merged needs the branch the story merged to", "pass --branch")
        return LabelChange(merged_label(branch))
    if status == "blocked":
        if blocker is None:
            raise UsageError("blocked needs the upstream story", "pass --by N")
        return LabelChange(f"{BLOCK_LABEL_PREFIX}{blocker}")
    if status == "closed":
        raise UsageError(
            "closed is not settable: it follows from the issue being closed",
            "close the story on GitHub (gh issue close N --reason 'not planned')",
        )
    if status in FROM_CLAIMS:
        raise UsageError(
            f"{status} is not settable: it follows from claims",
            "use `gh maverick claim` / `release`; a story with no claim, block, ejection or "
            "merge is pending",
        )
    raise UsageError(f"unknown status {status!r}", f"use one of: {', '.join(STATUSES)}")


def snapshot_payload(epic: int, statuses: Mapping[int, Status], updated_at: str) -> dict[str, Any]:
    """The seeds' ``maverick-state`` shape: ``{"epic", "stories": {"140": "merged"}, ...}``."""
    return {
        "epic": epic,
        "stories": {str(n): statuses[n] for n in sorted(statuses)},
        "updated_at": updated_at,
    }
