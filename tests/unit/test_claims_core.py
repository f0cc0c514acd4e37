"""The pure claim decisions: records, GitHub-clock liveness, the winner, entry checks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from maverick_ext.core import claims as core
from maverick_ext.core.labels import CLAIM_LABEL
from maverick_ext.core.payloads import iso
from maverick_ext.core.trust import TrustPolicy, issue_markers
from maverick_ext.errors import UsageError
from maverick_ext.github.models import Comment

T0 = datetime(2026, 4, 23, 10, 0, 0, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def fence(kind: str, payload: dict) -> str:
    return f"```maverick-{kind}\n{json.dumps(payload)}\n```"


def comment(cid: int, *blocks: str, updated: float = 0, created: float | None = None) -> Comment:
    created_at = at(updated if created is None else created)
    return Comment(
        id=cid,
        body="\n\n".join(blocks),
        created_at=iso(created_at),
        updated_at=iso(at(updated)),
        author="maverick-sandbox",
        author_association="OWNER",
    )


def ours(
    cid: int,
    instance: str,
    *,
    updated: float = 0,
    ttl: int = 600,
    state: str = "active",
    supersedes: int | None = None,
    written_expiry: float | None = None,
) -> Comment:
    """A record in our format; ``written_expiry`` is what a (possibly skewed) writer wrote."""
    claim = {"instance_id": instance, "host": "h", "scope": ["2"], "state": state, "ttl_s": ttl}
    if supersedes is not None:
        claim["supersedes"] = supersedes
    lease = {"instance_id": instance, "expires_at": iso(at(written_expiry or updated + ttl))}
    if state == "released":
        lease["released_at"] = iso(at(updated))
    return comment(cid, fence("claim", claim), fence("lease", lease), updated=updated)


def view(comments: list[Comment], now: float) -> core.ClaimView:
    markers = issue_markers(comments, TrustPolicy("maverick-sandbox")).markers
    return core.claim_view(markers, at(now))


# ---- durations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("10m", 600), ("1h", 3600), ("45", 45), ("1.5m", 90)]
)
def test_ttl_accepts_seconds_minutes_and_hours(text: str, seconds: int) -> None:
    assert core.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "10x", "0s", "-5m", "m"])
def test_nonsense_ttl_is_a_usage_error_with_an_example(text: str) -> None:
    with pytest.raises(UsageError, match="--ttl") as raised:
        core.parse_duration(text)
    assert "10m" in raised.value.one_line()


# ---- liveness and the winner ----------------------------------------------------------------


def test_a_ttl_over_a_day_is_refused_on_input() -> None:
    with pytest.raises(UsageError, match="at most 24h"):
        core.parse_duration("48h")


def test_no_marker_can_hold_an_issue_for_more_than_a_day_without_a_heartbeat() -> None:
    """A trusted writer's absurd lease is capped: a dead agent cannot lock an issue for good
    (and a lease of 10**30 seconds must not overflow the calendar)."""
    for ttl in (10**30, 7 * 24 * 3600):
        records = view([ours(1, "a", ttl=ttl, written_expiry=3600)], now=3600).records
        assert records[0].expires_at == at(core.MAX_TTL_S)
        assert view([ours(1, "a", ttl=ttl, written_expiry=3600)], now=core.MAX_TTL_S).holder is None


def test_lowest_live_comment_id_holds_the_issue() -> None:
    claims = view([ours(101, "b"), ours(100, "a"), ours(102, "c")], now=5)
    assert claims.holder is not None and claims.holder.instance_id == "a"
    assert claims.holder.fencing_token == 100
    assert [r.state for r in claims.records] == ["active", "active", "active"]


def test_liveness_comes_from_the_comment_updated_at_not_the_written_expiry() -> None:
    # The writer's clock was an hour fast: its expires_at says "live", GitHub's clock says no.
    skewed = ours(100, "a", updated=0, ttl=600, written_expiry=3600 + 600)
    assert view([skewed], now=601).stale_holder is not None
    assert view([skewed], now=601).holder is None
    # A heartbeat is an edit: updated_at moves, the lease is live again.
    assert view([ours(100, "a", updated=500, ttl=600)], now=601).holder is not None


def test_seconds_left_count_down_on_github_time() -> None:
    holder = view([ours(100, "a", updated=0, ttl=600)], now=200).holder
    assert holder is not None and holder.seconds_left(at(200)) == 400
    assert holder.expires_at == at(600)


def test_released_and_superseded_records_never_hold() -> None:
    claims = view(
        [
            ours(100, "a", state="released"),
            ours(101, "b"),
            ours(102, "c", supersedes=101),
        ],
        now=5,
    )
    states = {r.comment_id: r.state for r in claims.records}
    assert states == {100: "released", 101: "superseded", 102: "active"}
    assert claims.holder is not None and claims.holder.comment_id == 102


def test_a_stale_record_is_offered_for_takeover_only_when_nobody_live_holds() -> None:
    stale_only = view([ours(100, "a", updated=0, ttl=60)], now=61)
    assert stale_only.holder is None
    assert stale_only.stale_holder is not None and stale_only.stale_holder.comment_id == 100
    with_live = view([ours(100, "a", updated=0, ttl=60), ours(101, "b", updated=30)], now=61)
    assert with_live.stale_holder is None
    assert with_live.holder is not None and with_live.holder.instance_id == "b"


# ---- the seeds' format (property 7) ------------------------------------------------------


def seed_claim(cid: int, instance: str, created: float = 0, **extra: object) -> Comment:
    payload = {"instance_id": instance, "host": "old", "scope": ["2"], "claimed_at": "x", **extra}
    return comment(cid, "<!-- maverick claim -->", fence("claim", payload), updated=created)


def seed_lease(cid: int, instance: str, updated: float, **fields: object) -> Comment:
    payload = {
        "instance_id": instance,
        "heartbeat_at": iso(at(updated)),
        "expires_at": iso(at(updated + 600)),
        **fields,
    }
    return comment(cid, "<!-- maverick lease -->", fence("lease", payload), updated=updated)


def test_seed_claim_with_a_separate_live_lease_holds_the_issue() -> None:
    claims = view([seed_claim(100, "seed-1"), seed_lease(101, "seed-1", updated=0)], now=30)
    assert claims.holder is not None
    assert (claims.holder.instance_id, claims.holder.format) == ("seed-1", "seed")
    assert core.entry_check([], claims, "agent-b").outcome == "held_live"


def test_seed_lease_duration_is_measured_from_github_time() -> None:
    # heartbeat_at/expires_at say 10 minutes (writer's clock); GitHub saw the write at t=300.
    claims = view([seed_claim(100, "seed-1"), seed_lease(101, "seed-1", updated=300)], now=899)
    assert claims.holder is not None and claims.holder.expires_at == at(900)
    assert view([seed_claim(100, "s"), seed_lease(101, "s", updated=300)], now=900).holder is None


def test_seed_release_is_a_later_lease_comment_with_released_at() -> None:
    released = seed_lease(102, "seed-1", updated=60, released_at=iso(at(60)), reason="merged")
    claims = view([seed_claim(100, "seed-1"), seed_lease(101, "seed-1", 0), released], now=61)
    assert claims.holder is None and claims.records[0].state == "released"


def test_seed_takeover_of_an_instance_supersedes_its_earlier_claims() -> None:
    claims = view(
        [
            seed_claim(100, "seed-1"),
            seed_lease(101, "seed-1", updated=0),
            seed_claim(102, "seed-2", created=700, takeover_of="seed-1"),
        ],
        now=701,
    )
    states = {r.comment_id: r.state for r in claims.records}
    assert states[100] == "superseded"
    assert claims.holder is not None and claims.holder.instance_id == "seed-2"


# ---- entry checks, races, ownership ------------------------------------------------------


def test_entry_check_orders_blocked_live_stale_self_free() -> None:
    live = view([ours(100, "a")], now=5)
    stale = view([ours(100, "a", ttl=60)], now=61)
    empty = view([], now=5)
    assert core.entry_check(["blocked-by:#3"], live, "b").outcome == "blocked"
    assert core.entry_check(["blocked-by:#3"], live, "b").blocks == ("blocked-by:#3",)
    assert core.entry_check([], live, "b").outcome == "held_live"
    assert core.entry_check([], live, "a").outcome == "mine"
    assert core.entry_check([], stale, "b").outcome == "held_stale"
    assert core.entry_check([CLAIM_LABEL], empty, "b").outcome == "free"
    restarted = core.entry_check([], stale, "a")
    assert restarted.outcome == "free" and restarted.supersedes is not None


def test_race_outcome_needs_our_own_record_to_be_visible() -> None:
    claims = view([ours(100, "a"), ours(101, "b")], now=5)
    assert core.race_outcome(claims, 100, "a", None) == "won"
    assert core.race_outcome(claims, 101, "b", None) == "lost"
    assert core.race_outcome(claims, 102, "c", None) == "unseen"


def test_an_earlier_copy_of_our_own_attempt_is_our_win_not_a_rival() -> None:
    """A retried POST after an ambiguous one may leave two records with one nonce."""
    first = ours(100, "a")
    duplicate = ours(101, "a")
    for record in (first, duplicate):
        record.body = record.body.replace(
            '"instance_id": "a"', '"instance_id": "a", "nonce": "n1"', 1
        )
    claims = view([first, duplicate], now=5)
    assert core.race_outcome(claims, 101, "a", "n1") == "won"
    assert core.race_outcome(claims, 101, "a", "other-nonce") == "lost"
    assert core.race_outcome(claims, 101, "b", "n1") == "lost"


@pytest.mark.parametrize(
    ("comments", "labels", "reason"),
    [
        ([ours(99, "a"), ours(100, "me")], [], "earlier claim by a (comment 99)"),
        ([ours(100, "me"), ours(101, "b", supersedes=100)], [], "taken over by b (comment 101)"),
        ([ours(100, "me")], ["blocked-by:#7"], "blocked (blocked-by:#7)"),
        ([ours(100, "me", ttl=1)], [], "lease expired at 2026-04-23T10:00:01Z"),
        ([ours(100, "other")], [], "no claim record"),
    ],
)
def test_ownership_says_why_the_claim_is_not_ours(comments, labels, reason) -> None:
    owner = core.ownership(labels, view(comments, now=5), "me")
    assert not owner.held and reason in (owner.reason or "")


def test_a_clean_release_is_told_apart_from_a_lost_race() -> None:
    assert core.ownership([], view([ours(100, "me", state="released")], 5), "me").released_by_self
    lost = ours(100, "me", state="released")
    lost.body = lost.body.replace('"state": "released"', '"state": "released", "reason": "lost"')
    assert not core.ownership([], view([lost], 5), "me").released_by_self


# ---- what we write --------------------------------------------------------------------------


def test_one_comment_carries_claim_and_lease_that_seed_readers_understand() -> None:
    claim, lease = core.new_claim_payloads(
        instance_id="a", host="h", scope=["2"], nonce="n1", server_time=T0, ttl_s=600
    )
    body = core.record_body(claim, lease)
    parsed = issue_markers([comment(100, body)], TrustPolicy("maverick-sandbox"))
    assert [m.kind for m in parsed.markers] == ["claim", "lease"]
    assert parsed.markers[1].payload["expires_at"] == "2026-04-23T10:10:00Z"
    assert "Claimed by `a` on h" in body


def test_release_in_place_ends_the_lease_for_seed_readers_too() -> None:
    claim, lease = core.new_claim_payloads(
        instance_id="a", host=None, scope=[], nonce="n", server_time=T0, ttl_s=600
    )
    claim2, lease2 = core.released_payloads(claim, lease, at(30), "merged")
    assert (claim2["state"], claim2["reason"], claim2["nonce"]) == ("released", "merged", "n")
    assert lease2["expires_at"] == lease2["released_at"] == iso(at(30))
    assert "Released by `a` (merged)" in core.record_body(claim2, lease2)
