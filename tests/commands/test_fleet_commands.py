"""`claims` and `doctor` in-process on the ref protocol: what they find, what they cost
(every request is recorded), and doctor's dry run / --fix / nothing-left cycle."""

from __future__ import annotations

from math import ceil

from maverick_ext.emulator.seeds import OWNER, REPO

FAST = {"MAVERICK_SETTLE_S": "0"}


def _seed_claim(store, number: int, instance: str) -> None:
    """A seed-format claim: separate claim and lease comments, no ref (the seeds' agents)."""
    issue = store.issue(store.repo(OWNER, REPO), number)
    me = store.identify("sandbox-token")
    claim = f'{{"instance_id": "{instance}", "claimed_at": "2026-01-01T00:00:00Z"}}'
    lease = (
        f'{{"instance_id": "{instance}", "heartbeat_at": "2026-01-01T00:00:00Z", '
        '"expires_at": "2026-01-01T00:10:00Z"}'
    )
    store.add_comment(issue, me, f"```maverick-claim\n{claim}\n```\n")
    store.add_comment(issue, me, f"```maverick-lease\n{lease}\n```\n")
    store.add_labels(issue, ["claude-in-progress"])


def test_claims_shows_ref_holders_with_their_epoch_and_seed_claims_as_comment_mode(
    run_emulated, inproc_emulator
) -> None:
    assert run_emulated("claim", "2", "3", env={**FAST, "MAVERICK_INSTANCE_ID": "a"}).exit_code == 0
    assert run_emulated("claim", "8", env={**FAST, "MAVERICK_INSTANCE_ID": "b"}).exit_code == 0
    _seed_claim(inproc_emulator.emulator.store, 5, "seed-agent")
    result = run_emulated("claims", "--json")
    assert result.exit_code == 0, result.stderr
    rows = [(c["issue"], c["instance_id"], c["mode"], c["epoch"]) for c in result.json()["claims"]]
    assert rows == [
        (2, "a", "ref", 1), (3, "a", "ref", 1), (5, "seed-agent", "comment", None),
        (8, "b", "ref", 1),
    ]  # fmt: skip
    # the claim refs, the labelled issues, one read of the four: 1 + ceil(4/50) + 1
    assert [(c.method, c.operation or c.path.split("?")[0]) for c in result.calls] == [
        ("GET", f"repos/{OWNER}/{REPO}/git/matching-refs/maverick/claims/"),
        ("GET", f"repos/{OWNER}/{REPO}/issues"),
        ("POST", "ClaimRead"),
    ]
    table = run_emulated("claims")
    assert "comment" in table.stdout and "seed-agent" in table.stdout


def test_claims_reads_the_issues_fifty_per_call(run_emulated, inproc_emulator) -> None:
    store = inproc_emulator.emulator.store
    repo = store.repo(OWNER, REPO)
    owner = store.identify(f"as:{OWNER}:OWNER")
    for i in range(60):  # labelled, nobody holds them: each is still read once
        store.add_labels(store.create_issue(repo, owner, f"bulk {i}", ""), ["claude-in-progress"])
    result = run_emulated("claims", "--json")
    assert result.exit_code == 0 and result.json()["claims"] == []
    reads = [c for c in result.calls if c.operation == "ClaimRead"]
    assert len(reads) == ceil(60 / 50) and len(result.calls) <= 1 + ceil(60 / 50) + 1


