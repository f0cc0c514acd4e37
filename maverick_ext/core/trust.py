"""Whose markers count: only trusted authors can change coordination state.

Anyone can comment on a public issue; a pasted ``maverick-claim`` from a stranger must not
lock an issue or win a race. Trusted: the authenticated user, repository owners, members and
collaborators (GitHub's ``author_association``), and configured bot logins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol

from maverick_ext.core.markers import Marker, MarkerWarning, ParsedBody, parse_body
from maverick_ext.core.payloads import validate

TRUSTED_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})


class CommentLike(Protocol):
    id: int
    body: str
    author: str | None
    author_association: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class TrustPolicy:
    viewer: str | None = None
    bots: frozenset[str] = field(default_factory=frozenset)

    def trusts(self, login: str | None, association: str | None) -> bool:
        if login is None:
            return False  # deleted ("ghost") accounts cannot vouch for anything
        if login == self.viewer or login in self.bots:
            return True
        return (association or "").upper() in TRUSTED_ASSOCIATIONS


def issue_markers(comments: Iterable[CommentLike], policy: TrustPolicy) -> ParsedBody:
    """All valid markers from trusted authors, oldest comment first, with warnings.

    Untrusted authors' markers are ignored silently, valid or not: a warning per pasted
    marker would let strangers spam every reader's stderr.
    """
    markers: list[Marker] = []
    warnings: list[MarkerWarning] = []
    for comment in sorted(comments, key=lambda c: c.id):
        parsed = parse_body(comment.body, comment.id)
        trusted = policy.trusts(comment.author, comment.author_association)
        if trusted:
            warnings.extend(parsed.warnings)
        for marker in parsed.markers:
            if not trusted:
                continue
            typed = validate(marker.kind, marker.payload)
            if isinstance(typed, str):
                warnings.append(
                    MarkerWarning(marker.kind, f"invalid payload ({typed})", comment.id)
                )
                continue
            markers.append(
                replace(
                    marker,
                    author=comment.author,
                    created_at=comment.created_at,
                    updated_at=comment.updated_at,
                    typed=typed,
                )
            )
    return ParsedBody(markers, warnings)
