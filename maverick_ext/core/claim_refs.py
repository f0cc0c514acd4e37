"""Ownership on git refs: the claim record in a commit, and who holds an issue (pure).

Each claimed issue has ``refs/maverick/claims/<issue>`` pointing at a commit (empty tree)
whose message is the claim record. GitHub moves a ref only by compare-and-swap and only for
accounts with write access, so the record at the tip *is* the owner; the claim comment it
belongs to is what people read and the lease clock (its ``updated_at`` on GitHub's clock).

Lease basis = the later of the commit's committer date (GitHub stamps it) and the bound
comment's ``updated_at``; a claimer that crashed before posting its comment still expires.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from maverick_ext.core.claims import DEFAULT_TTL_S, MAX_TTL_S, ClaimRecord, ClaimView
from maverick_ext.core.markers import parse_body
from maverick_ext.core.payloads import iso, parse_iso
from maverick_ext.core.trust import same_account
from maverick_ext.records import dataclass, field

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
ZERO_OID = "0" * 40
RECORD_FENCE = "maverick-claim-record"
RECORD_VERSION = 1

Mode = Literal["ref", "comment"]
_RECORD_BLOCK = re.compile(
    rf"^```{RECORD_FENCE}[ \t]*\n(?P<json>.*?)\n```[ \t]*$", re.MULTILINE | re.DOTALL
)


@dataclass(frozen=True)
class RefRecord:
    """The claim record a claim commit carries."""

    issue: int
    instance_id: str
    login: str  # the account that moved the ref: only its comment can be the lease clock
    nonce: str
    epoch: int
    ttl_s: int
    host: str | None = None
    scope: tuple[str, ...] = ()
    # A takeover's record names the claim comment of the record it supersedes (the new
    # record's own comment is found by nonce: it is posted after the ref moved).
    comment_id: int | None = None
    supersedes: str | None = None  # the commit oid this one took over from
    # "released": the claim ended here (over REST a release moves the ref on to such a
    # commit, since a REST delete is no compare-and-swap); the next claim builds on it.
    state: Literal["active", "released"] = "active"
    reason: str | None = None

    @property
    def released(self) -> bool:
        return self.state == "released"

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "v": RECORD_VERSION,
            "issue": self.issue,
            "instance_id": self.instance_id,
            "login": self.login,
            "nonce": self.nonce,
            "epoch": self.epoch,
            "ttl_s": self.ttl_s,
            "host": self.host,
            "scope": list(self.scope),
            "comment_id": self.comment_id,
            "supersedes": self.supersedes,
            "state": "released" if self.released else None,
            "reason": self.reason,
        }
        return {k: v for k, v in payload.items() if v is not None}


def render_record(record: RefRecord) -> str:
    """The commit message: a headline for `git log`, then the record as a JSON fence."""
    body = json.dumps(record.to_payload(), sort_keys=True)
    verb = "release" if record.released else "claim"
    return (
        f"maverick {verb} #{record.issue} epoch {record.epoch} by {record.instance_id}\n\n"
        f"```{RECORD_FENCE}\n{body}\n```\n"
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_record(message: str | None) -> RefRecord | None:
    """The record in a commit message, or None for anything else (never raises)."""
    match = _RECORD_BLOCK.search(message or "")
    if match is None:
        return None
    try:
        data = json.loads(match["json"])
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    issue, epoch, ttl = _int(data.get("issue")), _int(data.get("epoch")), _int(data.get("ttl_s"))
    instance, login, nonce = data.get("instance_id"), data.get("login"), data.get("nonce")
    if (
        issue is None
        or epoch is None
        or epoch < 1
        or ttl is None
        or ttl < 1
        or not all(isinstance(v, str) and v for v in (instance, login, nonce))
    ):
        return None
    scope = data.get("scope")
    host, supersedes, reason = data.get("host"), data.get("supersedes"), data.get("reason")
    return RefRecord(
        issue=issue,
        instance_id=str(instance),
        login=str(login),
        nonce=str(nonce),
        epoch=epoch,
        ttl_s=min(ttl, MAX_TTL_S),
        host=host if isinstance(host, str) else None,
        scope=tuple(str(s) for s in scope) if isinstance(scope, list) else (),
        comment_id=_int(data.get("comment_id")),
        supersedes=supersedes if isinstance(supersedes, str) else None,
        state="released" if data.get("state") == "released" else "active",
        reason=reason if isinstance(reason, str) else None,
    )


@dataclass(frozen=True)
class RefTip:
    """What a claim ref points at, as one read saw it."""

    oid: str
    message: str
    committed_at: datetime | None


class RecordComment(Protocol):
    """What the ref readers need of a comment (github.models.Comment provides it)."""

    id: int
    body: str
    author: str | None
    created_at: str
    updated_at: str
    node_id: str | None


@dataclass(frozen=True)
class BoundComment:
    """The claim comment a record belongs to: same account, same nonce."""

    comment_id: int
    node_id: str | None
    updated_at: datetime | None
    claim: Mapping[str, Any]
    lease: Mapping[str, Any] | None
    released: bool
    # The seeds' lease write replaced our body with a lease fence only; ``claim`` is then
    # rebuilt from the ref's record and the next heartbeat writes the whole body back.
    overwritten: bool = False


def bound_comment(record: RefRecord, comments: Iterable[RecordComment]) -> BoundComment | None:
    """The earliest comment by the record's account whose claim fence carries its nonce."""
    for comment in sorted(comments, key=lambda c: c.id):
        if not same_account(comment.author, record.login) or record.nonce not in comment.body:
            continue
        markers = {m.kind: m for m in parse_body(comment.body, comment.id).markers}
        claim = markers.get("claim")
        if claim is None or claim.payload.get("nonce") != record.nonce:
            continue
        lease = markers.get("lease")
        return BoundComment(
            comment.id,
            comment.node_id,
            parse_iso(comment.updated_at),
            dict(claim.payload),
            dict(lease.payload) if lease else None,
            claim.payload.get("state") == "released",
        )
    return None


