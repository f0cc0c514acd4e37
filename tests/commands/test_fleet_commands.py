"""The fleet's commands in-process on the ref protocol: `claims`, `whoami`, `epic next
--claim`, an account's own markers under each spelling, a 12-story epic drained by three
agents taking turns, and `doctor`'s dry run / --fix / nothing-left cycle — what they find
and what they cost (every request is recorded). Agents racing for the next story:
test_racing_instances.py."""

from __future__ import annotations

from collections.abc import Iterator
from math import ceil

import pytest

from maverick_ext.emulator.seeds import AGENT_APP, AGENT_TOKEN, OWNER, REPO, USER_TOKEN

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
        ("POST", "ClaimRefs"),
        ("GET", f"repos/{OWNER}/{REPO}/issues"),
        ("POST", "ClaimRead"),
    ]
    table = run_emulated("claims")
    assert "comment" in table.stdout and "seed-agent" in table.stdout


def test_claims_does_not_read_the_issues_of_released_refs(run_emulated) -> None:
    for number in ("2", "3"):
        assert run_emulated("claim", number, env=FAST).exit_code == 0
    assert run_emulated("release", "2", "--reason", "complete").exit_code == 0
    result = run_emulated("claims", "--json")
    assert [c["issue"] for c in result.json()["claims"]] == [3]
    [read] = [c for c in result.calls if c.operation == "ClaimRead"]
    assert "r2:" not in read.body["query"] and "r3:" in read.body["query"]


def test_claims_reads_the_issues_fifty_per_call(run_emulated, inproc_emulator, demo) -> None:
    store, repo, owner = demo.store, demo.repo, demo.owner
    for i in range(60):  # labelled, nobody holds them: each is still read once
        store.add_labels(store.create_issue(repo, owner, f"bulk {i}", ""), ["claude-in-progress"])
    result = run_emulated("claims", "--json")
    assert result.exit_code == 0 and result.json()["claims"] == []
    reads = [c for c in result.calls if c.operation == "ClaimRead"]
    assert len(reads) == ceil(60 / 50) and len(result.calls) <= 1 + ceil(60 / 50) + 1


def test_doctor_finds_refs_labels_and_snapshots_without_a_live_lease_fixes_them_once(
    run_emulated, inproc_emulator, demo
) -> None:
    emulator = inproc_emulator.emulator
    store, repo, owner = demo.store, demo.repo, demo.owner
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


def test_doctor_finds_a_released_claim_ref_left_on_a_closed_issue(run_emulated, demo) -> None:
    # The usual end of a story: released (the ref keeps its released record), then closed.
    assert run_emulated("claim", "5", env=FAST).exit_code == 0
    assert run_emulated("release", "5", "--reason", "merged").exit_code == 0
    demo.store.update_issue(demo.store.issue(demo.repo, 5), demo.owner, state="closed")
    found = run_emulated("doctor", "--json").json()["findings"]
    assert [(f["check"], f["issue"]) for f in found] == [("closed_ref", 5)]
    assert run_emulated("doctor", "--fix", "--json").json()["findings"][0]["fixed"] is True
    assert "refs/maverick/claims/5" not in demo.repo.refs


def test_doctor_names_the_pr_not_held_by_the_claim_holder(
    run_emulated, inproc_emulator, demo
) -> None:
    store, repo, owner = demo.store, demo.repo, demo.owner
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


def test_doctor_records_a_merge_nobody_recorded_once(run_emulated, inproc_emulator, demo) -> None:
    store, repo, owner = demo.store, demo.repo, demo.owner
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


def test_claims_whoami_and_next_claim(run_emulated) -> None:
    me = run_emulated("whoami", "--json").json()
    assert (me["instance_id"], me["source"]) == ("agent-a", "MAVERICK_INSTANCE_ID")
    assert me["repo"] == f"{OWNER}/{REPO}" and me["honoured"] is True
    won = run_emulated("epic", "next", "1", "--claim", "--settle", "0")
    assert won.exit_code == 0, won.stderr
    assert won.stdout.startswith("#2\t")  # critical path first
    b, c = {"MAVERICK_INSTANCE_ID": "agent-b"}, {"MAVERICK_INSTANCE_ID": "agent-c"}
    second = run_emulated("epic", "next", "1", "--claim", "--settle", "0", "--json", env=b)
    assert second.json()["claimed"]["number"] == 3
    fleet = run_emulated("claims", "--json").json()
    assert [(c["issue"], c["instance_id"], c["epic"]) for c in fleet["claims"]] == [
        (2, "agent-a", 1), (3, "agent-b", 1),
    ]  # fmt: skip
    mine = run_emulated("claims", "--mine", "--epic", "1", "--json", env=b).json()
    assert [c["issue"] for c in mine["claims"]] == [3]
    waiting = run_emulated("epic", "next", "1", "--claim", "--settle", "0", env=c)
    assert waiting.exit_code == 16 and "in flight #2 #3" in waiting.stderr


