"""`gh maverick demo`, the README's main job, run the way a newcomer runs it."""

from __future__ import annotations


def test_the_demo_runs_a_whole_epic_and_every_protocol_promise_holds(gh_maverick):
    result = gh_maverick("demo", "--instances", "3", "--seed", "5", timeout=240)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout
    # Races: one winner per story, the others told they lost or that it is held.
    assert out.count("#2: claimed") == 1
    assert "exit 13 lost" in out or "exit 11 held-live" in out
    # A dead holder is stale (12), taken over (0), and told to stop when it comes back (13).
    assert "exit 12 held-stale" in out and "takeover 3" in out
    assert "the claim was taken over by" in out
    # The failed review blocks the downstream stories, which can no longer be claimed.
    assert "#4 blocks #6 #7" in out and "exit 10 blocked" in out
    assert "3 merged, 0 closed, 1 ejected, 2 blocked" in out
    assert "Traceback" not in result.stderr