@dataclass(frozen=True)
class RefHold:
    """Who the ref says holds an issue at ``server_time``."""

    tip: RefTip | None
    record: RefRecord | None  # None: no ref, or a tip that is not a claim record
    comment: BoundComment | None
    expires_at: datetime | None
    live: bool
    # The highest epoch seen (tip and every ref-mode comment): a new claim takes this + 1.
    epoch_floor: int = 0

    @property
    def oid(self) -> str | None:
        return self.tip.oid if self.tip else None

    def next_epoch(self) -> int:
        return self.epoch_floor + 1

    def held_by(self, instance_id: str) -> bool:
        return self.live and self.record is not None and self.record.instance_id == instance_id


def overwritten_comment(
    record: RefRecord, tip: RefTip, comments: Iterable[RecordComment]
) -> BoundComment | None:
    """Our claim comment after the seeds' lease write rewrote it (maverick-harness 5.1.1
    upserts the latest comment with a lease fence, whoever wrote it): the earliest comment
    by the record's account, created no earlier than the claim commit, that now holds a
    lease fence and nothing else. The seeds never post such a comment while one with a
    lease fence exists (their release comment carries ``released_at``), so it is ours.

    Its ``updated_at`` renews our lease only when the rewritten lease names our instance
    (the same agent's old heartbeat daemon): another instance's write is its own claim (a
    takeover or a racing claim), and must not keep a dead holder of ours alive."""
    since = tip.committed_at
    for comment in sorted(comments, key=lambda c: c.id):
        created = parse_iso(comment.created_at)
        if (
            not same_account(comment.author, record.login)
            or created is None
            or (since is not None and created < since)
        ):
            continue
        markers = {m.kind: m for m in parse_body(comment.body, comment.id).markers}
        lease = markers.get("lease")
        if set(markers) != {"lease"} or lease is None or lease.payload.get("released_at"):
            continue
        claim, _ = ref_claim_payloads(record, tip.oid, since or created)
        ours = lease.payload.get("instance_id") == record.instance_id
        return BoundComment(
            comment.id, comment.node_id, parse_iso(comment.updated_at) if ours else None,
            claim, dict(lease.payload), released=False, overwritten=True,
        )  # fmt: skip
    return None


