"""The fleet's commands: claims, whoami, epic next --claim, and a claim on an issue closed
meanwhile — the services in-process (real gh, emulator, injected clock) and the commands
through the installed extension."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import AGENT_APP, OWNER, REPO, USER_TOKEN
from maverick_ext.errors import ExitCode
from maverick_ext.services.fleet import claim_first, find_claims
from tests.e2e.test_claims_protocol import FAST, agent, clock

__all__ = ["agent", "clock"]  # fixtures shared with the claim protocol tests

pytestmark = pytest.mark.e2e


def ok(result: subprocess.CompletedProcess[str]) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_claim_on_a_closed_issue_is_refused_and_leaves_no_claim_ref(
    emulator: Emulator, agent
) -> None:
    # Ref mode has no settle window to close the issue in: the read before the CAS decides
    # (a close after the CAS leaves a ref that `doctor` reports as closed_ref).
    store = emulator.store
    repo = store.repo(OWNER, REPO)
    store.update_issue(store.issue(repo, 5), store.identify(f"as:{OWNER}:OWNER"), state="closed")
    (outcome,) = agent("a").claim([5], FAST)
    assert outcome.code == ExitCode.USAGE and "closed" in outcome.message
    assert "refs/maverick/claims/5" not in repo.refs
    assert find_claims(agent("b").client, frozenset()) == []


def test_find_claims_lists_every_holder_with_its_epic(emulator: Emulator, agent) -> None:
    a, b = agent("a"), agent("b")
    a.claim([2, 3], FAST)
    b.claim([8], FAST)
    emulator.clear_log()
    found = find_claims(a.client, frozenset())
    assert [(c.issue, c.record.instance_id, c.epic) for c in found] == [
        (2, "a", 1), (3, "a", 1), (8, "b", None),
    ]  # fmt: skip
    assert len(emulator.request_log) == 3  # the claim refs, the label listing, one batch
    assert {c.to_json()["mode"] for c in found} == {"ref"}
    assert [c.to_json()["epoch"] for c in found] == [1, 1, 1]
    assert all(c.to_json()["lease_left_s"] > 0 for c in found)


def test_claim_first_moves_past_a_story_another_agent_holds(emulator: Emulator, agent) -> None:
    agent("b").claim([2], FAST)
    result = claim_first(agent("a"), FAST, lambda tried: [2, 3, 5])
    assert result.won is not None and result.won.issue == 3
    assert [(t["number"], t["exit_code"]) for t in result.tried] == [(2, 11), (3, 0)]


def test_claims_whoami_and_next_claim_through_gh(gh_maverick) -> None:
    me = ok(gh_maverick("whoami", "--json", instance="agent-a"))
    assert (me["instance_id"], me["source"]) == ("agent-a", "MAVERICK_INSTANCE_ID")
    assert me["repo"] == f"{OWNER}/{REPO}" and me["honoured"] is True
    won = gh_maverick("epic", "next", "1", "--claim", "--settle", "0", instance="agent-a")
    assert won.returncode == 0, won.stderr
    assert won.stdout.startswith("#2\t")  # critical path first
    second = ok(gh_maverick("epic", "next", "1", "--claim", "--settle", "0", "--json",
                            instance="agent-b"))  # fmt: skip
    assert second["claimed"]["number"] == 3
    fleet = ok(gh_maverick("claims", "--json"))
    assert [(c["issue"], c["instance_id"], c["epic"]) for c in fleet["claims"]] == [
        (2, "agent-a", 1), (3, "agent-b", 1),
    ]  # fmt: skip
    mine = ok(gh_maverick("claims", "--mine", "--epic", "1", "--json", instance="agent-b"))
    assert [c["issue"] for c in mine["claims"]] == [3]
    waiting = gh_maverick("epic", "next", "1", "--claim", "--settle", "0", instance="agent-c")
    assert waiting.returncode == 16 and "in flight #2 #3" in waiting.stderr


@pytest.mark.parametrize(
    ("token", "account", "graphql_login"),
    [
        (None, f"{AGENT_APP}[bot]", AGENT_APP),  # the tiers' default: a GitHub App's Bot
        (USER_TOKEN, OWNER, OWNER),  # a person's account: one spelling everywhere
    ],
)
def test_an_account_recognises_its_own_markers_under_each_spelling(
    gh_maverick, gh, token, account, graphql_login
) -> None:
    """viewer.login and REST say ``slug[bot]``, GraphQL ``author.login`` says ``slug``: the
    second write still edits the first one's comment instead of posting another."""
    me = ok(gh_maverick("whoami", "--json", token=token))
    assert (me["account"], me["honoured"]) == (account, True)
    for phase in ("design", "tasks"):
        ok(gh_maverick("task-progress", "set", "5", phase, "--json", token=token))
    comments = gh("api", f"repos/{OWNER}/{REPO}/issues/5/comments", "--jq", "[.[].user.login]")
    assert json.loads(comments.stdout) == [account]
    query = (
        f'query {{ repository(owner: "{OWNER}", name: "{REPO}") {{ issue(number: 5) {{ '
        "comments(first: 5) { nodes { author { login } } } } } }"
    )
    authors = gh("api", "graphql", "-f", f"query={query}", "--jq", "[.. | .login? // empty]")
    assert json.loads(authors.stdout) == [graphql_login]
    progress = ok(gh_maverick("task-progress", "read", "5", "--json", token=token))
    assert progress["phase"] == "tasks"


