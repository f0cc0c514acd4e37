"""`gh maverick claim|heartbeat|release|takeover|guard` through the real gh, one exit code
per situation an agent meets, and the protocol properties that need separate processes."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta

import pytest

from maverick_ext.core.labels import CLAIM_LABEL
from maverick_ext.core.payloads import iso
from maverick_ext.emulator import Emulator
from tests.conftest import real_gh

FAST = {"MAVERICK_SETTLE_S": "0.2"}


def issue(emulator: Emulator, number: int):
    store = emulator.store
    return store.issue(store.repo("maverick-sandbox", "demo"), number)


def owner(emulator: Emulator):
    return emulator.store.identify("as:maverick-sandbox:OWNER")


def claims_on(emulator: Emulator, number: int) -> int:
    return sum("maverick-claim" in c.body for c in issue(emulator, number).comments)


@pytest.fixture
def mav(gh_maverick):
    """`gh maverick` with a short settle window (the protocol is the same, just faster)."""

    def run(*args: str, instance: str = "agent-a", **kw):
        return gh_maverick(*args, instance=instance, env={**FAST, **kw.pop("env", {})}, **kw)

    return run


def test_lifecycle_adds_exactly_one_comment_and_cleans_the_label(mav, emulator) -> None:
    before = len(issue(emulator, 2).comments)
    claimed = mav("claim", "2", "--json")
    assert claimed.returncode == 0, claimed.stderr
    token = json.loads(claimed.stdout)["results"][0]["fencing_token"]

    for _ in range(2):
        assert mav("heartbeat", "2").returncode == 0
    shown = json.loads(mav("read", "2", "--json").stdout)
    assert shown["holder"]["fencing_token"] == token and shown["lease_live"]
    assert mav("guard", "2").returncode == 0

    released = mav("release", "2", "--reason", "merged")
    assert released.returncode == 0, released.stderr
    assert len(issue(emulator, 2).comments) == before + 1
    assert CLAIM_LABEL not in [label.name for label in issue(emulator, 2).labels]
    assert mav("guard", "2").returncode == 13


def test_claiming_what_you_hold_is_idempotent(mav) -> None:
    first = json.loads(mav("claim", "2", "--json").stdout)["results"][0]
    again = mav("coord", "claim", "2", "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["results"][0]["fencing_token"] == first["fencing_token"]


def test_concurrent_claimers_in_separate_processes_yield_exactly_one_owner(
    emulator, gh_maverick, extension_home, tmp_path
) -> None:
    """Property 1: new comments stay invisible for 0.4 s, the settle window is 1 s."""
    emulator.faults.update(visibility_delay_ms=400)
    base = {**os.environ, **emulator.env(), **extension_home, "MAVERICK_SETTLE_S": "1"}
    racers = [
        subprocess.Popen(
            [real_gh(), "maverick", "claim", "3"],
            env={**base, "MAVERICK_INSTANCE_ID": f"racer-{n}"},
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    codes = [racer.wait(timeout=60) for racer in racers]

    assert codes.count(0) == 1, codes
    assert set(codes) <= {0, 11, 13}
    winner = f"racer-{codes.index(0)}"
    emulator.faults.update(visibility_delay_ms=0)
    state = json.loads(gh_maverick("read", "3", "--json").stdout)
    assert state["holder"]["instance_id"] == winner
    # Losers withdrew their own comments; nobody else's record is active.
    assert [r["state"] for r in state["records"]].count("active") == 1


def test_entry_refusals_each_have_their_code(mav, emulator) -> None:
    emulator.store.add_labels(issue(emulator, 4), ["blocked-by:#3"])
    blocked = mav("claim", "4")
    assert blocked.returncode == 10 and "blocked-by:#3" in blocked.stderr

    assert mav("claim", "2", instance="a").returncode == 0
    held = mav("claim", "2", instance="b")
    assert held.returncode == 11 and "held by a" in held.stderr
    assert mav("release", "2", "--reason", "abort", instance="b").returncode == 13
    assert mav("takeover", "2", instance="b").returncode == 11
    assert mav("heartbeat", "2", instance="b").returncode == 13


def test_a_dead_holder_is_taken_over_only_explicitly_and_then_loses(mav, emulator) -> None:
    """Property 6: no release, the TTL passes on GitHub's clock."""
    assert mav("claim", "5", "--ttl", "90s", instance="old").returncode == 0
    emulator.advance_clock(91)

    stale = mav("claim", "5", instance="new")
    assert stale.returncode == 12 and "takeover" in stale.stderr
    taken = mav("takeover", "5", "--reason", "holder vanished", instance="new")
    assert taken.returncode == 0, taken.stderr

    lost = mav("heartbeat", "5", instance="old")
    assert lost.returncode == 13 and "taken over by new" in lost.stderr
    assert mav("guard", "5", instance="old").returncode == 13
    assert mav("guard", "5", instance="new").returncode == 0


@pytest.mark.parametrize("skew_s", [-3600, 3600])
def test_github_clock_skew_changes_no_decision(mav, emulator, skew_s: int) -> None:
    """Property 3: GitHub's clock an hour off from ours; leases still last exactly the TTL."""
    emulator.store.set_skew(skew_s)
    assert mav("claim", "6", "--ttl", "2m", instance="a").returncode == 0
    emulator.advance_clock(90)  # (plus the few real seconds these commands take)
    assert mav("claim", "6", instance="b").returncode == 11
    emulator.advance_clock(31)
    assert mav("claim", "6", instance="b").returncode == 12


def test_a_strangers_pasted_claim_changes_nothing(mav, gh, emulator) -> None:
    """Property 4: a live-looking claim from someone without repo access is ignored."""
    body = (
        "```maverick-claim\n"
        '{"instance_id": "intruder", "state": "active", "ttl_s": 86400}\n```\n\n'
        '```maverick-lease\n{"instance_id": "intruder", "expires_at": "2999-01-01T00:00:00Z"}\n```'
    )
    pasted = gh(
        "api",
        "repos/maverick-sandbox/demo/issues/7/comments",
        "-f",
        f"body={body}",
        token="as:stranger:NONE",
    )
    assert pasted.returncode == 0, pasted.stderr
    assert mav("claim", "7").returncode == 0


def test_seed_format_claim_and_lease_comments_hold_the_issue(mav, emulator) -> None:
    """Property 7: the seeds' separate claim and lease comments, lease expiring in 10 min."""
    now = emulator.store.now()
    stamp, expires = iso(now), iso(now + timedelta(minutes=10))
    claim = {"instance_id": "seed-agent", "host": "box", "scope": ["8"], "claimed_at": stamp}
    lease = {"instance_id": "seed-agent", "heartbeat_at": stamp, "expires_at": expires}
    for kind, payload in (("claim", claim), ("lease", lease)):
        body = f"<!-- maverick {kind} -->\n\n```maverick-{kind}\n{json.dumps(payload)}\n```"
        emulator.store.add_comment(issue(emulator, 8), owner(emulator), body)
    emulator.store.add_labels(issue(emulator, 8), [CLAIM_LABEL])

    held = mav("claim", "8", instance="agent-b")
    assert held.returncode == 11 and "seed-agent" in held.stderr


def test_heartbeat_loop_releases_when_the_watched_process_is_gone(mav, emulator) -> None:
    assert mav("claim", "2").returncode == 0
    gone = subprocess.Popen(["true"])
    gone.wait()
    looped = mav("coord", "heartbeat-loop", "2", "--while-pid", str(gone.pid))
    assert looped.returncode == 0, looped.stderr
    assert CLAIM_LABEL not in [label.name for label in issue(emulator, 2).labels]
