"""Where claims are decided: claim records, lease liveness, the race winner, entry checks.

Pure functions over trusted markers (``core.trust.issue_markers``) and GitHub's clock.

Two on-issue formats are understood:

* **ours** — one comment per claim attempt carrying both a ``maverick-claim`` and a
  ``maverick-lease`` fence. Heartbeats edit that comment, so GitHub's ``updated_at`` on it
  (server clock) plus the lease TTL says until when the lease is live. Release edits it too
  (``state: released``); a takeover is a new record naming ``supersedes: <comment id>``.
* **the seeds'** — separate ``maverick-claim`` and ``maverick-lease`` comments; a release
  is a new lease comment with ``released_at``; a takeover is a claim with ``takeover_of``.
  Their ``expires_at`` is on the writer's clock, so we only trust its *duration*
  (``expires_at - heartbeat_at``, one clock) measured from GitHub's ``updated_at``.

Winner: among active records (not released, not superseded, lease live at the read's server
time) the lowest comment id, i.e. GitHub's own order of arrival.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from maverick_ext.core.labels import block_labels
from maverick_ext.core.markers import FENCE, SEED_INVISIBLE_FENCE, render_comment
from maverick_ext.core.payloads import Payload, iso, parse_iso
from maverick_ext.core.trust import TrustedMarker
from maverick_ext.errors import UsageError
from maverick_ext.records import dataclass, field

DEFAULT_TTL_S = 600
# No lease outlives a day without a heartbeat, whatever a marker says: a longer one would
# let a dead agent lock an issue for good (and a huge one overflows the calendar).
MAX_TTL_S = 24 * 3600
RELEASE_REASONS = ("merged", "ejected", "abort", "complete")

RecordState = Literal["active", "released", "superseded", "stale"]
RecordFormat = Literal["combined", "seed", "ref"]
EntryOutcome = Literal["blocked", "held_live", "held_stale", "mine", "free"]
RaceOutcome = Literal["won", "lost", "unseen"]

_DURATION = re.compile(r"^\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>s|m|h|)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_duration(text: str, what: str = "--ttl") -> int:
    """``90s``, ``10m``, ``1h`` or plain seconds -> whole seconds (at least 1)."""
    match = _DURATION.match(text or "")
    seconds = float(match["value"]) * _UNIT_SECONDS[match["unit"].lower()] if match else 0
    if seconds < 1:
        raise UsageError(
            f"invalid {what} {text!r}: expected a positive duration", "for example 90s, 10m, 1h"
        )
    if seconds > MAX_TTL_S:
        raise UsageError(
            f"invalid {what} {text!r}: at most {MAX_TTL_S // 3600}h",
            "keep leases short and heartbeat instead",
        )
    return int(seconds)


@dataclass(frozen=True)
class ClaimRecord:
    """One claim attempt on an issue and what it amounts to at the time of a read."""

    comment_id: int
    instance_id: str
    host: str | None
    state: RecordState
    claimed_at: datetime | None
    # When the lease runs out, on GitHub's clock (comment ``updated_at`` + TTL).
    expires_at: datetime | None
    heartbeat_at: datetime | None
    ttl_s: int
    format: RecordFormat
    scope: tuple[str, ...] = ()
    nonce: str | None = None
    supersedes: int | None = None
    reason: str | None = None
    # The payloads as written, so edits in place keep fields other implementations added.
    claim_payload: Mapping[str, Any] = field(default_factory=dict, compare=False)
    lease_payload: Mapping[str, Any] | None = field(default=None, compare=False)
    # Ref mode: the per-issue epoch (only grows) and the claim commit at the ref's tip.
    epoch: int | None = None
    commit: str | None = None

    @property
    def fencing_token(self) -> int:
        """What pushes and PRs check is still current (docs/git.md): the ref's epoch, or in
        comment mode the claim comment's id."""
        return self.epoch if self.epoch is not None else self.comment_id

    def seconds_left(self, server_time: datetime) -> int:
        if self.expires_at is None or self.state != "active":
            return 0
        return max(0, int((self.expires_at - server_time).total_seconds()))

    def to_json(self, server_time: datetime) -> dict[str, Any]:
        return {
            "comment_id": self.comment_id,
            "fencing_token": self.fencing_token,
            "instance_id": self.instance_id,
            "host": self.host,
            "state": self.state,
            "format": self.format,
            "scope": list(self.scope),
            "claimed_at": _iso_or_none(self.claimed_at),
            "heartbeat_at": _iso_or_none(self.heartbeat_at),
            "expires_at": _iso_or_none(self.expires_at),
            "seconds_left": self.seconds_left(server_time),
            "ttl_s": self.ttl_s,
            "supersedes": self.supersedes,
            "reason": self.reason,
            "released_at": self.claim_payload.get("released_at")
            if self.state == "released"
            else None,
            "epoch": self.epoch,
            "commit": self.commit,
        }


