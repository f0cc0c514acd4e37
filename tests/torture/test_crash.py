"""Crash convergence: kill a command right after each of its API calls, then let a later
normal run converge under 5xx and ambiguous writes. Nothing leaks, nothing doubles.

For every command the number of calls k of an uninterrupted run is measured first (from
the emulator's request log). Then for each k from 1 to that count, on a fresh demo
emulator: run the command with `crash_after_calls(k)` (SIGKILL just after call k was
applied), check it really died after exactly k calls, switch on faults (5 % 5xx, 5 %
ambiguous writes), and let the same instance rerun the same command until it exits 0 —
retrying 14 (GitHub unavailable) as an agent would, a minute later on GitHub's clock (so a
dead run's block-propagation journal counts as abandoned). Then the convergence
invariants are checked on the emulator's store and, for claims, the lifecycle is finished.

Each k gets its own emulator so the k's run two at a time (two cores) without sharing
request logs or fault rolls.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from maverick_ext.emulator import Emulator
from tests.conftest import real_gh
from tests.torture.oracle import (
    CLAIM_LABEL,
    active,
    claim_history,
    claim_ref,
    labels,
    records,
    story,
)

pytestmark = pytest.mark.torture

CONVERGE_FAULTS = {"error_rate": 0.05, "ambiguous_rate": 0.05}
CONVERGE_ATTEMPTS = 6
JOURNAL_STALE_S = 61  # bprop leaves a journal edited in the last 60 s to its own run
EPIC, EJECTED, DESCENDANTS, BYSTANDERS = 1, 3, (4, 6, 7), (2, 5, 8)

Cli = Callable[..., subprocess.CompletedProcess[str]]


@dataclass(frozen=True)
class Scenario:
    argv: tuple[str, ...]
    instance: str
    prepare: Callable[[Emulator, Cli], None]
    converged: Callable[[Emulator, Cli], None]


@pytest.fixture
def cli(extension_home: dict[str, str], tmp_path: Path) -> Callable[[Emulator], Cli]:
    """`gh maverick` through the installed extension against a given emulator."""

    def bind(emu: Emulator) -> Cli:
        def run(*args: str, instance: str = "agent-a", env: dict[str, str] | None = None):
            return subprocess.run(
                [real_gh(), "maverick", *args],
                env={
                    **os.environ,
                    **emu.env(),
                    **extension_home,
                    "MAVERICK_INSTANCE_ID": instance,
                    **(env or {}),
                },
                capture_output=True,
                text=True,
                timeout=120,
                cwd=tmp_path,
            )

        return run

    return bind


def ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr


# ---- the invariants ---------------------------------------------------------------------


def mine(emu: Emulator, number: int, instance: str):
    return [r for r in records(story(emu, number)) if r.instance_id == instance]


def assert_released_cleanly(emu: Emulator, number: int) -> None:
    issue = story(emu, number)
    assert claim_ref(emu, number) is None, "the claim ref outlived the release"
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


@pytest.fixture
def demo() -> Iterator[Callable[[], Emulator]]:
    """Fresh demo emulators on demand, all stopped at the end."""
    started: list[Emulator] = []

    def start() -> Emulator:
        emu = Emulator(seed="demo").start()
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


def clean_run_calls(scenario: Scenario, emu: Emulator, run: Cli) -> int:
    scenario.prepare(emu, run)
    emu.clear_log()
    ok(run(*scenario.argv, instance=scenario.instance))
    calls = len(emu.request_log)
    scenario.converged(emu, run)  # an uninterrupted run is converged by definition
    return calls


def crash_then_converge(
    scenario: Scenario, emu: Emulator, run: Cli, crash_env: dict[str, str], k: int
) -> None:
    scenario.prepare(emu, run)
    emu.clear_log()
    crashed = run(*scenario.argv, instance=scenario.instance, env=crash_env)
    assert crashed.returncode != 0, f"k={k}: the command was not killed"
    assert len(emu.request_log) == k, f"k={k}: died after {len(emu.request_log)} calls"

    emu.faults.update(seed=k, **CONVERGE_FAULTS)
    codes = []
    for _ in range(CONVERGE_ATTEMPTS):
        emu.advance_clock(JOURNAL_STALE_S)
        rerun = run(*scenario.argv, instance=scenario.instance)
        assert "Traceback" not in rerun.stderr, rerun.stderr
        codes.append(rerun.returncode)
        if rerun.returncode != 14:
            break
    emu.faults.update(error_rate=0, ambiguous_rate=0)
    assert codes[-1] == 0, f"k={k}: reruns exited {codes}: {rerun.stderr}"
    scenario.converged(emu, run)


def converges_after_every_crash(name: str, demo, cli, crash_after_calls) -> dict[int, str]:
    """Run every crash point of one command; the failures by k (empty when all converged)."""
    scenario = SCENARIOS[name]
    emu = demo()
    calls = clean_run_calls(scenario, emu, cli(emu))

    def one(k: int) -> tuple[int, str | None]:
        emu = demo()
        try:
            crash_then_converge(scenario, emu, cli(emu), crash_after_calls(k), k)
        except AssertionError as exc:
            return k, str(exc)
        return k, None

    with ThreadPoolExecutor(2) as pool:
        outcomes = pool.map(one, range(1, calls + 1))
    failures = {k: why for k, why in outcomes if why is not None}
    print(f"\n{name}: {calls} calls, crash points failing: {sorted(failures)}")
    return failures


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_crash_after_any_call_converges_on_rerun(name, demo, cli, crash_after_calls) -> None:
    assert converges_after_every_crash(name, demo, cli, crash_after_calls) == {}


def test_release_killed_before_unlabelling_converges_on_rerun(demo, cli, crash_after_calls) -> None:
    """Release is 2 calls in ref mode: the read, then one document that deletes the claim
    ref, marks the comment released and removes the label. Killed right after that second
    call (before it could report), the rerun must find it released and leave nothing behind:
    no ref, no claude-in-progress, the comment released with the first run's reason."""
    emu = demo()
    crash_then_converge(SCENARIOS["release"], emu, cli(emu), crash_after_calls(2), 2)
