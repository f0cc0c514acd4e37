"""The claim protocol driven in-process (the emulator behind GhClient, no gh) with an
injected clock.

Sleeping advances the emulator's clock and our monotonic clock together, so settle windows,
lease expiry and the heartbeat loop's deadline run in no wall time. API budgets are read
from the emulator's request log. Agents act as the tiers' GitHub App Bot (AGENT_TOKEN).
Racing claimers: test_racing_instances.py and tests/torture/test_race.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from maverick_ext.core.labels import CLAIM_LABEL
from maverick_ext.core.refs import RepoRef
from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import AGENT_TOKEN, OWNER, REPO
from maverick_ext.emulator.server import GH_HOST
from maverick_ext.errors import ClaimLost, ExitCode, HeldStale
from maverick_ext.github.client import GhClient, RetryPolicy
from maverick_ext.services.claims import HOLDER_MARGIN, ClaimSettings, Coordinator
from maverick_ext.services.fleet import claim_first, find_claims
from maverick_ext.services.identity import Identity
from tests.commands.conftest import InProcessEmulator

FAST = ClaimSettings(ttl_s=60, settle_s=1.0)


class Clock:
    """Monotonic time that only moves when someone sleeps; GitHub's clock moves with it."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.now = 1000.0
        self.on_sleep: list[Callable[[], None]] = []

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.emulator.advance_clock(seconds)
        for hook in list(self.on_sleep):
            hook()

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def transport() -> InProcessEmulator:
    """The demo seed behind GhClient, every request made as the agents' Bot."""
    return InProcessEmulator(Emulator(seed="demo"), token=AGENT_TOKEN)


@pytest.fixture
def emulator(transport: InProcessEmulator) -> Emulator:
    return transport.emulator


@pytest.fixture
def clock(emulator: Emulator) -> Clock:
    return Clock(emulator)


@pytest.fixture
def agent(transport: InProcessEmulator, clock: Clock) -> Callable[..., Coordinator]:
    def make(
        instance: str = "agent-a",
        run: Callable[..., Any] | None = None,
        mode: str = "ref",
        memo_dir: Path | None = None,
    ) -> Coordinator:
        client = GhClient(
            repo=RepoRef(OWNER, REPO, GH_HOST),
            sleep=lambda seconds: None,  # client retry backoff: no real waiting
            policy=RetryPolicy(attempts=2),
            run=run or transport.run,
        )
        coordinator = Coordinator(
            client, Identity(instance, "test-host"), clock.sleep, clock.monotonic,
            memo_dir=memo_dir,
        )  # fmt: skip
        # The comment-order fallback (SPEC 5.8), as when refs are refused.
        coordinator.forced_comment_mode = mode == "comment"
        return coordinator

    return make


def claim_comments(emulator: Emulator, number: int) -> list[str]:
    issue = emulator.store.issue(emulator.store.repo(OWNER, REPO), number)
    return [c.body for c in issue.comments if "maverick-claim" in c.body]


def calls(emulator: Emulator) -> tuple[int, int]:
    """(requests, writes) since the log was cleared; GraphQL reads are not writes."""
    log = emulator.request_log
    writes = [e for e in log if e.method != "GET" and e.path != "/graphql"]
    return len(log), len(writes)


# ---- API budget ---------------------------------------------------------------------------


def test_api_budget_per_operation(emulator: Emulator, agent, tmp_path) -> None:
    a = agent(memo_dir=tmp_path)
    emulator.clear_log()
    assert a.claim([2], FAST)[0].code == ExitCode.OK
    # read; POST git/commits; updateRefs; comment + label in one GraphQL document
    assert calls(emulator) == (4, 1)

    emulator.clear_log()
    a.read(2)
    assert calls(emulator) == (1, 0)

    # A one-shot heartbeat in a later process of the same instance: the state dir holds the
    # comment's node id and the claim commit, so one mutation (which also reads the ref).
    for _ in range(2):
        emulator.clear_log()
        assert agent(memo_dir=tmp_path).heartbeat(2).code == ExitCode.OK
        assert calls(emulator) == (1, 0)
    # The same instance on another machine (no state): read, then the same mutation.
    emulator.clear_log()
    assert agent(memo_dir=tmp_path / "elsewhere").heartbeat(2).code == ExitCode.OK
    assert calls(emulator) == (2, 0)

    emulator.clear_log()
    a.release(2, "merged")
    # read; POST git/commits (the released record, keeping the epoch on the ref); then ref
    # + comment + label in one document
    assert calls(emulator) == (3, 1)


