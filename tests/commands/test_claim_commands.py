"""Claim commands in-process (moved from tests/e2e/test_claims_cli.py and test_read.py):
`claim|heartbeat|release|takeover|guard|read`, one exit code per situation an agent meets,
bad input, several issues at once, `init` and the protocol properties. Instances racing for
one issue: test_racing_instances.py (threads) and tests/torture/test_race.py."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest

from maverick_ext.core.labels import CLAIM_LABEL
from maverick_ext.core.markers import parse_body
from maverick_ext.core.payloads import iso
from maverick_ext.emulator.seeds import OWNER, REPO, USER_TOKEN

FAST = {"MAVERICK_SETTLE_S": "0.2"}


def issue(inproc_emulator, number: int):
    store = inproc_emulator.emulator.store
    return store.issue(store.repo(OWNER, REPO), number)


def labels(inproc_emulator, number: int) -> list[str]:
    return [label.name for label in issue(inproc_emulator, number).labels]


@pytest.fixture
def mav(run_emulated):
    """`gh maverick` as ``instance`` with a short settle window (the same protocol, faster)."""

    def run(*args: str, instance: str = "agent-a", **kw):
        env = {**FAST, "MAVERICK_INSTANCE_ID": instance, **kw.pop("env", {})}
        return run_emulated(*args, env=env, **kw)

    return run


def test_lifecycle_adds_exactly_one_comment_and_cleans_the_label(mav, inproc_emulator) -> None:
    before = len(issue(inproc_emulator, 2).comments)
    claimed = mav("claim", "2", "--json")
    assert claimed.exit_code == 0, claimed.stderr
    token = claimed.json()["results"][0]["fencing_token"]

    for _ in range(2):
        assert mav("heartbeat", "2").exit_code == 0
    shown = mav("read", "2", "--json").json()
    assert shown["holder"]["fencing_token"] == token and shown["lease_live"]
    assert mav("guard", "2").exit_code == 0

    released = mav("release", "2", "--reason", "merged")
    assert released.exit_code == 0, released.stderr
    assert len(issue(inproc_emulator, 2).comments) == before + 1
    assert CLAIM_LABEL not in labels(inproc_emulator, 2)
    assert mav("guard", "2").exit_code == 13


def test_claiming_what_you_hold_is_idempotent(mav) -> None:
    first = mav("claim", "2", "--json").json()["results"][0]
    again = mav("coord", "claim", "2", "--json")
    assert again.exit_code == 0
    assert again.json()["results"][0]["fencing_token"] == first["fencing_token"]


def test_entry_refusals_each_have_their_code(mav, inproc_emulator) -> None:
    inproc_emulator.emulator.store.add_labels(issue(inproc_emulator, 4), ["blocked-by:#3"])
    blocked = mav("claim", "4")
    assert blocked.exit_code == 10 and "blocked-by:#3" in blocked.stderr

    assert mav("claim", "2", instance="a").exit_code == 0
    held = mav("claim", "2", instance="b")
    assert held.exit_code == 11 and "held by a" in held.stderr
    assert mav("release", "2", "--reason", "abort", instance="b").exit_code == 13
    assert mav("takeover", "2", instance="b").exit_code == 11
    assert mav("heartbeat", "2", instance="b").exit_code == 13


def test_a_dead_holder_is_taken_over_only_explicitly_and_then_loses(mav, inproc_emulator) -> None:
    """Property 6: no release, the TTL passes on GitHub's clock."""
    assert mav("claim", "5", "--ttl", "90s", instance="old").exit_code == 0
    inproc_emulator.emulator.advance_clock(91)

    stale = mav("claim", "5", instance="new")
    assert stale.exit_code == 12 and "takeover" in stale.stderr
    taken = mav("takeover", "5", "--reason", "holder vanished", instance="new")
    assert taken.exit_code == 0, taken.stderr

    lost = mav("heartbeat", "5", instance="old")
    assert lost.exit_code == 13 and "taken over by new" in lost.stderr
    assert mav("guard", "5", instance="old").exit_code == 13
    assert mav("guard", "5", instance="new").exit_code == 0


@pytest.mark.parametrize("skew_s", [-3600, 3600])
def test_github_clock_skew_changes_no_decision(mav, inproc_emulator, skew_s: int) -> None:
    """Property 3: GitHub's clock an hour off from ours; leases still last exactly the TTL."""
    emulator = inproc_emulator.emulator
    emulator.store.set_skew(skew_s)
    assert mav("claim", "6", "--ttl", "2m", instance="a").exit_code == 0
    emulator.advance_clock(90)  # (plus the settle windows these commands sleep)
    assert mav("claim", "6", instance="b").exit_code == 11
    emulator.advance_clock(31)
    assert mav("claim", "6", instance="b").exit_code == 12


