"""A mixed fleet's race (docs/claims.md, "Mixed fleets"): the seeds' implementation names
the holder by the *latest* claim comment, so when its claim lands next to ours both sides
may believe they won. We are the side that can tell, so we stop: a claim with
`coordination.mixed_fleet` waits the settle window and yields to a seeds claim that landed
meanwhile; a heartbeat or guard yields to one listed after our claim comment.

The seeds' writes are made here as maverick-harness 5.1.1 makes them in that race: label,
a claim-only comment, then its lease upsert over the latest lease comment (ours).
The real seeds CLI racing ours runs in tests/e2e/test_mixed_fleet.py."""

from __future__ import annotations

import json

import pytest

from maverick_ext.core.markers import parse_body
from maverick_ext.emulator.seeds import OWNER, REPO
from tests.torture.oracle import held_ref

MIXED = {"MAVERICK_SETTLE_S": "0.5", "MAVERICK_MIXED_FLEET": "1"}
SEED_LEASE_TTL_S = 600


def seeds_race_in(store, number: int, instance: str = "seed-b") -> None:
    """What the seeds' `coord claim` writes after an entry read that saw no claim of ours."""
    issue = store.issue(store.repo(OWNER, REPO), number)
    agent = store.identify("sandbox-token")
    now = store.now()
    claim = {"instance_id": instance, "host": "seed-host", "scope": [str(number)],
             "claimed_at": now.strftime("%Y-%m-%dT%H:%M:%SZ")}  # fmt: skip
    store.add_comment(issue, agent, f"```maverick-claim\n{json.dumps(claim)}\n```")
    expires = now.timestamp() + SEED_LEASE_TTL_S
    lease = {"instance_id": instance, "heartbeat_at": claim["claimed_at"],
             "expires_at": _iso(expires)}  # fmt: skip
    body = f"```maverick-lease\n{json.dumps(lease)}\n```"
    latest = next((c for c in reversed(issue.comments) if "maverick-lease" in c.body), None)
    if latest is None:
        store.add_comment(issue, agent, body)
    else:
        store.update_comment(latest, body)


def _iso(epoch: float) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def seeds_holder(store, number: int) -> tuple[str | None, str | None]:
    """The seeds' reading: the latest claim fence's and the latest lease fence's instance."""
    claim = lease = None
    for comment in store.issue(store.repo(OWNER, REPO), number).comments:
        fences = {m.kind: m for m in parse_body(comment.body, comment.id).markers}
        for kind in ("claim", "lease"):
            marker = fences.get(kind)
            if marker is not None and "```maverick-" + kind in comment.body:
                if kind == "claim":
                    claim = marker.payload.get("instance_id")
                else:
                    lease = marker.payload.get("instance_id")
    return claim, lease


@pytest.fixture
def store(inproc_emulator):
    return inproc_emulator.emulator.store


def test_a_mixed_fleet_claim_yields_to_a_seeds_claim_that_landed_while_it_settled(
    run_emulated, inproc_emulator, store, monkeypatch
) -> None:
    emulator = inproc_emulator.emulator
    advance = emulator.advance_clock

    def seeds_claim_during_settle(seconds: float) -> None:
        monkeypatch.setattr(emulator, "advance_clock", advance)  # once
        seeds_race_in(store, 2)
        advance(seconds)

    monkeypatch.setattr(emulator, "advance_clock", seeds_claim_during_settle)
    result = run_emulated("claim", "2", "--json", env=MIXED)

    assert result.exit_code == 13, result.stderr
    assert "yielded to seed-b" in result.json()["results"][0]["message"]
    repo = store.repo(OWNER, REPO)
    assert held_ref(emulator, 2) is None  # our claim is given back
    labels = [label.name for label in store.issue(repo, 2).labels]
    assert "claude-in-progress" in labels  # theirs now
    assert seeds_holder(store, 2) == ("seed-b", "seed-b")  # their lease write is untouched
    held = run_emulated("claim", "2", env={**MIXED, "MAVERICK_INSTANCE_ID": "agent-c"})
    assert held.exit_code == 11 and "seed-b" in held.stderr


