"""The labels Maverick reads and writes on GitHub (the seeds' names, kept as they are).

GitHub facts this module is the one home for (docs/github-facts.md):

* label names match case-insensitively (``Needs-Human`` is ``needs-human``): every
  comparison goes through ``label_key``;
* a label name is at most 50 characters (longer ones are refused with 422):
  ``merged_label`` shortens ``merged-to-<branch>`` stably when the branch is long.

Malformed ``blocked-by:#…`` labels (``#``, ``#abc``, ``#-3``, ``#²``, ``#0``) are blocks
too, everywhere (claim refuses with 10, ``epic next`` never offers the story, the status is
``blocked``): a person wrote "blocked", and guessing otherwise would start work they meant
to stop. They name no upstream story, so they never reach a GitHub query.
"""

from __future__ import annotations

from collections.abc import Iterable

from maverick_ext.core.refs import issue_number

CLAIM_LABEL = "claude-in-progress"
NEEDS_HUMAN_LABEL = "needs-human"
BLOCK_LABEL_PREFIX = "blocked-by:#"
MERGED_LABEL_PREFIX = "merged-to-"
MAX_LABEL_CHARS = 50
# A shortened merged-to label: prefix, the branch's first characters, "~", 8 hex digits of
# SHA-256(branch). "~" cannot occur in a git branch name, so no short name collides with it.
_SHORT_HASH_CHARS = 8

# (name, colour, description) of what `gh maverick init` creates; blocked-by:#N and
# merged-to-<branch> labels are created by GitHub when first applied.
STANDARD_LABELS = (
    (CLAIM_LABEL, "fbca04", "Claimed by a Maverick instance (see its claim comment)"),
    (NEEDS_HUMAN_LABEL, "b60205", "A Maverick instance needs a human decision here"),
)


def label_key(name: str) -> str:
    """How GitHub compares label names: without regard to letter case."""
    return name.casefold()


def has_label(labels: Iterable[str], name: str) -> bool:
    key = label_key(name)
    return any(label_key(label) == key for label in labels)


def merged_label(branch: str) -> str:
    """``merged-to-<branch>``, shortened to GitHub's 50 characters when it would not fit.

    Stable: the same branch always gives the same label, and two long branches sharing a
    prefix still differ by their hash.
    """
    full = f"{MERGED_LABEL_PREFIX}{branch}"
    if len(full) <= MAX_LABEL_CHARS:
        return full
    import hashlib  # here: only a long branch needs it, and every command reads labels

    digest = hashlib.sha256(branch.encode("utf-8")).hexdigest()[:_SHORT_HASH_CHARS]
    keep = MAX_LABEL_CHARS - len(MERGED_LABEL_PREFIX) - 1 - _SHORT_HASH_CHARS
    return f"{MERGED_LABEL_PREFIX}{branch[:keep]}~{digest}"


def merged_labels(labels: Iterable[str]) -> list[str]:
    return [label for label in labels if label_key(label).startswith(MERGED_LABEL_PREFIX)]


def block_labels(labels: Iterable[str]) -> list[str]:
    """The ``blocked-by:#…`` labels among ``labels`` (well-formed or not), sorted."""
    return sorted(label for label in labels if label_key(label).startswith(BLOCK_LABEL_PREFIX))


def block_number(label: str) -> int | None:
    """The upstream story a block label names; None when it names none (malformed)."""
    raw = label[len(BLOCK_LABEL_PREFIX) :]
    return issue_number(raw) if raw[:1].isdigit() else None  # "#" is part of the prefix


def blocked_by(labels: Iterable[str]) -> list[int]:
    """The upstream stories those labels name (malformed block labels name none)."""
    numbers = (block_number(label) for label in block_labels(labels))
    return sorted({n for n in numbers if n is not None})


def malformed_block_labels(labels: Iterable[str]) -> list[str]:
    """Block labels naming no story: still blocks, worth a warning to whoever reads them."""
    return [label for label in block_labels(labels) if block_number(label) is None]