def _as(inproc_emulator, method: str, path: str, token: str, body: object = None):
    """One request straight to the emulator (what `gh api` would send), as ``token``."""
    import json

    headers = {"Authorization": f"token {token}"}
    data = json.dumps(body).encode() if body is not None else b""
    answer = inproc_emulator.emulator.handle(method, path, headers, data)
    assert answer.status < 400, answer.body
    return answer.body


@pytest.mark.parametrize(
    ("token", "account", "graphql_login"),
    [
        (AGENT_TOKEN, f"{AGENT_APP}[bot]", AGENT_APP),  # the tiers' default: a GitHub App's Bot
        (USER_TOKEN, OWNER, OWNER),  # a person's account: one spelling everywhere
    ],
)
def test_an_account_recognises_its_own_markers_under_each_spelling(
    run_emulated, inproc_emulator, token, account, graphql_login
) -> None:
    """viewer.login and REST say ``slug[bot]``, GraphQL ``author.login`` says ``slug``: the
    second write still edits the first one's comment instead of posting another."""
    inproc_emulator.token = token
    me = run_emulated("whoami", "--json").json()
    assert (me["account"], me["honoured"]) == (account, True)
    for phase in ("design", "tasks"):
        assert run_emulated("task-progress", "set", "5", phase, "--json").exit_code == 0
    comments = _as(inproc_emulator, "GET", f"/repos/{OWNER}/{REPO}/issues/5/comments", token)
    assert [c["user"]["login"] for c in comments] == [account]
    query = (
        f'query {{ repository(owner: "{OWNER}", name: "{REPO}") {{ issue(number: 5) {{ '
        "comments(first: 5) { nodes { author { login } } } } } }"
    )
    found = _as(inproc_emulator, "POST", "/graphql", token, {"query": query})
    nodes = found["data"]["repository"]["issue"]["comments"]["nodes"]
    assert [n["author"]["login"] for n in nodes] == [graphql_login]
    progress = run_emulated("task-progress", "read", "5", "--json").json()
    assert progress["phase"] == "tasks"


def test_doctor_finds_each_planted_inconsistency_fixes_it_and_then_reports_nothing(
    run_emulated, inproc_emulator, demo
) -> None:
    emulator = inproc_emulator.emulator
    store, repo, owner = demo.store, demo.repo, demo.owner
    assert run_emulated("dag", "build", "1", "--write", "--json").exit_code == 0
    store.add_labels(store.issue(repo, 5), ["claude-in-progress"])  # a label, no claim
    gone, x = {**FAST, "MAVERICK_INSTANCE_ID": "gone"}, {**FAST, "MAVERICK_INSTANCE_ID": "agent-x"}
    assert run_emulated("claim", "3", env=gone).exit_code == 0
    store.update_issue(store.issue(repo, 3), owner, state="closed")  # closed under a claim
    assert run_emulated("state", "set", "1", "4", "ejected", "--json").exit_code == 0
    journal = '{"epic": 1, "ejected": 4, "descendants": [6, 7], "labelled": [], "commented": []}'
    store.add_comment(store.issue(repo, 1), store.identify(USER_TOKEN),
                      f"```maverick-bprop\n{journal}\n```\n")  # fmt: skip
    # drift: #7 lost its dependencies on #5 and #6... and gained #2
    store.update_issue(store.issue(repo, 7), owner, body="depends on #2")
    merged = store.create_pull(repo, owner, "Config", "feat/2-config", "main", body="Closes #2")
    store.merge_pull(merged, owner)  # merged, but nobody labelled #2 merged-to-main
    assert run_emulated("claim", "6", env=x).exit_code == 0
    recorded = run_emulated("task-progress", "set", "6", "branch", "--branch", "feat/6-x", env=x)
    assert recorded.exit_code == 0, recorded.stderr
    store.create_pull(repo, owner, "Report", "feat/6-x", "main", body="Closes #6")
    twin = store.create_pull(repo, owner, "Report too", "feat/6-y", "main", body="Closes #6")
    emulator.advance_clock(120)  # the journal is abandoned, not live

    dry = run_emulated("doctor", "--epic", "1", "--json").json()
    checks = sorted((f["check"], f["issue"]) for f in dry["findings"])
    assert checks == [
        ("bprop_journal", 4), ("closed_claim", 3), ("closed_ref", 3), ("dag_drift", 1),
        ("duplicate_pr", 6), ("merged_unrecorded", 2), ("stale_label", 5),
    ]  # fmt: skip
    assert not any(f["fixed"] for f in dry["findings"]) and dry["repo"] == f"{OWNER}/{REPO}"
    [duplicate] = [f for f in dry["findings"] if f["check"] == "duplicate_pr"]
    assert duplicate["message"].endswith(f"not the holder's: PR #{twin.number} (feat/6-y)")

    fixed = run_emulated("doctor", "--epic", "1", "--fix", "--json").json()
    assert len(fixed["findings"]) == 7
    assert all(f["fixed"] for f in fixed["findings"] if f["check"] != "duplicate_pr")
    assert "refs/maverick/claims/3" not in repo.refs  # pruned
    assert "blocked-by:#4" in [lb.name for lb in store.issue(repo, 6).labels]
    assert "merged-to-main" in [lb.name for lb in store.issue(repo, 2).labels]
    left = run_emulated("doctor", "--epic", "1", "--json").json()
    assert [(f["check"], f["issue"]) for f in left["findings"]] == [("duplicate_pr", 6)]
    # The person closes the twin and deletes its branch; then nothing is left.
    store.update_pull(twin, owner, state="closed")
    store.delete_ref(repo, "refs/heads/feat/6-y")
    again = run_emulated("doctor", "--epic", "1", "--json").json()
    assert again["findings"] == []