def test_comment_mode_budget(emulator: Emulator, agent) -> None:
    a = agent(mode="comment")
    emulator.clear_log()
    assert a.claim([2], FAST)[0].code == ExitCode.OK
    assert calls(emulator) == (5, 2)  # ref read, read, label, comment, re-read


def test_budget_does_not_grow_with_unrelated_comments(emulator: Emulator, agent) -> None:
    store = emulator.store
    issue = store.issue(store.repo(OWNER, REPO), 3)
    talker = store.identify("as:talker:CONTRIBUTOR")
    for n in range(150):
        store.add_comment(issue, talker, f"unrelated comment {n}")
    a = agent()
    emulator.clear_log()
    a.claim([3], FAST)
    # The read pages once more through the comments; nothing else grows.
    assert calls(emulator) == (4 + 1, 1)
    emulator.clear_log()
    agent().heartbeat(3)  # no remembered claim: the read pages too
    assert calls(emulator) == (2 + 1, 0)


# ---- property 5: ambiguous writes ------------------------------------------------------------


def test_an_ambiguous_claim_post_is_found_by_its_nonce_not_duplicated(
    emulator: Emulator, agent, clock: Clock, transport: InProcessEmulator
) -> None:
    def comment_post_applied_but_answered_502(argv, **kw):
        # Only the claim comment's POST gets the fault; it clears once the agent waits.
        is_comment_post = "POST" in argv and argv[-1].endswith("issues/2/comments")
        emulator.faults.update(ambiguous_rate=1.0 if is_comment_post else 0.0)
        return transport.run(argv, **kw)

    outcome = agent(run=comment_post_applied_but_answered_502, mode="comment").claim([2], FAST)[0]

    assert outcome.code == ExitCode.OK, outcome.message
    assert len(claim_comments(emulator, 2)) == 1


def test_a_landed_but_unseen_ambiguous_post_does_not_make_us_lose_to_ourselves(
    emulator: Emulator, agent, clock: Clock, transport: InProcessEmulator
) -> None:
    """The first POST lands but answers 502 and stays invisible past the nonce lookup, so the
    claim is posted again. Both copies carry one nonce: the earlier one holds the issue for
    us, and the duplicate is withdrawn."""
    # Out of listings until the claim posts again, whatever the machine's speed: a fixed delay
    # raced the gh calls in between and lost on a loaded machine (the copy was seen, no re-post).
    emulator.faults.update(visibility_delay_ms=3_600_000)
    story = emulator.store.issue(emulator.store.repo(OWNER, REPO), 2)
    posts: list[str] = []

    def first_comment_post_ambiguous(argv, **kw):
        is_comment_post = "POST" in argv and argv[-1].endswith("issues/2/comments")
        if is_comment_post:
            posts.append(argv[-1])
            if len(posts) == 2:  # the re-post: GitHub's listings have caught up by now
                emulator.faults.update(visibility_delay_ms=0)
                for landed in story.comments:
                    landed.visible_at = 0.0
        emulator.faults.update(ambiguous_rate=1.0 if is_comment_post and len(posts) == 1 else 0.0)
        return transport.run(argv, **kw)

    outcome = agent(run=first_comment_post_ambiguous, mode="comment").claim([2], FAST)[0]

    assert outcome.code == ExitCode.OK, outcome.message
    bodies = claim_comments(emulator, 2)
    assert len(posts) == 2 and len(bodies) == 2
    first, duplicate = bodies
    assert outcome.record is not None and str(outcome.record.comment_id) not in duplicate
    assert '"state": "active"' in first and '"state": "released"' in duplicate
    assert '"reason": "duplicate"' in duplicate


# ---- property 6 (in-process): the holder dies, the lease runs out on GitHub's clock ----------


def test_stale_holder_needs_takeover_and_then_loses_its_next_heartbeat(
    emulator: Emulator, agent, clock: Clock
) -> None:
    old, new = agent("old"), agent("new")
    assert old.claim([5], FAST)[0].code == ExitCode.OK
    clock.sleep(FAST.ttl_s + 1)

    refused = new.claim([5], FAST)[0]
    assert refused.code == ExitCode.HELD_STALE and "takeover" in refused.message
    taken = new.claim([5], FAST, takeover=True)[0]
    assert taken.code == ExitCode.OK
    assert taken.record is not None and taken.record.supersedes is not None

    with pytest.raises(ClaimLost, match="taken over by new"):
        old.heartbeat(5)
    assert len(claim_comments(emulator, 5)) == 2