def test_a_strangers_pasted_claim_changes_nothing(mav, inproc_emulator) -> None:
    """Property 4: a live-looking claim from someone without repo access is ignored."""
    body = (
        "```maverick-claim\n"
        '{"instance_id": "intruder", "state": "active", "ttl_s": 86400}\n```\n\n'
        '```maverick-lease\n{"instance_id": "intruder", "expires_at": "2999-01-01T00:00:00Z"}\n```'
    )
    store = inproc_emulator.emulator.store
    store.add_comment(issue(inproc_emulator, 7), store.identify("as:stranger:NONE"), body)
    assert mav("claim", "7").exit_code == 0


def test_seed_format_claim_and_lease_comments_hold_the_issue(mav, inproc_emulator) -> None:
    """Property 7: the seeds' separate claim and lease comments, lease expiring in 10 min."""
    store = inproc_emulator.emulator.store
    now = store.now()
    stamp, expires = iso(now), iso(now + timedelta(minutes=10))
    claim = {"instance_id": "seed-agent", "host": "box", "scope": ["8"], "claimed_at": stamp}
    lease = {"instance_id": "seed-agent", "heartbeat_at": stamp, "expires_at": expires}
    owner = store.identify(f"as:{OWNER}:OWNER")
    for kind, payload in (("claim", claim), ("lease", lease)):
        body = f"<!-- maverick {kind} -->\n\n```maverick-{kind}\n{json.dumps(payload)}\n```"
        store.add_comment(issue(inproc_emulator, 8), owner, body)
    store.add_labels(issue(inproc_emulator, 8), [CLAIM_LABEL])

    held = mav("claim", "8", instance="agent-b")
    assert held.exit_code == 11 and "seed-agent" in held.stderr


def test_heartbeat_loop_releases_when_the_watched_process_is_gone(mav, inproc_emulator) -> None:
    assert mav("claim", "2").exit_code == 0
    gone = subprocess.Popen(["true"])
    gone.wait()
    looped = mav("coord", "heartbeat-loop", "2", "--while-pid", str(gone.pid))
    assert looped.exit_code == 0, looped.stderr
    assert CLAIM_LABEL not in labels(inproc_emulator, 2)


def test_several_issues_report_each_and_exit_with_the_worst(run_emulated) -> None:
    other = {**FAST, "MAVERICK_INSTANCE_ID": "other"}
    assert run_emulated("claim", "3", env=other).exit_code == 0
    result = run_emulated("claim", "2", "-", "--json", input="3\n5\n", env=FAST)
    assert result.exit_code == 11
    outcomes = {r["issue"]: r["exit_code"] for r in result.json()["results"]}
    assert outcomes == {2: 0, 3: 11, 5: 0}


def test_bad_input_is_one_clear_line_and_exit_2(run_emulated, inproc_emulator) -> None:
    store = inproc_emulator.emulator.store
    bug = store.issue(store.repo(OWNER, REPO), 8)
    store.update_issue(bug, store.identify(f"as:{OWNER}:OWNER"), state="closed")
    cases = {
        ("claim", "999"): "does not exist",
        ("claim", "8"): "closed",
        ("claim", "2", "--ttl", "soon"): "invalid --ttl",
        ("release", "2", "--reason", ""): "empty --reason",
    }
    for args, says in cases.items():
        result = run_emulated(*args, env=FAST)
        assert result.exit_code == 2, (args, result.stderr)
        assert says in result.stderr and "Traceback" not in result.stderr


def test_init_creates_the_labels_once(run_emulated, inproc_emulator) -> None:
    store = inproc_emulator.emulator.store
    repo = store.repo(OWNER, REPO)
    store.delete_label(repo, "needs-human")
    first = run_emulated("init", "--json").json()
    assert {lab["name"]: lab["created"] for lab in first["labels"]} == {
        "claude-in-progress": False,
        "needs-human": True,
    }
    assert store.label(repo, "needs-human").color == "b60205"
    again = run_emulated("init")
    assert again.exit_code == 0 and "exists" in again.stdout


def test_read_of_a_pull_request_number_is_a_usage_error(run_emulated, inproc_emulator) -> None:
    store = inproc_emulator.emulator.store
    repo = store.repo(OWNER, REPO)
    pull = store.create_pull(repo, store.identify(f"as:{OWNER}:OWNER"), "t", "feat", "main")
    result = run_emulated("read", str(pull.number))
    assert result.exit_code == 2
    assert "pull request" in result.stderr


def test_a_claim_reads_the_configuration_once(run_emulated, monkeypatch, tmp_path) -> None:
    import json

    from maverick_ext import config

    checkout = tmp_path / "checkout"
    (checkout / ".git").mkdir(parents=True)
    (checkout / ".maverick").mkdir()
    (checkout / ".maverick" / "config.json").write_text(
        json.dumps({"coordination": {"lease_ttl_s": 120}})
    )
    reads = []
    real = config.load_config
    monkeypatch.setattr(config, "load_config", lambda *a, **k: reads.append(a) or real(*a, **k))
    claimed = run_emulated("claim", "2", "--json", env=FAST, cwd=checkout)
    assert claimed.exit_code == 0, claimed.stderr
    assert len(reads) == 1


