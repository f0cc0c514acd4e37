"""The names of the claim refs, ``refs/maverick/claims/N`` (docs/claims.md).

Apart from ``core.claim_refs`` (the records and decisions) so that the GraphQL documents
(``github/documents.py``) can name the refs without importing the claim machinery.
"""

from __future__ import annotations

REF_PREFIX = "refs/maverick/claims/"


def ref_name(issue: int) -> str:
    return f"{REF_PREFIX}{issue}"


def issue_of_ref(name: str) -> int | None:
    """The issue number of a claim ref (``refs/maverick/claims/12`` or ``12``), else None."""
    tail = name.removeprefix(REF_PREFIX)
    return int(tail) if tail.isdecimal() and not tail.startswith("0") else None