def test_a_restarted_instance_reclaims_its_own_stale_record(emulator, agent, clock) -> None:
    a = agent()
    first = a.claim([6], FAST)[0]
    clock.sleep(FAST.ttl_s + 1)
    again = a.claim([6], FAST)[0]
    assert again.code == ExitCode.OK and again.record is not None
    assert first.record is not None and again.record.supersedes == first.record.comment_id


# ---- the heartbeat loop ---------------------------------------------------------------------


def test_loop_exits_cleanly_once_this_instance_releases(emulator, agent, clock) -> None:
    a = agent()
    a.claim([2], FAST)
    released: list[bool] = []

    def release_on_second_sleep() -> None:
        if clock.now > 1000 + 2 * FAST.ttl_s / 5 and not released:
            released.append(True)
            agent().release(2, "merged")

    clock.on_sleep.append(release_on_second_sleep)
    outcome = a.heartbeat_loop(2, interval_s=None)
    assert (outcome.code, outcome.action) == (ExitCode.OK, "released")
    assert len(claim_comments(emulator, 2)) == 1  # heartbeats edited, never added


def test_loop_reports_loss_when_the_issue_gets_blocked(emulator, agent, clock) -> None:
    a = agent()
    a.claim([2], FAST)
    store = emulator.store
    issue = store.issue(store.repo(OWNER, REPO), 2)
    clock.on_sleep.append(lambda: store.add_labels(issue, ["blocked-by:#1"]))
    with pytest.raises(ClaimLost, match=r"blocked \(blocked-by:#1\)"):
        a.heartbeat_loop(2, interval_s=5)


def test_loop_rides_out_errors_until_its_own_deadline_then_reports_loss(
    emulator, agent, clock
) -> None:
    a = agent()
    short = ClaimSettings(ttl_s=20, settle_s=1.0)
    a.claim([2], short)
    clock.on_sleep.append(lambda: emulator.faults.update(error_rate=1.0))
    started = clock.now
    with pytest.raises(ClaimLost, match="could not renew the lease before it ran out"):
        a.heartbeat_loop(2, interval_s=4)
    # It kept trying for most of the lease (measured from before its last renewal) and
    # gave up strictly before a taker could start (updated_at + ttl on GitHub's clock).
    assert started + short.ttl_s * (1 - HOLDER_MARGIN) <= clock.now < started + short.ttl_s


def test_loop_releases_when_the_watched_process_exits(emulator, agent, clock) -> None:
    a = agent()
    a.claim([2], FAST)
    dies_at = clock.now + 7

    outcome = a.heartbeat_loop(
        2, interval_s=3, while_pid=4242, alive=lambda pid: clock.now < dies_at
    )
    assert outcome.action == "released" and outcome.record is not None
    assert outcome.record.reason == "abort"
    assert CLAIM_LABEL not in agent().read(2).snapshot.labels


# ---- scope: all or nothing ----------------------------------------------------------------


def test_a_scope_claim_labels_every_issue_or_withdraws_all(emulator, agent, clock) -> None:
    a, b = agent("a"), agent("b")
    results = a.claim([2], FAST, scope=[3, 4])
    assert [r.code for r in results] == [ExitCode.OK] * 3
    for number in (2, 3, 4):
        state = b.read(number)
        assert CLAIM_LABEL in state.snapshot.labels
        assert state.view.holder is not None and state.view.holder.scope == ("2", "3", "4")

    partial = b.claim([5], FAST, scope=[4])
    assert [r.code for r in partial] == [ExitCode.LOST, ExitCode.HELD_LIVE]
    assert b.read(5).view.holder is None


def test_release_all_finds_this_instances_claims_on_github(emulator, agent) -> None:
    a, b = agent("a"), agent("b")
    a.claim([2, 3], FAST)
    b.claim([4], FAST)
    released = a.release_all("abort")
    assert sorted(o.issue for o in released) == [2, 3]
    assert b.read(4).view.holder is not None
    assert a.read(2).view.holder is None


def test_release_ends_every_active_record_of_this_instance(emulator, agent) -> None:
    """A crash mid-claim can leave two records of ours; releasing one must not hand the
    issue to the other."""
    a = agent("a", mode="comment")
    a.claim([2], FAST)
    store = emulator.store
    issue = store.issue(store.repo(OWNER, REPO), 2)
    (body,) = claim_comments(emulator, 2)
    store.add_comment(issue, store.identify(AGENT_TOKEN), body)  # a second copy of ours
    assert len([r for r in a.read(2).view.records if r.state == "active"]) == 2

    a.release(2, "abort")

    state = a.read(2)
    assert state.view.holder is None
    assert all(r.state == "released" for r in state.view.records)
    assert "claude-in-progress" not in state.snapshot.labels


