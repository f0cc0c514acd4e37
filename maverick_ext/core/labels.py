"""The labels Maverick reads and writes on GitHub (the seeds' names, kept as they are)."""

from __future__ import annotations

from collections.abc import Iterable

CLAIM_LABEL = "claude-in-progress"
NEEDS_HUMAN_LABEL = "needs-human"
BLOCK_LABEL_PREFIX = "blocked-by:#"
MERGED_LABEL_PREFIX = "merged-to-"

# (name, colour, description) of what `gh maverick init` creates; blocked-by:#N and
# merged-to-<branch> labels are created by GitHub when first applied.
STANDARD_LABELS = (
    (CLAIM_LABEL, "fbca04", "Claimed by a Maverick instance (see its claim comment)"),
    (NEEDS_HUMAN_LABEL, "b60205", "A Maverick instance needs a human decision here"),
)


def block_labels(labels: Iterable[str]) -> list[str]:
    """The ``blocked-by:#N`` labels among ``labels``, sorted."""
    return sorted(label for label in labels if label.startswith(BLOCK_LABEL_PREFIX))


def blocked_by(labels: Iterable[str]) -> list[int]:
    """The upstream stories those labels name."""
    return sorted(
        int(label[len(BLOCK_LABEL_PREFIX) :])
        for label in block_labels(labels)
        if label[len(BLOCK_LABEL_PREFIX) :].isdigit()
    )