@dataclass(frozen=True)
class ClaimView:
    """Every claim record of one issue, and who (if anyone) holds it, at ``server_time``."""

    server_time: datetime
    records: list[ClaimRecord]
    holder: ClaimRecord | None
    # The record a plain claim would have to take over (only when nobody live holds it).
    stale_holder: ClaimRecord | None

    def record(self, comment_id: int) -> ClaimRecord | None:
        return next((r for r in self.records if r.comment_id == comment_id), None)

    def mine(self, instance_id: str) -> list[ClaimRecord]:
        return [r for r in self.records if r.instance_id == instance_id]

    def active_others(self, instance_id: str) -> list[ClaimRecord]:
        return [r for r in self.records if r.state == "active" and r.instance_id != instance_id]


def _iso_or_none(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def _positive_seconds(later: Any, earlier: Any) -> int | None:
    end, start = parse_iso(later), parse_iso(earlier)
    if end is None or start is None or end <= start:
        return None
    return int((end - start).total_seconds())


def _ttl(declared: int | None, lease: Payload | None) -> int:
    """The lease length the writer intended; a duration is clock-independent."""
    if declared is not None and declared > 0:
        return min(declared, MAX_TTL_S)
    if lease is not None:
        duration = _positive_seconds(lease.expires_at, lease.heartbeat_at)
        if duration:
            return min(duration, MAX_TTL_S)
    return DEFAULT_TTL_S


@dataclass
class _Draft:
    """A record before its state is known (supersession needs all records)."""

    marker: TrustedMarker
    lease: TrustedMarker | None
    format: RecordFormat
    released: bool
    basis: datetime | None  # GitHub's time of the last heartbeat
    ttl_s: int
    supersedes: int | None = None
    takeover_of: str | None = None

    @property
    def comment_id(self) -> int:
        return self.marker.comment_id

    @property
    def instance_id(self) -> str:
        return str(self.marker.typed.instance_id)


def _seed_lease(
    claim: TrustedMarker, leases: Sequence[TrustedMarker]
) -> tuple[bool, TrustedMarker | None]:
    """(released?, the lease that keeps it alive) for a seed-format claim comment."""
    own = [m for m in leases if m.typed.instance_id in (None, claim.typed.instance_id)]
    released = any(m.typed.released_at and m.comment_id > claim.comment_id for m in own)
    live = [m for m in own if not m.typed.released_at]
    latest = max(live, key=lambda m: (m.updated_at, m.comment_id), default=None)
    return released, latest


def _drafts(markers: Iterable[TrustedMarker]) -> list[_Draft]:
    by_comment: dict[int, dict[str, TrustedMarker]] = {}
    for marker in sorted(markers, key=lambda m: m.comment_id):
        by_comment.setdefault(marker.comment_id, {}).setdefault(marker.kind, marker)
    seed_leases = [
        kinds["lease"] for kinds in by_comment.values() if "lease" in kinds and "claim" not in kinds
    ]
    drafts: list[_Draft] = []
    for kinds in by_comment.values():
        claim = kinds.get("claim")
        if claim is None or not claim.typed.instance_id:
            continue
        released = claim.typed.state == "released"
        lease = kinds.get("lease")
        if lease is not None:
            record_format: RecordFormat = "combined"
            released = released or bool(lease.typed.released_at)
            basis = claim.updated_at  # heartbeats edit this very comment
        else:
            record_format = "seed"
            seed_released, lease = _seed_lease(claim, seed_leases)
            released = released or seed_released
            basis = (lease or claim).updated_at
        supersedes = claim.typed.supersedes
        takeover_of = claim.typed.takeover_of
        drafts.append(
            _Draft(
                marker=claim,
                lease=lease,
                format=record_format,
                released=released,
                basis=parse_iso(basis),
                ttl_s=_ttl(claim.typed.ttl_s, lease.typed if lease else None),
                supersedes=supersedes,
                # The seeds name the taken-over instance; ours name the exact comment.
                takeover_of=str(takeover_of) if takeover_of and supersedes is None else None,
            )
        )
    return drafts


def _superseded_ids(drafts: Sequence[_Draft]) -> set[int]:
    """A takeover ends the claims it names for good, whatever happens to the taker later."""
    gone: set[int] = set()
    for taker in drafts:
        for earlier in drafts:
            if earlier.comment_id >= taker.comment_id:
                continue
            if taker.supersedes == earlier.comment_id or (
                taker.takeover_of is not None and taker.takeover_of == earlier.instance_id
            ):
                gone.add(earlier.comment_id)
    return gone


def _record(draft: _Draft, state: RecordState) -> ClaimRecord:
    claim = draft.marker.typed
    expires = draft.basis + timedelta(seconds=draft.ttl_s) if draft.basis else None
    if state == "released":
        expires = draft.basis  # the release edit ended the lease
    return ClaimRecord(
        comment_id=draft.comment_id,
        instance_id=draft.instance_id,
        host=claim.host,
        state=state,
        claimed_at=parse_iso(claim.claimed_at) or parse_iso(draft.marker.created_at),
        expires_at=expires,
        heartbeat_at=draft.basis,
        ttl_s=draft.ttl_s,
        format=draft.format,
        scope=tuple(claim.scope),
        nonce=claim.nonce,
        supersedes=draft.supersedes,
        reason=claim.reason or (draft.lease.typed.reason if draft.lease else None),
        claim_payload=dict(draft.marker.payload),
        lease_payload=dict(draft.lease.payload)
        if draft.lease and draft.format == "combined"
        else None,
    )


def claim_view(markers: Iterable[TrustedMarker], server_time: datetime) -> ClaimView:
    """Derive every claim record's state and the live winner from trusted markers.

    Independent of the order of ``markers``; at most one holder by construction.
    """
    drafts = _drafts(m for m in markers if m.kind in ("claim", "lease"))
    superseded = _superseded_ids(drafts)
    records: list[ClaimRecord] = []
    for draft in drafts:
        state: RecordState
        if draft.released:
            state = "released"
        elif draft.comment_id in superseded:
            state = "superseded"
        elif draft.basis is None or draft.basis + timedelta(seconds=draft.ttl_s) <= server_time:
            state = "stale"
        else:
            state = "active"
        records.append(_record(draft, state))
    holder = min((r for r in records if r.state == "active"), key=_by_id, default=None)
    stale = min((r for r in records if r.state == "stale"), key=_by_id, default=None)
    return ClaimView(server_time, records, holder, None if holder else stale)


def _by_id(record: ClaimRecord) -> int:
    return record.comment_id


# ---- decisions --------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryDecision:
    """What a claim attempt may do before writing anything."""

    outcome: EntryOutcome
    record: ClaimRecord | None = None  # the holder / stale holder concerned
    blocks: tuple[str, ...] = ()
    # A free claim that ends a stale record of this same instance (a restarted agent).
    supersedes: ClaimRecord | None = None


def entry_check(labels: Iterable[str], view: ClaimView, instance_id: str) -> EntryDecision:
    """The seeds' entry check, on our records: blocked 10, live 11, stale 12, self, free."""
    blocks = tuple(block_labels(labels))
    if blocks:
        return EntryDecision("blocked", blocks=blocks)
    if view.holder is not None:
        outcome: EntryOutcome = "mine" if view.holder.instance_id == instance_id else "held_live"
        return EntryDecision(outcome, view.holder)
    stale = view.stale_holder
    if stale is None:
        return EntryDecision("free")
    if stale.instance_id == instance_id:
        return EntryDecision("free", stale, supersedes=stale)
    return EntryDecision("held_stale", stale)


def race_outcome(
    view: ClaimView, my_comment_id: int, instance_id: str, nonce: str | None
) -> RaceOutcome:
    """After the settle window: did our record win, lose, or is it not visible yet?

    A POST that failed ambiguously may have landed after all and been posted again: the
    holder carrying our instance and nonce is this same attempt, so that is a win too.
    """
    holder = view.holder
    same_attempt = (
        holder is not None
        and nonce is not None
        and holder.nonce == nonce
        and holder.instance_id == instance_id
    )
    if holder is not None and (holder.comment_id == my_comment_id or same_attempt):
        return "won"
    return "unseen" if view.record(my_comment_id) is None else "lost"


@dataclass(frozen=True)
class Ownership:
    """Whether ``instance_id`` holds the issue, and if not, a sentence saying why."""

    record: ClaimRecord | None
    reason: str | None = None
    # The instance released its own claim (a heartbeat loop's cue to stop cleanly).
    released_by_self: bool = False

    @property
    def held(self) -> bool:
        return self.record is not None and self.reason is None


def ownership(
    labels: Iterable[str], view: ClaimView, instance_id: str, allow_stale: bool = False
) -> Ownership:
    """Check this instance still holds the claim (heartbeat, release, guard)."""
    mine = view.mine(instance_id)
    latest = max(mine, key=_by_id, default=None)
    holder = view.holder
    blocks = block_labels(labels)
    if holder is not None and holder.instance_id == instance_id:
        if blocks:
            return Ownership(holder, f"the issue is now blocked ({', '.join(blocks)})")
        return Ownership(holder)
    if latest is None:
        return Ownership(None, f"instance {instance_id} has no claim record on this issue")
    if holder is not None and latest.state == "active":
        return Ownership(
            latest,
            f"an earlier claim by {holder.instance_id} (comment {holder.comment_id}) "
            "is live and wins",
        )
    if latest.state == "superseded":
        taker = next((r for r in view.records if r.supersedes == latest.comment_id), None)
        by = f" by {taker.instance_id} (comment {taker.comment_id})" if taker else ""
        return Ownership(latest, f"the claim was taken over{by}")
    if latest.state == "released":
        why = f" ({latest.reason})" if latest.reason else ""
        # A lost race is released too, but that is a loss, not a clean stop.
        by_choice = latest.reason != "lost"
        return Ownership(latest, f"this instance released the claim{why}", by_choice)
    if latest.state == "stale" and allow_stale and view.stale_holder is latest:
        return Ownership(latest)
    expired = _iso_or_none(latest.expires_at) or "?"
    return Ownership(latest, f"the lease expired at {expired} (GitHub time)")


# ---- rendering ----------------------------------------------------------------------------


def new_claim_payloads(
    *,
    instance_id: str,
    host: str | None,
    scope: Sequence[str],
    nonce: str,
    server_time: datetime,
    ttl_s: int,
    supersedes: ClaimRecord | None = None,
    reason: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The claim and lease payloads of a new record (times from GitHub's last answer)."""
    claim: dict[str, Any] = {
        "instance_id": instance_id,
        "host": host,
        "scope": list(scope),
        "claimed_at": iso(server_time),
        "nonce": nonce,
        "state": "active",
        "ttl_s": ttl_s,
    }
    if supersedes is not None:
        claim["supersedes"] = supersedes.comment_id
        claim["takeover_of"] = supersedes.instance_id
    if reason:
        claim["reason"] = reason
    return {k: v for k, v in claim.items() if v is not None}, _lease(
        instance_id, server_time, ttl_s
    )


def _lease(instance_id: str, server_time: datetime, ttl_s: int) -> dict[str, Any]:
    return {
        "instance_id": instance_id,
        "heartbeat_at": iso(server_time),
        "expires_at": iso(server_time + timedelta(seconds=ttl_s)),
    }


def heartbeat_payloads(
    record: ClaimRecord, server_time: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record's payloads with the lease pushed forward from GitHub's current time."""
    lease = {
        **(record.lease_payload or {}),
        **_lease(record.instance_id, server_time, record.ttl_s),
    }
    return dict(record.claim_payload), lease


def released_payloads(
    claim: Mapping[str, Any], lease: Mapping[str, Any], server_time: datetime, reason: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Released in place; ``expires_at`` = now so seed-format readers see no live lease."""
    now = iso(server_time)
    released = {**claim, "state": "released", "released_at": now, "reason": reason}
    ended = {
        **lease,
        "instance_id": claim["instance_id"],
        "heartbeat_at": lease.get("heartbeat_at", now),
        "expires_at": now,
        "released_at": now,
        "reason": reason,
    }
    return released, ended


def record_body(claim: Mapping[str, Any], lease: Mapping[str, Any]) -> str:
    """One comment: a line for humans, then the claim and lease fences.

    A released record is fenced so that the seeds' reader does not see it: to that reader
    the latest claim and lease comments are the holder's, so our race loser's or our own
    ended record would read as a stale holder to claim over (docs/claims.md, Mixed fleets).
    """
    who = f"`{claim['instance_id']}`" + (f" on {claim['host']}" if claim.get("host") else "")
    fence = FENCE
    if claim.get("state") == "released":
        fence = SEED_INVISIBLE_FENCE
        line = f"Released by {who} ({claim.get('reason') or 'no reason'})."
    else:
        takeover = (
            f" Takes over comment {claim['supersedes']} (stale lease)."
            if claim.get("supersedes")
            else ""
        )
        line = (
            f"Claimed by {who}. Lease until {lease.get('expires_at')}; heartbeats edit this "
            f"comment.{takeover}"
        )
    return render_comment(
        [("claim", claim), ("lease", lease)], f"<!-- maverick claim -->\n{line}", fence
    )