def ref_hold(
    tip: RefTip | None, comments: Sequence[RecordComment], server_time: datetime, default_ttl: int
) -> RefHold:
    record = parse_record(tip.message) if tip else None
    floor = max([record.epoch if record else 0, *_comment_epochs(comments)])
    if tip is None:
        return RefHold(None, None, None, None, False, floor)
    comment = (
        (bound_comment(record, comments) or overwritten_comment(record, tip, comments))
        if record
        else None
    )
    bases = [b for b in (tip.committed_at, comment.updated_at if comment else None) if b]
    ttl = record.ttl_s if record else default_ttl
    expires = max(bases) + timedelta(seconds=ttl) if bases else None
    live = expires is not None and expires > server_time and not (record and record.released)
    return RefHold(tip, record, comment, expires, live, floor)


def _comment_epochs(comments: Iterable[RecordComment]) -> list[int]:
    """Epochs named by ref-mode claim comments: a deleted ref's epochs still count."""
    epochs = []
    for comment in comments:
        if RECORD_FENCE not in comment.body and '"epoch"' not in comment.body:
            continue
        for marker in parse_body(comment.body, comment.id).markers:
            value = _int(marker.payload.get("epoch")) if marker.kind == "claim" else None
            if value is not None and 0 < value < 2**53:
                epochs.append(value)
    return epochs


def foreign_records(view: ClaimView) -> list[ClaimRecord]:
    """Comment-only claims (the seeds', or comment-mode instances): they still block."""
    return [r for r in view.records if r.claim_payload.get("mode") != "ref"]


def ref_mode_view(
    comment_view: ClaimView, tip: RefTip | None, comments: Sequence[RecordComment]
) -> tuple[ClaimView, RefHold]:
    """What the claim ref at ``tip`` says, over the issue's comment records: the ref's
    holder decides; comment-only (seed-format) claims still block. Shared by `read`/`claim`
    (services.claims) and the epic commands, which select the refs in their own snapshot."""
    now = comment_view.server_time
    hold = ref_hold(tip, comments, now, DEFAULT_TTL_S)
    foreign = foreign_records(comment_view)
    ref_record = _ref_claim_record(hold, now)
    # Ended ref-mode claims (newest first): each one's comment, marked released, says by
    # whom, when and why (the latest is also the ref's released record, listed once).
    ended = sorted(
        (
            r
            for r in comment_view.records
            if r.claim_payload.get("mode") == "ref"
            and r.state != "active"
            and r.comment_id != (ref_record.comment_id if ref_record else None)
        ),
        key=lambda r: -r.comment_id,
    )
    records = [*([ref_record] if ref_record else []), *ended, *foreign]
    live_foreign = min(
        (r for r in foreign if r.state == "active"), key=lambda r: r.comment_id, default=None
    )
    holder = ref_record if ref_record and ref_record.state == "active" else live_foreign
    stale = ref_record if ref_record and ref_record.state == "stale" else None
    if stale is None and holder is None:
        stale = next((r for r in foreign if r.state == "stale"), None)
    return ClaimView(now, records, holder, None if holder else stale), hold


def _ref_claim_record(hold: RefHold, now: datetime) -> ClaimRecord | None:
    record = hold.record
    if hold.tip is None or record is None:
        return None
    comment = hold.comment
    return ClaimRecord(
        comment_id=comment.comment_id if comment else (record.comment_id or 0),
        instance_id=record.instance_id,
        host=record.host,
        state="released" if record.released else "active" if hold.live else "stale",
        reason=record.reason,
        claimed_at=hold.tip.committed_at,
        expires_at=hold.expires_at,
        heartbeat_at=(comment.updated_at if comment else None) or hold.tip.committed_at,
        ttl_s=record.ttl_s,
        format="ref",
        scope=record.scope,
        nonce=record.nonce,
        claim_payload=dict(comment.claim) if comment else {"instance_id": record.instance_id},
        lease_payload=dict(comment.lease) if comment and comment.lease else None,
        supersedes=record.comment_id if record.supersedes else None,
        epoch=record.epoch,
        commit=hold.tip.oid,
    )