def test_a_plain_claim_never_takes_over_silently(emulator, agent, clock) -> None:
    agent("old").claim([7], FAST)
    clock.sleep(FAST.ttl_s)
    outcome = agent("new").claim([7], FAST)[0]
    assert outcome.code == HeldStale.exit_code


def test_a_remembered_claim_that_was_taken_over_is_lost_in_one_beat(
    emulator, agent, clock, tmp_path
) -> None:
    agent("a", memo_dir=tmp_path).claim([2], FAST)
    clock.sleep(FAST.ttl_s + 1)
    assert agent("b").claim([2], FAST, takeover=True)[0].code == ExitCode.OK

    emulator.clear_log()
    with pytest.raises(ClaimLost, match="taken over by b"):
        agent("a", memo_dir=tmp_path).heartbeat(2)
    # the beat (tip differs), the comment put back to "lost", then the read that decides
    assert calls(emulator) == (3, 0)
    assert not list(tmp_path.glob("*.json"))  # nothing stale is remembered
    assert agent("b").read(2).view.holder.instance_id == "b"


def test_a_remembered_claim_of_this_instance_reclaimed_elsewhere_still_renews(
    emulator, agent, tmp_path
) -> None:
    """The state dir may lag: our own newer claim (another machine, same instance id) is
    found by the read the stale memo falls back to."""
    agent("a", memo_dir=tmp_path).claim([2], FAST)
    agent("a").release(2, "abort")
    agent("a").claim([2], FAST)
    assert agent("a", memo_dir=tmp_path).heartbeat(2).code == ExitCode.OK


# ---- where GitHub has no updateRefs (older Enterprise Server): the REST CAS -------------------


def requests(emulator: Emulator) -> list[str]:
    return [f"{e.method} {e.path.split('/demo/')[-1]} {e.operation or ''}".strip()
            for e in emulator.request_log]  # fmt: skip


def test_without_update_refs_claims_move_refs_over_rest(emulator, agent, clock) -> None:
    emulator.faults.update(update_refs_missing=True)
    notes: list[str] = []
    a, b = agent("a"), agent("b")
    a.notify = notes.append
    emulator.clear_log()
    assert a.claim([2], FAST)[0].code == ExitCode.OK
    assert requests(emulator) == [
        "POST /graphql ClaimRead", "POST git/commits", "POST /graphql ClaimRefs",
        "POST git/refs", "POST /graphql ClaimComment",
    ]  # fmt: skip
    assert len(notes) == 1 and "over REST" in notes[0]
    assert b.claim([2], FAST)[0].code == ExitCode.HELD_LIVE
    assert a.heartbeat(2).code == ExitCode.OK

    # Release: a REST delete is no CAS, so the ref moves on (fast-forward) to a released
    # record, which `read` shows and the next claim builds on.
    emulator.clear_log()
    assert a.release(2, "merged").action == "released"
    assert requests(emulator) == [
        "POST /graphql ClaimRead", "POST git/commits", "PATCH git/refs/maverick/claims/2",
        "POST /graphql Release",
    ]  # fmt: skip
    state = b.read(2)
    assert state.view.holder is None and CLAIM_LABEL not in state.snapshot.labels
    ended = state.view.records[0]
    assert (ended.state, ended.reason, ended.instance_id) == ("released", "merged", "a")
    with pytest.raises(ClaimLost, match="released"):
        a.guard(2)
    taken = b.claim([2], FAST)[0]
    assert taken.code == ExitCode.OK and "took over" not in taken.message
    assert taken.record is not None and taken.record.epoch == 2


def test_rest_takeover_is_a_fast_forward_from_the_stale_holder(
    emulator, agent, clock, transport
) -> None:
    """Two takers of one stale claim over REST: both PATCH from the stale commit with
    force false; the second is no fast-forward any more and loses (13)."""
    emulator.faults.update(update_refs_missing=True)
    agent("old").claim([3], FAST)
    clock.sleep(FAST.ttl_s + 1)
    first = agent("first")
    firsts: list[ExitCode] = []

    def run(argv, **kw):
        if "PATCH" in argv and not firsts:  # `first` wins between our read and our write
            firsts.append(first.claim([3], FAST, takeover=True)[0].code)
        return transport.run(argv, **kw)

    lost = agent("second", run=run).claim([3], FAST, takeover=True)[0]
    assert firsts == [ExitCode.OK]
    assert lost.code == ExitCode.LOST and "race lost to first" in lost.message
    assert agent("x").read(3).view.holder.instance_id == "first"