def test_many_agents_claiming_next_at_once_each_get_a_different_story(gh_maverick) -> None:
    def pick(i: int) -> subprocess.CompletedProcess[str]:
        return gh_maverick(
            "epic", "next", "1", "--claim", "--settle", "1", "--json", instance=f"agent-{i}"
        )

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(pick, range(3)))
    won = [json.loads(r.stdout)["claimed"] for r in results if r.returncode == 0]
    assert all(r.returncode in (0, 16) for r in results), [r.stderr for r in results]
    numbers = [w["number"] for w in won]
    assert len(numbers) == len(set(numbers)) >= 1  # never two agents on one story
    assert set(numbers) <= {2, 3}


def test_doctor_finds_each_planted_inconsistency_fixes_it_and_then_reports_nothing(
    gh_maverick, gh, emulator: Emulator
) -> None:
    store = emulator.store
    repo = store.repo(OWNER, REPO)
    owner = store.identify(f"as:{OWNER}:OWNER")
    ok(gh_maverick("dag", "build", "1", "--write", "--json"))
    store.add_labels(store.issue(repo, 5), ["claude-in-progress"])  # a label, no claim
    assert gh_maverick("claim", "3", "--settle", "0", instance="gone").returncode == 0
    store.update_issue(store.issue(repo, 3), owner, state="closed")  # closed under a claim
    ok(gh_maverick("state", "set", "1", "4", "ejected", "--json"))
    journal = '{"epic": 1, "ejected": 4, "descendants": [6, 7], "labelled": [], "commented": []}'
    store.add_comment(store.issue(repo, 1), store.identify("sandbox-token"),
                      f"```maverick-bprop\n{journal}\n```\n")  # fmt: skip
    edit = gh("api", "-X", "PATCH", f"repos/{OWNER}/{REPO}/issues/7", "-f", "body=depends on #2")
    assert edit.returncode == 0  # drift: #7 lost its dependencies on #5 and #6... and gained #2
    merged = store.create_pull(repo, owner, "Config", "feat/2-config", "main", body="Closes #2")
    store.merge_pull(merged, owner)  # merged, but nobody labelled #2 merged-to-main
    assert gh_maverick("claim", "6", "--settle", "0", instance="agent-x").returncode == 0
    recorded = gh_maverick("task-progress", "set", "6", "branch", "--branch", "feat/6-x",
                           instance="agent-x")  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    store.create_pull(repo, owner, "Report", "feat/6-x", "main", body="Closes #6")
    twin = store.create_pull(repo, owner, "Report too", "feat/6-y", "main", body="Closes #6")
    emulator.advance_clock(120)  # the journal is abandoned, not live

    dry = ok(gh_maverick("doctor", "--epic", "1", "--json"))
    checks = sorted((f["check"], f["issue"]) for f in dry["findings"])
    assert checks == [
        ("bprop_journal", 4), ("closed_claim", 3), ("closed_ref", 3), ("dag_drift", 1),
        ("duplicate_pr", 6), ("merged_unrecorded", 2), ("stale_label", 5),
    ]  # fmt: skip
    assert not any(f["fixed"] for f in dry["findings"]) and dry["repo"] == f"{OWNER}/{REPO}"
    [duplicate] = [f for f in dry["findings"] if f["check"] == "duplicate_pr"]
    assert duplicate["message"].endswith(f"not the holder's: PR #{twin.number} (feat/6-y)")

    fixed = ok(gh_maverick("doctor", "--epic", "1", "--fix", "--json"))
    assert len(fixed["findings"]) == 7
    assert all(f["fixed"] for f in fixed["findings"] if f["check"] != "duplicate_pr")
    assert "refs/maverick/claims/3" not in repo.refs  # pruned
    assert "blocked-by:#4" in [lb.name for lb in store.issue(repo, 6).labels]
    assert "merged-to-main" in [lb.name for lb in store.issue(repo, 2).labels]
    left = ok(gh_maverick("doctor", "--epic", "1", "--json"))
    assert [(f["check"], f["issue"]) for f in left["findings"]] == [("duplicate_pr", 6)]
    # The person closes the twin and deletes its branch; then nothing is left.
    path = f"repos/{OWNER}/{REPO}"
    assert gh("api", "-X", "PATCH", f"{path}/pulls/{twin.number}", "-f", "state=closed",
              ).returncode == 0  # fmt: skip
    assert gh("api", "-X", "DELETE", f"{path}/git/refs/heads/feat/6-y").returncode == 0
    again = ok(gh_maverick("doctor", "--epic", "1", "--json"))
    assert again["findings"] == []