def seeds_ahead(
    view: ClaimView, listed: Sequence[int], instance_id: str, ours: int | None
) -> ClaimRecord | None:
    """A live comment-only claim of another instance that the seeds' reader puts ahead of
    ours, or None. Their reader names the holder by the *latest* claim fence in the listing
    (maverick-harness 5.1.1, docs/claims.md "Mixed fleets"), so such a claimer believes it
    holds the issue while our ref says we do: one of us must stop, and only we can tell.

    ``listed`` is the issue's comment ids in listing order; ``ours`` our claim comment's id
    (a heartbeat: only claims listed after it count, an earlier one's own heartbeat fails),
    or None right after claiming: then any live one counts, since none was live when we
    read (it would have refused us) and we cannot know whether its race check passed.
    """
    position = {comment_id: index for index, comment_id in enumerate(listed)}
    after = -1 if ours is None else position.get(ours, len(listed))
    rivals = [
        r
        for r in foreign_records(view)
        if r.state == "active"
        and r.instance_id != instance_id
        and position.get(r.comment_id, -1) > after
    ]
    return max(rivals, key=lambda r: position[r.comment_id], default=None)


def ref_claim_payloads(
    record: RefRecord, oid: str, server_time: datetime, reason: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The claim and lease fences of the comment for ``record`` (seed readers see both)."""
    claim: dict[str, Any] = {
        "instance_id": record.instance_id,
        "host": record.host,
        "scope": list(record.scope) or [str(record.issue)],
        "claimed_at": iso(server_time),
        "nonce": record.nonce,
        "state": "active",
        "ttl_s": record.ttl_s,
        "mode": "ref",
        "epoch": record.epoch,
        "commit": oid,
    }
    if record.supersedes:
        claim["takeover_of"] = record.supersedes  # the commit taken over
    if record.comment_id is not None:
        claim["supersedes"] = record.comment_id  # and its comment, for seed-format readers
    if reason:
        claim["reason"] = reason
    lease = {
        "instance_id": record.instance_id,
        "heartbeat_at": iso(server_time),
        "expires_at": iso(server_time + timedelta(seconds=record.ttl_s)),
    }
    return {k: v for k, v in claim.items() if v is not None}, lease


@dataclass(frozen=True)
class RefEntry:
    """What a ref-mode claim may do before writing anything."""

    outcome: Literal["blocked", "held_live", "held_stale", "mine", "free"]
    instance_id: str | None = None
    detail: str = ""
    blocks: tuple[str, ...] = ()
    # The oid to compare-and-swap from (None: the ref must not exist).
    before: str | None = None
    takes_over: bool = False
    foreign: ClaimRecord | None = field(default=None, compare=False)


def ref_entry(
    blocks: Sequence[str],
    hold: RefHold,
    view: ClaimView,
    instance_id: str,
    takeover: bool,
) -> RefEntry:
    """blocked 10, held live 11, stale 12 (unless taking over), already mine, or free."""
    if blocks:
        return RefEntry("blocked", blocks=tuple(blocks))
    if hold.held_by(instance_id):
        return RefEntry("mine", instance_id, before=hold.oid)
    rival = hold.record.instance_id if hold.record else None
    if hold.live:
        return RefEntry("held_live", rival or "an unreadable claim record", before=hold.oid)
    foreign = [r for r in foreign_records(view) if r.instance_id != instance_id]
    live_foreign = next((r for r in foreign if r.state == "active"), None)
    if live_foreign is not None:
        return RefEntry(
            "held_live", live_foreign.instance_id, "comment-only claim", foreign=live_foreign
        )
    stale_foreign = next((r for r in foreign if r.state == "stale"), None)
    stale_rival = hold.tip is not None and not _released_by(hold, instance_id)
    if (stale_rival or stale_foreign) and not takeover:
        who = rival if stale_rival else stale_foreign.instance_id  # type: ignore[union-attr]
        return RefEntry("held_stale", who, before=hold.oid, foreign=stale_foreign)
    ended = hold.record is not None and hold.record.released
    return RefEntry(
        "free", before=hold.oid,
        takes_over=(hold.tip is not None and not ended) or stale_foreign is not None,
        foreign=stale_foreign,
    )  # fmt: skip


def _released_by(hold: RefHold, instance_id: str) -> bool:
    """A stale tip of our own (a restarted agent) or one whose comment says released."""
    if hold.record is None:
        return False
    own = hold.record.instance_id == instance_id
    return own or hold.record.released or (hold.comment is not None and hold.comment.released)