def test_a_rest_scope_claim_rolls_back_what_it_took_on_the_first_refusal(
    emulator, agent, transport
) -> None:
    """Over REST a scope is not atomic: claimed in ascending order; when #6 turns out taken
    between our read and our write, #5 (already created) is deleted again."""
    emulator.faults.update(update_refs_missing=True)
    store = emulator.store
    repo = store.repo(OWNER, REPO)
    seen: list[str] = []

    def run(argv, **kw):
        if "repos/maverick-sandbox/demo/git/refs" in argv and not seen:
            seen.append("raced")  # a rival's ref for #6 appears just before our first write
            store.create_ref(repo, "refs/maverick/claims/6", next(iter(repo.commits)))
        return transport.run(argv, **kw)

    b = agent("b", run=run)
    results = b.claim([5], FAST, scope=[6])
    assert [r.code for r in results] == [ExitCode.LOST, ExitCode.LOST]
    assert "refs/maverick/claims/5" not in repo.refs  # rolled back
    assert repo.refs["refs/maverick/claims/6"] == next(iter(repo.commits))
    assert not claim_comments(emulator, 5) and not claim_comments(emulator, 6)


def test_a_repository_refusing_the_empty_tree_gets_a_one_file_claim_tree(emulator, agent) -> None:
    emulator.faults.update(empty_tree_refused=True)
    a = agent("a")
    emulator.clear_log()
    outcome = a.claim([2], FAST)[0]
    assert outcome.code == ExitCode.OK and outcome.record is not None
    assert requests(emulator)[:4] == [
        "POST /graphql ClaimRead", "POST git/commits", "POST git/trees", "POST git/commits",
    ]  # fmt: skip
    repo = emulator.store.repo(OWNER, REPO)
    commit = repo.objects[outcome.record.commit]
    tree = repo.objects[commit.tree]
    assert [entry[3] for entry in tree.entries] == ["claim.json"]  # never a workflow file
    emulator.clear_log()
    a.release(2, "merged")
    assert a.claim([2], FAST)[0].code == ExitCode.OK
    assert "POST git/trees" not in requests(emulator)  # made once per run


def test_a_run_never_starts_from_the_claim_tree_of_another_run(emulator, agent) -> None:
    """The tree was remembered per process, by repository name: a second run in the same
    process (in-process instances) against another life of that repository tried a tree
    that repository never had, and spent two requests on it. It is per run now."""
    emulator.faults.update(empty_tree_refused=True)
    assert agent("a").claim([2], FAST)[0].code == ExitCode.OK
    other = InProcessEmulator(Emulator(seed="demo"))
    other.emulator.faults.update(empty_tree_refused=True)
    assert agent("b", run=other.run).claim([2], FAST)[0].code == ExitCode.OK
    assert requests(other.emulator)[:4] == [
        "POST /graphql ClaimRead", "POST git/commits", "POST git/trees", "POST git/commits",
    ]  # fmt: skip


def test_rate_limit_waits_never_carry_the_loop_past_its_deadline(emulator, agent, clock) -> None:
    """GitHub says wait 30 s (Retry-After) on every request once the loop has renewed: the
    client must not sleep through the lease; the loop reports loss before a taker may start."""
    a = agent()
    a.client.sleep = clock.sleep  # Retry-After waits advance the same clock as the loop's
    short = ClaimSettings(ttl_s=20, settle_s=0.0)
    a.claim([2], short)

    def throttle_everything() -> None:
        emulator.faults.update(throttle_rate=1.0, throttle_retry_after_s=30)

    clock.on_sleep.append(throttle_everything)
    started = clock.now
    with pytest.raises(ClaimLost, match="could not renew the lease before it ran out"):
        a.heartbeat_loop(2, interval_s=4)
    assert any(e.status in (403, 429) for e in emulator.request_log)  # it was throttled
    assert clock.now < started + short.ttl_s * (1 - HOLDER_MARGIN) + 0.5
    assert a.client.deadline is None  # the loop's deadline does not outlive it


# ---- the fleet's services: find_claims, claim_first (commands: test_fleet_commands.py) -----


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