def test_without_a_seeds_claim_a_mixed_fleet_claim_keeps_the_issue_after_one_more_read(
    run_emulated, store
) -> None:
    plain = run_emulated("claim", "2", "--json", env={"MAVERICK_SETTLE_S": "0.5"})
    mixed = run_emulated("claim", "3", "--json", env=MIXED)
    assert plain.exit_code == mixed.exit_code == 0, mixed.stderr
    assert len(mixed.calls) == len(plain.calls) + 1  # the confirming read
    assert seeds_holder(store, 3) == ("agent-a", "agent-a")


@pytest.mark.parametrize("command", ["heartbeat", "guard"])
def test_a_seeds_claim_listed_after_ours_makes_our_heartbeat_and_guard_yield(
    run_emulated, inproc_emulator, store, command
) -> None:
    # Both won a race without mixed_fleet: their claim comment came after ours, so the
    # seeds' own heartbeat keeps succeeding; ours must be the one that stops.
    assert run_emulated("claim", "2", env={"MAVERICK_SETTLE_S": "0.5"}).exit_code == 0
    seeds_race_in(store, 2)
    result = run_emulated(command, "2", env=MIXED)
    assert result.exit_code == 13, result.stderr
    assert "yielded to seed-b" in result.stderr
    assert held_ref(inproc_emulator.emulator, 2) is None
    assert seeds_holder(store, 2) == ("seed-b", "seed-b")
    assert run_emulated("guard", "2", env=MIXED).exit_code == 13  # and stays stopped


def test_a_seeds_claim_listed_before_ours_loses_to_us_as_their_own_heartbeat_says(
    run_emulated, inproc_emulator, store, monkeypatch
) -> None:
    # Their claim and lease landed between our read and our comment: ours is the latest
    # claim comment, so their own heartbeat refuses them and we keep the issue.
    run, raced = inproc_emulator.run, []

    def seeds_claim_after_our_read(argv, **kw):
        answer = run(argv, **kw)
        if not raced:
            raced.append(seeds_race_in(store, 2))
        return answer

    monkeypatch.setattr(inproc_emulator, "run", seeds_claim_after_our_read)
    assert run_emulated("claim", "2", env={"MAVERICK_SETTLE_S": "0.5"}).exit_code == 0
    assert seeds_holder(store, 2) == ("agent-a", "agent-a")
    assert run_emulated("heartbeat", "2", env=MIXED).exit_code == 0
    assert run_emulated("guard", "2", env=MIXED).exit_code == 0
    assert held_ref(inproc_emulator.emulator, 2).instance_id == "agent-a"


def test_a_claim_where_the_seeds_have_claimed_says_to_switch_mixed_fleet_on(
    run_emulated, store
) -> None:
    # A seeds claim that ended (their release: a lease with released_at) leaves the issue
    # free, and tells us the seeds' implementation works this repository.
    issue = store.issue(store.repo(OWNER, REPO), 2)
    agent = store.identify("sandbox-token")
    claim = {"instance_id": "seed-b", "host": "h", "scope": ["2"],
             "claimed_at": _iso(store.now().timestamp() - 60)}  # fmt: skip
    store.add_comment(issue, agent, f"```maverick-claim\n{json.dumps(claim)}\n```")
    released = {"instance_id": "seed-b", "released_at": _iso(store.now().timestamp())}
    store.add_comment(issue, agent, f"```maverick-lease\n{json.dumps(released)}\n```")

    plain = run_emulated("claim", "2", env={"MAVERICK_SETTLE_S": "0.5"})
    assert plain.exit_code == 0, plain.stderr
    assert "coordination.mixed_fleet" in plain.stderr and "#2" in plain.stderr
    run_emulated("release", "2", "--reason", "complete")
    mixed = run_emulated("claim", "2", env=MIXED)
    assert mixed.exit_code == 0 and "mixed_fleet" not in mixed.stderr