def test_max_concurrent_worktrees_from_the_environment_caps_epic_next(run_emulated) -> None:
    result = run_emulated("epic", "next", "1", "--json", env={"MAX_CONCURRENT_WORKTREES": "1"})
    assert [s["number"] for s in result.json()["stories"]] == [2]
    bad = run_emulated("epic", "next", "1", env={"MAX_CONCURRENT_WORKTREES": "0"})
    assert bad.exit_code == 2 and "invalid MAX_CONCURRENT_WORKTREES='0'" in bad.stderr


def test_release_all_leaves_a_story_whose_ref_another_instance_holds_now(
    run_emulated, inproc_emulator
) -> None:
    """The labelled-issue fallback of `release --all` judges by the ref, as `read` does:
    our claim comment still says active, but the ref is agent-b's, so nothing is ours."""
    a, b = {**FAST, "MAVERICK_INSTANCE_ID": "agent-a"}, {**FAST, "MAVERICK_INSTANCE_ID": "agent-b"}
    assert run_emulated("claim", "2", env=a).exit_code == 0
    repo = inproc_emulator.emulator.store.repo(OWNER, REPO)
    del repo.refs["refs/maverick/claims/2"]  # a lost ref (a crashed release, a prune)
    assert run_emulated("claim", "2", env=b).exit_code == 0  # the ref is b's now
    result = run_emulated("release", "--all", "--reason", "abort", "--json", env=a)
    assert result.exit_code == 0, result.stderr
    assert result.json()["results"] == []  # not "released #2": it was never a's to release
    held = run_emulated("read", "2", "--json").json()["holder"]
    assert held["instance_id"] == "agent-b"
    assert "claude-in-progress" in run_emulated("read", "2", "--json").json()["labels"]


def test_resume_point_names_the_refs_holder_not_an_old_claim_comment(
    run_emulated, inproc_emulator
) -> None:
    a, b = {**FAST, "MAVERICK_INSTANCE_ID": "agent-a"}, {**FAST, "MAVERICK_INSTANCE_ID": "agent-b"}
    assert run_emulated("claim", "2", env=a).exit_code == 0
    del inproc_emulator.emulator.store.repo(OWNER, REPO).refs["refs/maverick/claims/2"]
    assert run_emulated("claim", "2", env=b).exit_code == 0
    result = run_emulated("coord", "resume-point", "2", "--json", env=a)
    assert result.exit_code == 0, result.stderr
    evidence = result.json()["evidence"]
    assert (evidence["holder"], evidence["held_by_me"]) == ("agent-b", False)
    assert len(result.calls) == 1  # the claim read selects the ref: still one request


def test_a_heartbeat_repairs_a_claim_comment_the_seeds_rewrote_in_its_usual_calls(
    run_emulated, inproc_emulator
) -> None:
    # maverick-harness's lease write rewrites the latest lease comment (ours) to a lease
    # fence alone (docs/claims.md, Mixed fleets); our next heartbeat puts the record back.
    assert run_emulated("claim", "2", env=FAST).exit_code == 0
    store = inproc_emulator.emulator.store
    [ours] = store.issue(store.repo(OWNER, REPO), 2).comments
    record = ours.body
    lease = '{"expires_at": "2099-01-01T00:00:00Z", "instance_id": "seed-x"}'
    store.update_comment(ours, f"<!-- maverick lease -->\n\n```maverick-lease\n{lease}\n```")
    normal = run_emulated("heartbeat", "2", env=FAST)
    beat = run_emulated("heartbeat", "2", "--json", env=FAST)
    assert beat.exit_code == normal.exit_code == 0, beat.stderr
    # Its usual calls: the one edit (the instance remembers its claim: docs/claims.md).
    assert len(beat.calls) == len(normal.calls) == 1
    repaired = store.issue(store.repo(OWNER, REPO), 2).comments
    assert [c.id for c in repaired] == [ours.id]

    def claim_fence(body: str) -> dict:  # claimed_at is rebuilt from the commit's date
        claim = {m.kind: m.payload for m in parse_body(body).markers}["claim"]
        return {k: v for k, v in claim.items() if k != "claimed_at"}

    assert claim_fence(repaired[0].body) == claim_fence(record)


def test_read_json_shows_the_holder_records_and_skips_a_malformed_marker(
    mav, inproc_emulator
) -> None:
    assert mav("claim", "2", env={"MAVERICK_SETTLE_S": "0"}).exit_code == 0
    store = inproc_emulator.emulator.store
    # The repository's owner: OWNER whatever the org's membership visibility (a private
    # member shows as NONE, whose markers are not read at all, so nothing would be skipped).
    owner = store.identify(USER_TOKEN)
    store.add_comment(issue(inproc_emulator, 2), owner, "```maverick-claim\n{not json\n```")

    result = mav("read", "2", "--json", instance="agent-b")

    assert result.exit_code == 0, result.stderr
    assert len(result.calls) == 1  # labels, comments and the clock in one call
    state = result.json()
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
