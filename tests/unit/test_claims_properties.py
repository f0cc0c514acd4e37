"""Property-based checks of the race and lease decisions over random claim histories."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from maverick_ext.core import claims as core
from maverick_ext.core.payloads import iso, parse_iso, validate
from maverick_ext.core.trust import TrustedMarker

T0 = datetime(2026, 4, 23, 10, 0, 0, tzinfo=timezone.utc)
INSTANCES = ("a", "b", "c", "d")


def trusted(
    kind: str, payload: dict, cid: int, author: str, created_at: str, updated_at: str
) -> TrustedMarker:
    """A trusted marker as ``core.trust.issue_markers`` hands it to the core."""
    return TrustedMarker(
        kind, cid, payload, validate(kind, payload), author, created_at, updated_at
    )


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[TrustedMarker], int]:
    """Markers of 0-8 claim records (both formats) and a server time, in seconds after T0."""
    ids = sorted(draw(st.sets(st.integers(100, 400), max_size=8)))
    markers: list[TrustedMarker] = []
    for index, cid in enumerate(ids):
        instance = draw(st.sampled_from(INSTANCES))
        updated = T0 + timedelta(seconds=draw(st.integers(0, 2000)))
        claim = {"instance_id": instance, "ttl_s": draw(st.sampled_from([60, 300, 600]))}
        if draw(st.booleans()):
            claim["state"] = "released"
        if index and draw(st.integers(0, 3)) == 0:
            claim["supersedes"] = draw(st.sampled_from(ids[:index]))
        stamps = {"created_at": iso(T0), "updated_at": iso(updated)}
        markers.append(trusted("claim", claim, cid, "u", **stamps))
        if draw(st.booleans()):  # ours: the lease fence lives in the same comment
            lease = {"instance_id": instance, "expires_at": iso(updated)}
            markers.append(trusted("lease", lease, cid, "u", **stamps))
    return markers, draw(st.integers(0, 3000))


def decide(markers: list[TrustedMarker], now: int) -> tuple[list[tuple[int, str]], int | None]:
    view = core.claim_view(markers, T0 + timedelta(seconds=now))
    states = sorted((r.comment_id, r.state) for r in view.records)
    return states, view.holder.comment_id if view.holder else None


@given(histories())
def test_at_most_one_holder_and_it_is_the_lowest_live_active_record(history) -> None:
    markers, now = history
    view = core.claim_view(markers, T0 + timedelta(seconds=now))
    active = [r for r in view.records if r.state == "active"]
    if not active:
        assert view.holder is None
        return
    assert view.holder is not None
    assert view.holder.comment_id == min(r.comment_id for r in active)
    assert view.holder.expires_at is not None and view.holder.expires_at > view.server_time
    assert view.stale_holder is None


@given(histories(), st.randoms(use_true_random=False))
def test_decision_does_not_depend_on_listing_order(history, rng: random.Random) -> None:
    markers, now = history
    shuffled = list(markers)
    rng.shuffle(shuffled)
    assert decide(shuffled, now) == decide(markers, now)


@given(histories(), st.sampled_from([-3600, -1, 1, 3600]))
def test_a_skewed_github_clock_changes_no_decision(history, skew: int) -> None:
    """All of GitHub's timestamps and its Date move together; nothing else is compared."""
    markers, now = history

    def shifted(stamp: str | None) -> str | None:
        moment = parse_iso(stamp)
        return iso(moment + timedelta(seconds=skew)) if moment else stamp

    moved = [
        replace(m, created_at=shifted(m.created_at), updated_at=shifted(m.updated_at))
        for m in markers
    ]
    assert decide(moved, now + skew) == decide(markers, now)


@given(st.data())
def test_claimers_that_see_every_earlier_claim_never_both_win(data: st.DataObject) -> None:
    """Property 1 in the model: after the settle window each claimer's re-read shows at least
    every claim that reached GitHub before its own (visibility delay < settle), and maybe
    some later ones. Then at most one claimer wins, and exactly one when all are live."""
    ids = sorted(data.draw(st.sets(st.integers(1, 50), min_size=1, max_size=8)))
    everyone = {
        cid: trusted(
            "claim",
            {"instance_id": f"i{cid}", "ttl_s": 600},
            cid,
            "u",
            created_at=iso(T0),
            updated_at=iso(T0),
        )
        for cid in ids
    }
    winners = 0
    for cid in ids:
        later = [other for other in ids if other > cid]
        seen_later = data.draw(st.lists(st.sampled_from(later), unique=True)) if later else []
        visible = [everyone[o] for o in ids if o <= cid] + [everyone[o] for o in seen_later]
        view = core.claim_view(visible, T0 + timedelta(seconds=5))
        winners += core.race_outcome(view, cid, f"instance-{cid}", None) == "won"
    assert winners == 1


@given(histories(), st.sampled_from(INSTANCES))
def test_entry_check_agrees_with_the_view(history, me: str) -> None:
    markers, now = history
    view = core.claim_view(markers, T0 + timedelta(seconds=now))
    decision = core.entry_check([], view, me)
    if view.holder is not None:
        assert decision.outcome == ("mine" if view.holder.instance_id == me else "held_live")
    elif view.stale_holder is not None and view.stale_holder.instance_id != me:
        assert decision.outcome == "held_stale"
    else:
        assert decision.outcome == "free"