def test_doctor_finds_refs_labels_and_snapshots_without_a_live_lease_fixes_them_once(
    run_emulated, inproc_emulator
) -> None:
    emulator = inproc_emulator.emulator
    store = emulator.store
    repo = store.repo(OWNER, REPO)
    owner = store.identify(f"as:{OWNER}:OWNER")
    gone = {**FAST, "MAVERICK_INSTANCE_ID": "gone"}
    assert run_emulated("claim", "2", "3", env=gone).exit_code == 0
    assert run_emulated("state", "show", "1", "--write", "--json").exit_code == 0
    store.update_issue(store.issue(repo, 3), owner, state="closed")  # its ref stays behind
    emulator.advance_clock(11 * 60)  # both leases end: the snapshot still says in_flight
    assert run_emulated("claim", "8", env={**FAST, "MAVERICK_INSTANCE_ID": "live"}).exit_code == 0

    dry = run_emulated("doctor", "--epic", "1", "--json")
    assert dry.exit_code == 0, dry.stderr
    found = sorted((f["check"], f["issue"]) for f in dry.json()["findings"])
    assert found == [
        ("closed_ref", 3), ("stale_in_flight", 2), ("stale_in_flight", 3),
        ("stale_label", 2), ("stale_label", 3),
    ]  # fmt: skip
    assert not any(f["fixed"] for f in dry.json()["findings"])
    assert "refs/maverick/claims/3" in repo.refs  # a dry run writes nothing
    writes = [
        c for c in dry.calls
        if c.method != "GET" and not (c.path == "graphql" and c.body["query"].lstrip().startswith("query"))
    ]  # fmt: skip
    assert writes == []

    fixed = run_emulated("doctor", "--epic", "1", "--fix", "--json")
    assert fixed.exit_code == 0, fixed.stderr
    assert all(f["fixed"] for f in fixed.json()["findings"]) and len(fixed.json()["findings"]) == 5
    assert "refs/maverick/claims/3" not in repo.refs
    assert "refs/maverick/claims/8" in repo.refs  # the live claim is left alone
    assert "claude-in-progress" in [lb.name for lb in store.issue(repo, 8).labels]

    again = run_emulated("doctor", "--epic", "1", "--json")
    assert again.exit_code == 0 and again.json()["findings"] == []
    assert run_emulated("doctor", "--epic", "1", "--fix", "--json").json()["findings"] == []


def test_doctor_names_the_pr_not_held_by_the_claim_holder(run_emulated, inproc_emulator) -> None:
    store = inproc_emulator.emulator.store
    repo = store.repo(OWNER, REPO)
    owner = store.identify(f"as:{OWNER}:OWNER")
    a = {**FAST, "MAVERICK_INSTANCE_ID": "agent-a"}
    assert run_emulated("claim", "5", env=a).exit_code == 0
    progress = run_emulated("task-progress", "set", "5", "branch", "--branch", "feat/5-cli", env=a)
    assert progress.exit_code == 0, progress.stderr
    mine = store.create_pull(repo, owner, "CLI", "feat/5-cli", "main", body="Closes #5")
    twin = store.create_pull(repo, owner, "CLI again", "feat/5-cli-v2", "main", body="Closes #5")
    result = run_emulated("doctor", "--json")
    assert result.exit_code == 0, result.stderr
    [finding] = [f for f in result.json()["findings"] if f["check"] == "duplicate_pr"]
    assert finding["issue"] == 5 and finding["fix"] is None  # a person closes it
    kept, extra = finding["message"].split("not the holder's: ")
    assert f"PR #{mine.number} (feat/5-cli) is the holder agent-a's" in kept
    assert extra == f"PR #{twin.number} (feat/5-cli-v2)"
    store.update_pull(twin, owner, state="closed")  # the person closes the twin
    del repo.refs["refs/heads/feat/5-cli-v2"]  # and deletes its branch
    again = run_emulated("doctor", "--json")
    assert [f for f in again.json()["findings"] if f["check"] == "duplicate_pr"] == []


def test_doctor_records_a_merge_nobody_recorded_once(run_emulated, inproc_emulator) -> None:
    store = inproc_emulator.emulator.store
    repo = store.repo(OWNER, REPO)
    owner = store.identify(f"as:{OWNER}:OWNER")
    assert run_emulated("state", "show", "1", "--write", "--json").exit_code == 0  # 2 pending
    pull = store.create_pull(repo, owner, "Config", "feat/2-config", "main", body="Closes #2")
    store.merge_pull(pull, owner)  # merged on GitHub; no merged-to label, snapshot stale
    dry = run_emulated("doctor", "--epic", "1", "--json")
    assert dry.exit_code == 0, dry.stderr
    [finding] = [f for f in dry.json()["findings"] if f["check"] == "merged_unrecorded"]
    assert finding["issue"] == 2 and not finding["fixed"]
    assert "no merged-to-main label" in finding["message"] and "says pending" in finding["message"]
    fixed = run_emulated("doctor", "--epic", "1", "--fix", "--json")
    assert [f["fixed"] for f in fixed.json()["findings"] if f["check"] == "merged_unrecorded"] == [
        True
    ]
    assert "merged-to-main" in [lb.name for lb in store.issue(repo, 2).labels]
    shown = run_emulated("gh-state", "read", "1", "maverick-state").json()
    assert shown["stories"]["2"] == "merged"
    again = run_emulated("doctor", "--epic", "1", "--json")
    assert again.json()["findings"] == []
