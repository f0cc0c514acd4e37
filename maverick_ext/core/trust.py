"""Whose markers count: only trusted authors can change coordination state.

Anyone can comment on a public issue; a pasted ``maverick-claim`` from a stranger must not
lock an issue or win a race. Trusted: the authenticated user, repository owners, members and
collaborators (GitHub's ``author_association``), and configured bot logins. Markers that are
not claims (DAG, state, bprop journals, task progress) are also honoured from authors whose
association says nothing (private org members show up as CONTRIBUTOR or NONE) once the
collaborator-permission API has confirmed they can write (``writers``).

Logins are compared by ``login_key``: GitHub logins are case-insensitive, and a GitHub App's
account is ``slug[bot]`` as ``viewer.login`` and in REST but ``slug`` as GraphQL
``author.login``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from maverick_ext.core.markers import MarkerWarning, parse_body
from maverick_ext.core.payloads import Payload, validate
from maverick_ext.records import dataclass, field, replace

# GitHub's CommentAuthorAssociation enum (GraphQL) / author_association (REST): all eight.
AUTHOR_ASSOCIATIONS = frozenset(
    {
        "COLLABORATOR",
        "CONTRIBUTOR",
        "FIRST_TIMER",
        "FIRST_TIME_CONTRIBUTOR",
        "MANNEQUIN",
        "MEMBER",
        "NONE",
        "OWNER",
    }
)
TRUSTED_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
# Claims decide who may push: only the association (or viewer/bot) vouches for those.
CLAIM_KINDS = frozenset({"claim", "lease"})
# ``permission`` of GET /repos/{o}/{r}/collaborators/{user}/permission maps maintain to
# write; ``role_name`` keeps it (and names custom roles, which we do not guess about).
WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})
_BOT_SUFFIX = "[bot]"


def login_key(login: str) -> str:
    """The comparable form of a login: case-folded, without an App's ``[bot]`` suffix."""
    key = login.strip().lower()
    return key[: -len(_BOT_SUFFIX)] if key.endswith(_BOT_SUFFIX) else key


def same_account(a: str | None, b: str | None) -> bool:
    """Whether two spellings name one GitHub account (never true for a deleted author)."""
    return a is not None and b is not None and login_key(a) == login_key(b)


def can_write(permission: dict[str, Any]) -> bool:
    """Whether a collaborator-permission answer grants write, maintain or admin."""
    return (
        str(permission.get("permission") or "").lower() in WRITE_PERMISSIONS
        or str(permission.get("role_name") or "").lower() in WRITE_PERMISSIONS
    )


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
    # Logins (any spelling) the permission API confirmed can write to the repository.
    writers: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bots", frozenset(login_key(b) for b in self.bots))
        object.__setattr__(self, "writers", frozenset(login_key(w) for w in self.writers))

    def trusts(self, login: str | None, association: str | None, kind: str = "claim") -> bool:
        """Whether ``login``'s marker of ``kind`` counts (claims by default: the strict rule)."""
        if login is None:
            return False  # deleted ("ghost") accounts cannot vouch for anything
        if same_account(login, self.viewer) or login_key(login) in self.bots:
            return True
        if (association or "").upper() in TRUSTED_ASSOCIATIONS:
            return True
        return kind not in CLAIM_KINDS and login_key(login) in self.writers

    def trusts_for_records(self, login: str | None, association: str | None) -> bool:
        """Whether ``login``'s non-claim markers (DAG, state, journals, progress) count."""
        return self.trusts(login, association, kind="")

    def with_writers(self, logins: Iterable[str]) -> TrustPolicy:
        return replace(self, writers=self.writers | frozenset(logins))


@dataclass(frozen=True)
class TrustedMarker:
    """A marker that counts: a trusted author wrote it, its payload passed its kind's check,
    and the comment carrying it is known, so a writer edits or deletes exactly that one."""

    kind: str
    comment_id: int
    payload: dict[str, Any]  # as written: a rewrite keeps every field another writer added
    typed: Payload  # checked: declared fields normalised, defaults filled in
    author: str | None
    created_at: str
    updated_at: str

    @classmethod
    def check(
        cls,
        kind: str,
        payload: dict[str, Any],
        comment: CommentLike,
    ) -> TrustedMarker | str:
        """The marker of ``kind`` in ``comment``, or why its payload does not fit the kind."""
        typed = validate(kind, payload)
        if isinstance(typed, str):
            return typed
        return cls(
            kind, comment.id, payload, typed, comment.author, comment.created_at, comment.updated_at
        )


@dataclass(frozen=True)
class TrustedMarkers:
    markers: list[TrustedMarker] = field(default_factory=list)
    warnings: list[MarkerWarning] = field(default_factory=list)


def carries_record(body: str) -> bool:
    """Whether a comment holds a marker that is not a claim (DAG, state, journal, progress)."""
    return any(m.kind not in CLAIM_KINDS for m in parse_body(body).markers)


def authors_to_verify(
    comments: Iterable[CommentLike],
    policy: TrustPolicy,
    matters: Callable[[str], bool] = carries_record,
) -> list[str]:
    """Authors of comments that ``matter`` (by default: carry non-claim markers) whom only
    the permission API can vouch for, one spelling per account, in a stable order."""
    unknown: dict[str, str] = {}
    for comment in comments:
        author = comment.author
        if author is None or policy.trusts_for_records(author, comment.author_association):
            continue
        if matters(comment.body):
            unknown.setdefault(login_key(author), author)
    return [unknown[key] for key in sorted(unknown)]


def issue_markers(comments: Iterable[CommentLike], policy: TrustPolicy) -> TrustedMarkers:
    """All valid markers from trusted authors, oldest comment first, with warnings.

    Untrusted authors' markers are ignored silently, valid or not: a warning per pasted
    marker would let strangers spam every reader's stderr.
    """
    markers: list[TrustedMarker] = []
    warnings: list[MarkerWarning] = []
    for comment in sorted(comments, key=lambda c: c.id):
        parsed = parse_body(comment.body, comment.id)
        if policy.trusts_for_records(comment.author, comment.author_association):
            warnings.extend(parsed.warnings)
        for marker in parsed.markers:
            if not policy.trusts(comment.author, comment.author_association, marker.kind):
                continue
            trusted = TrustedMarker.check(marker.kind, marker.payload, comment)
            if isinstance(trusted, str):
                warnings.append(
                    MarkerWarning(marker.kind, f"invalid payload ({trusted})", comment.id)
                )
                continue
            markers.append(trusted)
    return TrustedMarkers(markers, warnings)
