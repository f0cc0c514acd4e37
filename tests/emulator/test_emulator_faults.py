"""Fault injection: stale reads, ambiguous writes, throttling, errors, latency, clock."""

from __future__ import annotations

import email.utils
import time
from datetime import datetime, timezone

import pytest

from maverick_ext.emulator import Emulator, Faults

from .conftest import REPO, Client


def test_visibility_delay_hides_new_comments_from_listings_only(
    emu: Emulator, client: Client
) -> None:
    emu.faults.update(visibility_delay_ms=300)
    made = client.post(f"{REPO}/issues/2/comments", {"body": "claim"}).json
    assert client.get(f"{REPO}/issues/2/comments").json == []
    # Readable by id at once, like a primary-replica lag.
    assert client.get(f"{REPO}/issues/comments/{made['id']}").status == 200
    issue = emu.store.issue(emu.store.repo("maverick-sandbox", "demo"), 2)
    assert emu.store.visible_comments(issue) == []
    time.sleep(0.35)
    assert [c["id"] for c in client.get(f"{REPO}/issues/2/comments").json] == [made["id"]]
    assert [c.id for c in emu.store.visible_comments(issue)] == [made["id"]]


def test_ambiguous_write_is_applied_but_answered_502(emu: Emulator, client: Client) -> None:
    emu.faults.update(ambiguous_rate=1.0)
    reply = client.post(f"{REPO}/issues/3/comments", {"body": "nonce-123"})
    assert reply.status == 502
    # Reads are never ambiguous.
    listed = client.get(f"{REPO}/issues/3/comments")
    assert listed.status == 200
    assert [c["body"] for c in listed.json] == ["nonce-123"]


def test_error_rate_does_not_apply_the_write(emu: Emulator, client: Client) -> None:
    emu.faults.update(error_rate=1.0)
    reply = client.post(f"{REPO}/issues/3/comments", {"body": "lost"})
    assert reply.status in (500, 502, 503)
    emu.faults.update(error_rate=0.0)
    assert client.get(f"{REPO}/issues/3/comments").json == []


def test_throttling_headers(emu: Emulator, client: Client) -> None:
    emu.faults.update(throttle_rate=1.0)
    statuses = set()
    for _ in range(12):
        reply = client.get(f"{REPO}/issues/1")
        statuses.add(reply.status)
        assert reply.headers["retry-after"] == "1"
        # A secondary limit leaves the primary counters alone.
        assert reply.headers["x-ratelimit-remaining"] != "0"
        assert "secondary rate limit" in reply.json["message"]
    assert statuses == {403, 429}


def test_secondary_limit_often_comes_without_retry_after(emu: Emulator, client: Client) -> None:
    emu.faults.update(throttle_rate=1.0, throttle_retry_after_s=0)
    reply = client.get(f"{REPO}/issues/1")
    assert reply.status in (403, 429)
    assert "retry-after" not in reply.headers


def test_graphql_primary_limit_is_http_200_with_rate_limited(emu: Emulator, client: Client) -> None:
    emu.faults.update(graphql_rate_limit_rate=1.0)
    mutation = 'mutation { addComment(input: {subjectId: "x", body: "b"}) { clientMutationId } }'
    reply = client.post("/graphql", {"query": mutation})
    assert reply.status == 200
    assert "data" not in reply.json
    [error] = reply.json["errors"]
    assert error["type"] == "RATE_LIMITED" and "rate limit exceeded" in error["message"]
    assert reply.headers["x-ratelimit-remaining"] == "0"
    assert reply.headers["x-ratelimit-resource"] == "graphql"
    emu.faults.update(graphql_rate_limit_rate=0.0)
    assert client.get(f"{REPO}/issues/1").status == 200  # REST is another budget


def test_faults_are_reproducible_with_a_seed() -> None:
    def rolls(seed: int) -> list[bool]:
        faults = Faults(error_rate=0.5, seed=seed)
        return [faults.roll(faults.error_rate) for _ in range(50)]

    assert rolls(7) == rolls(7)
    assert rolls(7) != rolls(8)


def test_invalid_fault_settings_are_refused() -> None:
    faults = Faults()
    with pytest.raises(ValueError, match="error_rate"):
        faults.update(error_rate=2)
    assert faults.error_rate == 0.0
    with pytest.raises(ValueError, match="unknown"):
        faults.update(nope=1)


def test_latency_is_applied(emu: Emulator, client: Client) -> None:
    emu.faults.update(latency_ms=150, jitter_ms=20)
    started = time.monotonic()
    client.get(f"{REPO}/issues/1")
    assert time.monotonic() - started >= 0.15


def _date(client: Client) -> datetime:
    parsed = email.utils.parsedate_to_datetime(client.get("/user").headers["date"])
    return parsed.astimezone(timezone.utc)


def test_clock_advance_and_skew_move_date_and_timestamps(emu: Emulator, client: Client) -> None:
    real = datetime.now(timezone.utc)
    assert abs((_date(client) - real).total_seconds()) < 5
    emu.advance_clock(600)
    assert 595 < (_date(client) - real).total_seconds() < 605
    emu.store.set_skew(-3600)
    assert -3005 < (_date(client) - real).total_seconds() < -2995
    made = client.post(f"{REPO}/issues/2/comments", {"body": "x"}).json
    created = datetime.fromisoformat(made["created_at"].replace("Z", "+00:00"))
    assert -3005 < (created - real).total_seconds() < -2995


def test_admin_paths_never_get_faults(emu: Emulator, client: Client) -> None:
    emu.faults.update(error_rate=1.0, throttle_rate=1.0)
    assert client.get("/_emulator/log").status == 200
    assert client.post("/_emulator/faults", {"error_rate": 0, "throttle_rate": 0}).status == 200
    assert client.get(f"{REPO}/issues/1").status == 200


@pytest.mark.parametrize("move", ["skew", "advance"])
def test_moving_the_clock_back_hides_nothing_that_exists(
    emu: Emulator, client: Client, move: str
) -> None:
    emu.faults.update(visibility_delay_ms=200)
    made = client.post(f"{REPO}/issues/2/comments", {"body": "live holder"}).json
    time.sleep(0.25)
    before = _date(client)
    if move == "skew":
        emu.store.set_skew(-3600)
    else:
        emu.advance_clock(-3600)
    assert (before - _date(client)).total_seconds() > 3500  # the reported clock moved...
    # ...but what exists stays visible, over REST and GraphQL alike.
    assert [c["id"] for c in client.get(f"{REPO}/issues/2/comments").json] == [made["id"]]
    query = '{ repository(owner: "maverick-sandbox", name: "demo") { issue(number: 2) { comments(first: 10) { nodes { body } } } } }'
    nodes = client.post("/graphql", {"query": query}).json["data"]["repository"]["issue"]
    assert nodes["comments"]["nodes"] == [{"body": "live holder"}]


def test_a_named_slow_operation_is_answered_late(emu: Emulator, client: Client) -> None:
    """``slow_operations`` delays one kind of request before it is applied, so a slow
    heartbeat edit lands after a release sent later."""
    emu.faults.update(slow_operations={"Heartbeat": 300, "PATCH": 300})

    def took(method: str, path: str, body: dict) -> float:
        started = time.monotonic()
        getattr(client, method)(path, body)
        return time.monotonic() - started

    assert took("post", "/graphql", {"query": "mutation Heartbeat { __typename }"}) >= 0.3
    assert took("post", "/graphql", {"query": "query Other { __typename }"}) < 0.3
    assert took("patch", f"{REPO}/issues/2", {"title": "slow"}) >= 0.3