def test_three_agents_taking_turns_drain_a_12_story_epic_with_one_ejection_and_one_hand_close(
    run_emulated, inproc_emulator, demo
) -> None:
    """Each agent's loop as the seeds run it (next --claim, state set, bprop, release), the
    three interleaved one command at a time: claims stay visible to the others while held.
    (Agents racing for the next story: test_racing_instances.py.)"""
    store, repo, owner = demo.store, demo.repo, demo.owner
    epic = store.create_issue(repo, owner, "Epic: fleet", "twelve stories")
    stories = [store.create_issue(repo, owner, f"Fleet story {i}", "") for i in range(12)]
    n = [s.number for s in stories]
    for i, story in enumerate(stories):
        if i >= 3:  # three chains of four: i depends on i - 3
            story.body = f"depends on #{n[i - 3]}"
        store.add_sub_issue(epic, story)
    ejected, hand_closed = n[4], n[11]  # #4 blocks #7 and #10; #11 is closed by a person
    store.update_issue(store.issue(repo, hand_closed), owner, state="closed")
    e = str(epic.number)
    handled: list[tuple[str, int]] = []
    seen_in_flight: list[int] = []

    def agent(name: str) -> Iterator[None]:
        env = {"MAVERICK_INSTANCE_ID": name}
        for _ in range(20):  # bounded: at most 20 picks per agent
            picked = run_emulated("epic", "next", e, "--claim", "--settle", "0.5", "--json",
                                  env=env)  # fmt: skip
            if picked.exit_code == 17:
                return
            yield
            if picked.exit_code == 16:
                continue  # others are in flight: look again
            assert picked.exit_code == 0, picked.stderr
            number = picked.json()["claimed"]["number"]
            handled.append((name, number))
            outcome = "ejected" if number == ejected else "merged"
            args = ["state", "set", e, str(number), outcome] + (
                ["--branch", "main"] if outcome == "merged" else []
            )
            assert run_emulated(*args, env=env).exit_code == 0
            yield
            if outcome == "ejected":
                assert run_emulated("bprop", "run", e, "--ejected", str(number),
                                    env=env).exit_code == 0  # fmt: skip
            fleet = run_emulated("claims", "--epic", e, "--json").json()
            claimed = [c["issue"] for c in fleet["claims"]]
            assert number in claimed  # the fleet is visible
            seen_in_flight.append(len(claimed))
            yield
            released = run_emulated("release", str(number), "--reason", outcome, env=env)
            assert released.exit_code == 0, released.stderr

    running = [agent(name) for name in ("agent-1", "agent-2", "agent-3")]
    for _ in range(200):  # bounded round-robin: one step of each agent in turn
        if not running:
            break
        for turn in list(running):
            if next(turn, StopIteration) is StopIteration:
                running.remove(turn)
    assert not running
    numbers = [number for _, number in handled]
    assert len(numbers) == len(set(numbers))  # every story handled exactly once
    assert sorted(numbers) == sorted(set(n) - {hand_closed, n[7], n[10]})
    assert max(seen_in_flight) == 3  # the three held stories at once
    assert {name for name, _ in handled} == {"agent-1", "agent-2", "agent-3"}
    for blocked in (n[7], n[10]):  # the ejected story's descendants, and only they
        assert f"blocked-by:#{ejected}" in [lb.name for lb in store.issue(repo, blocked).labels]
    assert run_emulated("claims", "--epic", e, "--json").json()["claims"] == []  # all released
    summary = run_emulated("epic", "summary", e, "--post", "--json").json()
    assert summary["counts"] == {
        "merged": 8, "closed": 1, "ejected": 1, "blocked": 2, "in_flight": 0, "pending": 0,
    }  # fmt: skip
    assert summary["closed"] is False  # a person must decide on the ejected story first
    assert [q["number"] for q in summary["human_queue"]] == [ejected, n[7], n[10]]
    for decided in (ejected, n[7], n[10]):  # the person drops them: not planned
        store.update_issue(
            store.issue(repo, decided), owner, state="closed", state_reason="not_planned"
        )
    final = run_emulated("epic", "summary", e, "--post", "--json").json()
    assert final["counts"]["closed"] == 4 and final["counts"]["merged"] == 8
    assert final["closed"] is True and final["close_policy"] == "on_pr_merge"
    assert store.issue(repo, epic.number).state == "closed"