def test_three_agents_drain_a_12_story_epic_with_one_ejection_and_one_hand_close(
    gh_maverick, gh, emulator: Emulator
) -> None:
    store = emulator.store
    repo = store.repo(OWNER, REPO)
    owner = store.identify(f"as:{OWNER}:OWNER")
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

    def agent(name: str) -> None:
        for _ in range(20):  # bounded: at most 20 picks per agent
            picked = gh_maverick("epic", "next", e, "--claim", "--settle", "0.5", "--json",
                                 instance=name)  # fmt: skip
            if picked.returncode == 17:
                return
            if picked.returncode == 16:
                continue  # others are in flight: look again
            number = ok(picked)["claimed"]["number"]
            handled.append((name, number))
            outcome = "ejected" if number == ejected else "merged"
            args = ["state", "set", e, str(number), outcome] + (
                ["--branch", "main"] if outcome == "merged" else []
            )
            assert gh_maverick(*args, instance=name).returncode == 0
            if outcome == "ejected":
                assert gh_maverick("bprop", "run", e, "--ejected", str(number),
                                   instance=name).returncode == 0  # fmt: skip
            fleet = ok(gh_maverick("claims", "--epic", e, "--json"))
            assert number in [c["issue"] for c in fleet["claims"]]  # the fleet is visible
            released = gh_maverick("release", str(number), "--reason", outcome, instance=name)
            assert released.returncode == 0, released.stderr

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(agent, ["agent-1", "agent-2", "agent-3"]))
    numbers = [number for _, number in handled]
    assert len(numbers) == len(set(numbers))  # every story handled exactly once
    assert sorted(numbers) == sorted(set(n) - {hand_closed, n[7], n[10]})
    for blocked in (n[7], n[10]):  # the ejected story's descendants, and only they
        assert f"blocked-by:#{ejected}" in [lb.name for lb in store.issue(repo, blocked).labels]
    assert ok(gh_maverick("claims", "--epic", e, "--json"))["claims"] == []  # all released
    summary = ok(gh_maverick("epic", "summary", e, "--post", "--json"))
    assert summary["counts"] == {
        "merged": 8, "closed": 1, "ejected": 1, "blocked": 2, "in_flight": 0, "pending": 0,
    }  # fmt: skip
    assert summary["closed"] is False  # a person must decide on the ejected story first
    assert [q["number"] for q in summary["human_queue"]] == [ejected, n[7], n[10]]
    for decided in (ejected, n[7], n[10]):  # the person drops them: not planned
        closed = gh("api", "-X", "PATCH", f"repos/{OWNER}/{REPO}/issues/{decided}",
                    "-f", "state=closed", "-f", "state_reason=not_planned")  # fmt: skip
        assert closed.returncode == 0, closed.stderr
    final = ok(gh_maverick("epic", "summary", e, "--post", "--json"))
    assert final["counts"]["closed"] == 4 and final["counts"]["merged"] == 8
    assert final["closed"] is True and final["close_policy"] == "on_pr_merge"
    assert store.issue(repo, epic.number).state == "closed"
