"""Claim commands in-process (moved from tests/e2e/test_claims_cli.py and test_read.py:
exit codes and messages for bad input, several issues at once, `init`, none of which needs
a separate process; what does — racing processes, --while-pid — stays there)."""

from __future__ import annotations

from maverick_ext.core.markers import parse_body
from maverick_ext.emulator.seeds import OWNER, REPO

FAST = {"MAVERICK_SETTLE_S": "0.2"}


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
