"""`gh maverick read` through the real gh: one API call, parsed markers, skipped junk."""

from __future__ import annotations

import json

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import USER_TOKEN


def test_read_json_shows_the_holder_records_and_skips_a_malformed_marker(
    gh_maverick, emulator: Emulator
) -> None:
    claimed = gh_maverick("claim", "2", instance="agent-a", env={"MAVERICK_SETTLE_S": "0"})
    assert claimed.returncode == 0, claimed.stderr
    store = emulator.store
    story = store.issue(store.repo("maverick-sandbox", "demo"), 2)
    # The repository's owner: OWNER whatever the org's membership visibility (a private
    # member shows as NONE, whose markers are not read at all, so nothing would be skipped).
    owner = store.identify(USER_TOKEN)
    store.add_comment(story, owner, "```maverick-claim\n{not json\n```")

    emulator.clear_log()
    result = gh_maverick("read", "2", "--json", instance="agent-b")

    assert result.returncode == 0, result.stderr
    assert len(emulator.request_log) == 1  # labels, comments and the clock in one call
    state = json.loads(result.stdout)
    assert state["issue"] == 2 and state["in_progress"] and state["lease_live"]
    holder = state["holder"]
    assert holder["instance_id"] == "agent-a" and holder["state"] == "active"
    assert state["mode"] == "ref" and holder["commit"]
    assert holder["fencing_token"] == holder["epoch"] == 1  # the claim ref's epoch
    assert 0 < holder["seconds_left"] <= 600  # a default 10-minute lease, counted down
    assert [r["instance_id"] for r in state["records"]] == ["agent-a"]
    assert state["claim"]["instance_id"] == "agent-a"  # the seeds' `coord read` keys
    assert state["lease"]["expires_at"] <= holder["expires_at"]  # written from an earlier read
    assert "skipped maverick-claim marker" in result.stderr and "invalid JSON" in result.stderr
    assert state["warnings"] and "Traceback" not in result.stderr
