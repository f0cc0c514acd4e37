"""Mixed fleets (issue #11): what the seeds' implementation reads in the records we write.

``seeds_read`` states the seeds' reader as docs/claims.md ("Mixed fleets") records it for
maverick-harness 5.1.1: a marker is a backtick fence ```` ```maverick-<kind> ```` (first
one of a kind per comment), the *latest* comment carrying a kind wins, any author counts,
and an issue is held when it carries the label and that latest lease's ``expires_at`` is
in the future. The end-to-end proof against the real package is tests/e2e/test_mixed_fleet.py.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from maverick_ext.core import claims as core
from maverick_ext.core.claim_refs import (
    RefRecord,
    RefTip,
    ref_claim_payloads,
    ref_hold,
    render_record,
)
from maverick_ext.core.markers import parse_body
from maverick_ext.core.payloads import iso
from maverick_ext.github.models import Comment

T0 = datetime(2026, 4, 23, 10, 0, 0, tzinfo=timezone.utc)
ACCOUNT = "maverick-sandbox"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def seeds_read(bodies: list[str], now: datetime) -> tuple[str | None, bool]:
    """(instance of the latest claim fence, whether the latest lease fence is live)."""

    def latest(kind: str) -> dict[str, Any] | None:
        found = None
        for body in bodies:
            match = re.search(rf"```maverick-{kind}\s*\n(.*?)\n```", body, re.DOTALL)
            if match:
                found = json.loads(match.group(1))
        return found

    claim, lease = latest("claim"), latest("lease")
    expires = (lease or {}).get("expires_at")
    live = (
        bool(expires)
        and datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) > now
    )
    return (claim or {}).get("instance_id"), live


def record_payloads(instance: str, nonce: str, now: datetime) -> tuple[dict, dict]:
    return core.new_claim_payloads(
        instance_id=instance, host="h", scope=["2"], nonce=nonce, server_time=now, ttl_s=600
    )


def test_a_released_record_is_invisible_to_the_seeds_but_still_ours_to_read() -> None:
    claim, lease = record_payloads("a", "n1", T0)
    body = core.record_body(*core.released_payloads(claim, lease, at(5), "merged"))
    assert seeds_read([body], at(6)) == (None, False)
    markers = {m.kind: m.payload for m in parse_body(body).markers}
    assert markers["claim"]["state"] == "released" and markers["claim"]["nonce"] == "n1"
    assert markers["lease"]["released_at"] == iso(at(5))


def test_a_comment_mode_race_loser_does_not_hand_the_seeds_a_stale_holder() -> None:
    # The winner posted first; the loser's later record, once released, used to be the
    # seeds' "latest claim + expired lease" -- a free issue to them while the winner held it.
    winner = core.record_body(*record_payloads("winner", "w", T0))
    loser_claim, loser_lease = record_payloads("loser", "l", at(1))
    loser = core.record_body(*core.released_payloads(loser_claim, loser_lease, at(2), "lost"))
    assert seeds_read([winner, loser], at(3)) == ("winner", True)


def test_a_live_record_is_a_live_claim_in_the_seeds_own_format() -> None:
    body = core.record_body(*record_payloads("a", "n1", T0))
    assert seeds_read([body], at(599)) == ("a", True)
    assert seeds_read([body], at(601)) == ("a", False)


# ---- the seeds' lease write over our claim comment ----------------------------------------

RECORD = RefRecord(issue=2, instance_id="ours", login=ACCOUNT, nonce="n1", epoch=3, ttl_s=600)
TIP = RefTip("c0ffee" * 6 + "c0ff", render_record(RECORD), at(0))


def comment(cid: int, body: str, created: float, updated: float, author: str = ACCOUNT):
    return Comment(
        id=cid, body=body, created_at=iso(at(created)), updated_at=iso(at(updated)),
        author=author, author_association="OWNER", node_id=f"IC_{cid}",
    )  # fmt: skip


def seed_lease_body(instance: str, beat: float, **extra: str) -> str:
    lease = {"instance_id": instance, "heartbeat_at": iso(at(beat)),
             "expires_at": iso(at(beat + 600)), **extra}  # fmt: skip
    return f"<!-- maverick lease -->\n\n```maverick-lease\n{json.dumps(lease, indent=2)}\n```"


def test_our_claim_comment_rewritten_lease_only_is_still_found_and_rebuilt() -> None:
    rewritten = comment(101, seed_lease_body("seed-x", 40), created=1, updated=40)
    hold = ref_hold(TIP, [rewritten], at(50), 600)
    assert hold.live and hold.comment is not None and hold.comment.overwritten
    assert hold.comment.comment_id == 101 and hold.comment.node_id == "IC_101"
    # What the next heartbeat writes back: the record's own claim fence, from the ref.
    assert hold.comment.claim == ref_claim_payloads(RECORD, TIP.oid, at(0))[0]
    assert hold.comment.claim["nonce"] == "n1" and hold.comment.claim["epoch"] == 3


def test_an_intact_claim_comment_is_bound_as_before() -> None:
    claim, lease = ref_claim_payloads(RECORD, TIP.oid, at(0))
    intact = comment(101, core.record_body(claim, lease), created=1, updated=1)
    rewritten = comment(102, seed_lease_body("seed-x", 40), created=2, updated=40)
    hold = ref_hold(TIP, [intact, rewritten], at(50), 600)
    assert hold.comment is not None and hold.comment.comment_id == 101
    assert not hold.comment.overwritten


def test_lease_only_comments_that_cannot_be_ours_are_not_taken_for_our_record() -> None:
    candidates = [
        comment(99, seed_lease_body("seed-x", 40), created=-5, updated=40),  # before the commit
        comment(101, seed_lease_body("seed-x", 40), created=1, updated=40, author="someone"),
        comment(102, seed_lease_body("seed-x", 40, released_at=iso(at(40))), 2, 40),
        comment(103, "a human's note", created=3, updated=3),
    ]
    hold = ref_hold(TIP, candidates, at(50), 600)
    assert hold.comment is None
    # Without a comment the lease runs from the commit alone, as for a crashed claimer.
    assert hold.expires_at == at(600)


def test_only_our_own_instance_rewriting_the_comment_renews_our_lease() -> None:
    # Our agent's old seeds-daemon heartbeats the issue as the same instance: still alive.
    by_us = comment(101, seed_lease_body("ours", 700), created=1, updated=700)
    assert ref_hold(TIP, [by_us], at(750), 600).live
    # A seeds instance taking over our dead claim writes its lease onto our comment: that
    # must not revive us (our lease ran out at 600, from the claim commit).
    by_taker = comment(101, seed_lease_body("seed-x", 700), created=1, updated=700)
    hold = ref_hold(TIP, [by_taker], at(750), 600)
    assert hold.comment is not None and hold.comment.overwritten
    assert not hold.live and hold.expires_at == at(600)


def _seed_claim(comment_id: int, instance: str, state: str = "active") -> core.ClaimRecord:
    return core.ClaimRecord(
        comment_id,
        instance,
        None,
        state,
        T0,
        at(600),
        T0,
        600,
        "seed",  # type: ignore[arg-type]
        claim_payload={"instance_id": instance},
    )


def test_the_seeds_rival_is_the_latest_live_foreign_claim_listed_after_ours() -> None:
    from maverick_ext.core.claim_refs import seeds_ahead

    ours = core.ClaimRecord(
        20, "agent-a", None, "active", T0, at(600), T0, 600, "ref",
        claim_payload={"instance_id": "agent-a", "mode": "ref"},
    )  # fmt: skip
    # Listing order, not ids, is what the seeds' reader goes by.
    before, after, later = (
        _seed_claim(30, "seed-b"),
        _seed_claim(10, "seed-c"),
        _seed_claim(40, "seed-d"),
    )
    dead, same = _seed_claim(50, "seed-e", "stale"), _seed_claim(60, "agent-a")
    view = core.ClaimView(T0, [ours, before, after, later, dead, same], ours, None)
    listed = [30, 20, 10, 40, 50, 60]
    assert seeds_ahead(view, listed, "agent-a", ours=20) is later
    assert seeds_ahead(view, [30, 20, 50, 60], "agent-a", ours=20) is None  # only dead/own after
    assert seeds_ahead(view, listed, "agent-a", ours=None) is later  # right after claiming: any
    assert seeds_ahead(view, [20, 30], "agent-a", ours=None) is before
    assert seeds_ahead(view, listed, "agent-a", ours=99) is None  # our comment is gone
