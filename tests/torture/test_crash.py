"""Crash convergence: kill a command right after each of its API calls, then let a later
normal run converge under 5xx and ambiguous writes. Nothing leaks, nothing doubles.

For every command the number of calls k of an uninterrupted run is measured first (from
the emulator's request log). Then for each k from 1 to that count, on a fresh demo
emulator: run the command so that it dies just after call k was applied, check it really
died after exactly k calls, switch on faults (5 % 5xx, 5 % ambiguous writes), and let the
same instance rerun the same command until it exits 0 — retrying 14 (GitHub unavailable)
as an agent would, a minute later on GitHub's clock (so a dead run's block-propagation
journal counts as abandoned). Then the convergence invariants are checked on the
emulator's store and, for claims, the lifecycle is finished.

The commands run in this process (tests/inprocess.py) on a fake clock (a retry's backoff
moves GitHub's clock and takes no time); the kill is ``dies_after=k``: call k is answered,
then the command stops and no later request of it reaches GitHub, as after SIGKILL.
tests/e2e/test_crash_injection.py kills a real gh-maverick process at the same point.
Each k gets its own emulator, so no k sees another's request log or fault rolls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from maverick_ext.emulator import Emulator
from tests.commands.conftest import CliResult, FakeClock, InProcessEmulator
from tests.inprocess import KILLED, Instances
from tests.torture.oracle import (
    CLAIM_LABEL,
    active,
    claim_history,
    held_ref,
    labels,
    records,
    story,
)

pytestmark = pytest.mark.torture

CONVERGE_FAULTS = {"error_rate": 0.05, "ambiguous_rate": 0.05}
CONVERGE_ATTEMPTS = 6
# Fault sequences per crash point: in-process a crash point costs milliseconds, so each k
# converges under three different rolls of the same rates.
FAULT_SEEDS_PER_CRASH = 3
JOURNAL_STALE_S = 61  # bprop leaves a journal edited in the last 60 s to its own run
EPIC, EJECTED, DESCENDANTS, BYSTANDERS = 1, 3, (4, 6, 7), (2, 5, 8)

Cli = Callable[..., CliResult]


@dataclass(frozen=True)
class Scenario:
    argv: tuple[str, ...]
    instance: str
    prepare: Callable[[Emulator, Cli], None]
    converged: Callable[[Emulator, Cli], None]


@pytest.fixture
def cli(instances: Callable[..., Instances]) -> Callable[[Emulator], Cli]:
    """`gh maverick` as in-process instances against a given emulator, on its fake clock."""

    def bind(emu: Emulator) -> Cli:
        clock = FakeClock(InProcessEmulator(emu))
        return instances(emu, clock=clock, env={"MAVERICK_SETTLE_S": "0"}).run

    return bind


def ok(result: CliResult) -> None:
    assert result.exit_code == 0, result.stderr


# ---- the invariants ---------------------------------------------------------------------


def mine(emu: Emulator, number: int, instance: str):
    return [r for r in records(story(emu, number)) if r.instance_id == instance]


def assert_released_cleanly(emu: Emulator, number: int) -> None:
    issue = story(emu, number)
    assert held_ref(emu, number) is None, "the claim ref still holds after the release"
    assert active(issue) == [], active(issue)
    left = labels(issue)
    assert CLAIM_LABEL not in left, f"orphan {CLAIM_LABEL} label without an active record"


def claim_converged(emu: Emulator, run: Cli) -> None:
    [tip] = claim_history(emu, 2)  # the ref decides: one commit, ours, first epoch
    assert (tip.instance_id, tip.epoch) == ("agent-a", 1), tip
    [record] = mine(emu, 2, "agent-a")  # one claim comment for this one attempt
    assert active(story(emu, 2)) == [record]
    assert CLAIM_LABEL in labels(story(emu, 2))
    ok(run("release", "2", "--reason", "complete"))
    assert_released_cleanly(emu, 2)


def release_converged(emu: Emulator, run: Cli) -> None:
    [record] = mine(emu, 2, "agent-a")
    assert (record.state, record.reason) == ("released", "complete")
    assert_released_cleanly(emu, 2)


def takeover_converged(emu: Emulator, run: Cli) -> None:
    # The ref moved exactly once, from the stale holder's commit to the taker's, one epoch on.
    taken, stale = claim_history(emu, 2)
    assert (stale.instance_id, taken.instance_id) == ("old", "new"), (stale, taken)
    assert stale.epoch is not None and taken.epoch == stale.epoch + 1, (stale, taken)
    assert taken.supersedes == stale.oid, (stale, taken)
    [old] = mine(emu, 2, "old")
    [new] = mine(emu, 2, "new")  # one takeover comment, however many runs it took
    assert new.supersedes == old.comment_id
    assert active(story(emu, 2)) == [new]
    assert CLAIM_LABEL in labels(story(emu, 2))
    ok(run("release", "2", "--reason", "complete", instance="new"))
    assert_released_cleanly(emu, 2)


def bprop_converged(emu: Emulator, run: Cli) -> None:
    epic = story(emu, EPIC)
    assert not any("```maverick-bprop" in c.body for c in epic.comments), "journal left"
    block = f"blocked-by:#{EJECTED}"
    tag = f"maverick-bprop-notice epic={EPIC} ejected={EJECTED} "
    for number in DESCENDANTS:
        issue = story(emu, number)
        assert labels(issue).count(block) == 1, (number, labels(issue))
        assert sum(tag in c.body for c in issue.comments) == 1, f"#{number}: notices"
    for number in BYSTANDERS:
        issue = story(emu, number)
        assert block not in labels(issue) and not any(tag in c.body for c in issue.comments)


def nothing(emu: Emulator, run: Cli) -> None:
    """No state needed before the command."""


def claimed(emu: Emulator, run: Cli) -> None:
    ok(run("claim", "2"))


def stale_holder(emu: Emulator, run: Cli) -> None:
    ok(run("claim", "2", "--ttl", "90s", instance="old"))
    emu.advance_clock(91)


SCENARIOS = {
    "claim": Scenario(("claim", "2"), "agent-a", nothing, claim_converged),
    "release": Scenario(
        ("release", "2", "--reason", "complete"), "agent-a", claimed, release_converged
    ),
    "takeover": Scenario(("takeover", "2"), "new", stale_holder, takeover_converged),
    "bprop": Scenario(
        ("bprop", "run", str(EPIC), "--ejected", str(EJECTED)), "agent-a", nothing, bprop_converged
    ),
}


# ---- the driver -------------------------------------------------------------------------


def demo() -> Emulator:
    """A fresh demo emulator (answering in this process only)."""
    return Emulator(seed="demo")


def clean_run_calls(scenario: Scenario, emu: Emulator, run: Cli) -> int:
    scenario.prepare(emu, run)
    emu.clear_log()
    ok(run(*scenario.argv, instance=scenario.instance))
    calls = len(emu.request_log)
    scenario.converged(emu, run)  # an uninterrupted run is converged by definition
    return calls


def crash_then_converge(
    scenario: Scenario, emu: Emulator, run: Cli, k: int, seed: int | None = None
) -> None:
    scenario.prepare(emu, run)
    emu.clear_log()
    crashed = run(*scenario.argv, instance=scenario.instance, dies_after=k)
    assert crashed.exit_code == KILLED, f"k={k}: the command was not killed"
    assert len(emu.request_log) == k, f"k={k}: died after {len(emu.request_log)} calls"

    emu.faults.update(seed=k if seed is None else seed, **CONVERGE_FAULTS)
    codes = []
    for _ in range(CONVERGE_ATTEMPTS):
        emu.advance_clock(JOURNAL_STALE_S)
        rerun = run(*scenario.argv, instance=scenario.instance)
        assert "Traceback" not in rerun.stderr, rerun.stderr
        codes.append(rerun.exit_code)
        if rerun.exit_code != 14:
            break
    emu.faults.update(error_rate=0, ambiguous_rate=0)
    assert codes[-1] == 0, f"k={k}: reruns exited {codes}: {rerun.stderr}"
    scenario.converged(emu, run)


def converges_after_every_crash(name: str, cli) -> dict[int, str]:
    """Run every crash point of one command; the failures by k (empty when all converged)."""
    scenario = SCENARIOS[name]
    emu = demo()
    calls = clean_run_calls(scenario, emu, cli(emu))
    failures = {}
    for k in range(1, calls + 1):
        for seed in range(k, k + 1000 * FAULT_SEEDS_PER_CRASH, 1000):
            emu = demo()
            try:
                crash_then_converge(scenario, emu, cli(emu), k, seed)
            except AssertionError as exc:
                failures.setdefault(k, f"fault seed {seed}: {exc}")
    print(
        f"\n{name}: {calls} calls, {FAULT_SEEDS_PER_CRASH} fault seeds each, "
        f"crash points failing: {sorted(failures)}"
    )
    return failures


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_crash_after_any_call_converges_on_rerun(name, cli) -> None:
    assert converges_after_every_crash(name, cli) == {}


def test_release_killed_before_unlabelling_converges_on_rerun(cli) -> None:
    """Release is 2 calls in ref mode: the read, then one document that deletes the claim
    ref, marks the comment released and removes the label. Killed right after that second
    call (before it could report), the rerun must find it released and leave nothing behind:
    no ref, no claude-in-progress, the comment released with the first run's reason."""
    emu = demo()
    crash_then_converge(SCENARIOS["release"], emu, cli(emu), 2)
