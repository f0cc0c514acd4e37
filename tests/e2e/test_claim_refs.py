"""Ownership on git refs (issue #9) against the emulator.

The issue's numbers are the defaults: 8 racers x 10 rounds under a 3 s (+ up to 2 s,
non-monotone) comment visibility delay; 50 releases racing a heartbeat loop whose every
beat lands 300 ms late; 20 rounds of overlapping scope claims. Independent trials run
concurrently on different issues.

The commands run as in-process instances (tests/inprocess.py: `cli.main` with its own App
per instance, the emulator's request handler with its faults): the 80 racing claim
processes alone used to cost 90 s of CPU. What needs real processes stays real: killing
gh ends the heartbeat loop and the sandbox it started. tests/torture/test_race.py races
real gh processes too.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from maverick_ext.core.refs import parse_repo
from maverick_ext.emulator import Emulator
from maverick_ext.emulator.gitdb import make_empty
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.emulator.server import GH_HOST
from maverick_ext.errors import ExitCode
from maverick_ext.github.client import GhClient, RetryPolicy
from maverick_ext.services.claims import ClaimSettings, Coordinator, read_many
from maverick_ext.services.identity import Identity
from tests.commands.conftest import CliResult, InProcessEmulator
from tests.conftest import real_gh
from tests.inprocess import Instances, at_once
from tests.torture.oracle import new_story, records

RACERS, RACE_ROUNDS, ROUNDS_AT_ONCE = 8, 10, 2
VISIBILITY_DELAY_S, VISIBILITY_JITTER_S = 3.0, 2.0
RELEASE_TRIALS, TRIALS_AT_ONCE, SLOW_BEAT_MS = 50, 25, 300
SCOPE_ROUNDS, SCOPES_AT_ONCE = 20, 4
# A loop sleeps in 1 s slices and the sandbox polls every 0.2 s: generous for a loaded CI.
GONE_WITHIN_S = 30
SETTINGS = ClaimSettings(ttl_s=60, settle_s=0.0)


@pytest.fixture
def cli(github: Emulator, instances: Callable[..., Instances]) -> Callable[..., CliResult]:
    """`gh maverick ARGS` as an in-process instance (real clock) against ``github``."""
    return instances(github).run


@pytest.fixture
def launch(emulator: Emulator, extension_home: dict[str, str], tmp_path: Path):
    base = {**os.environ, **emulator.env(), **extension_home}

    def start(name: str, *args: str, token: str | None = None) -> subprocess.Popen[str]:
        env = {**base, "MAVERICK_INSTANCE_ID": name}
        if token:
            env["GH_TOKEN"] = token
        return subprocess.Popen(
            [real_gh(), "maverick", *args], env=env, cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    return start


def _race(cli, issue: str) -> dict[str, tuple[int, float, str]]:
    def racer(name: str) -> tuple[int, float, str]:
        started = time.monotonic()
        claimed = cli("claim", issue, "--debug", instance=name)
        return claimed.exit_code, time.monotonic() - started, claimed.stderr

    return at_once([f"racer-{n}" for n in range(RACERS)], racer)


def test_racers_get_exactly_one_owner_per_round_despite_non_monotone_visibility(
    github: Emulator, cli
) -> None:
    emulator = github
    # Comments hide for 3-5 s and a later one may show before an earlier one: the
    # comment-order protocol double-granted here; the ref CAS does not care what listings
    # show, and nobody waits for them.
    emulator.faults.update(
        visibility_delay_ms=int(VISIBILITY_DELAY_S * 1000),
        visibility_jitter_ms=int(VISIBILITY_JITTER_S * 1000),
        seed=9,
    )
    stories = [str(new_story(emulator, f"race {n}").number) for n in range(RACE_ROUNDS)]
    with ThreadPoolExecutor(ROUNDS_AT_ONCE) as pool:
        rounds = list(pool.map(lambda story: _race(cli, story), stories))
    for round_, results in enumerate(rounds):
        winners = [n for n, (code, _, _) in results.items() if code == 0]
        assert len(winners) == 1, (round_, results)
        assert {code for code, _, _ in results.values()} <= {0, 11, 13}, results
        # Every racer answers as soon as GitHub does: at most 4 calls and not one wait
        # (--debug logs each request and each sleep; the settle window is the default), so
        # no loser waits for a settle window or for any comment to become visible. Their
        # wall times are printed, not asserted: on a loaded machine they measure the
        # scheduler.
        calls = {n: err.count("[gh] ") for n, (_, _, err) in results.items()}
        assert max(calls.values()) <= 4, (round_, calls)
        waits = {n: err.count("[sleep] ") for n, (_, _, err) in results.items()}
        assert sum(waits.values()) == 0, (round_, waits)
    walls = sorted(wall for results in rounds for code, wall, _ in results.values() if code)
    print(
        f"\n{RACE_ROUNDS} rounds x {RACERS} racers: losers answered in "
        f"{walls[0]:.2f}-{walls[-1]:.2f} s (median {walls[len(walls) // 2]:.2f} s) against "
        f"a {VISIBILITY_DELAY_S:g}-{VISIBILITY_DELAY_S + VISIBILITY_JITTER_S:g} s visibility delay"
    )


@pytest.fixture
def agent(github: Emulator) -> Callable[..., Coordinator]:
    """Coordinators in this process whose requests go straight to the emulator (its API
    pipeline, faults included): the races here are about GitHub's ordering."""
    transport = InProcessEmulator(github)

    def make(instance: str) -> Coordinator:
        env = {**os.environ, "GH_REPO": f"{GH_HOST}/{OWNER}/{REPO}"}
        client = GhClient(
            repo=parse_repo(env["GH_REPO"]), env=env, gh="gh", run=transport.run,
            sleep=lambda s: None, policy=RetryPolicy(attempts=2),
        )  # fmt: skip
        return Coordinator(client, Identity(instance, "test-host"), time.sleep, time.monotonic)

    return make


def _scope_round(emulator: Emulator, agent, round_: int) -> None:
    a, b = agent(f"scope-a{round_}"), agent(f"scope-b{round_}")
    s = [new_story(emulator, f"scope {round_}.{k}").number for k in range(4)]
    wide, narrow = s[:3], s[2:]  # {3,4,5} and {5,6}: they share one issue
    claims = {"a": (a, wide), "b": (b, narrow)}

    def go(name: str) -> list[Any]:
        who, issues = claims[name]
        return who.claim(issues[:1], SETTINGS, scope=issues[1:])

    results = at_once(list(claims), go)
    owners: dict[int, str] = {}
    for name, who in (("a", a), ("b", b)):
        held = [o.issue for o in results[name] if o.code == ExitCode.OK]
        # All or nothing: a scope is held whole or not at all.
        assert held in ([], [o.issue for o in results[name]]), results[name]
        for number in held:
            assert number not in owners, (round_, number)
            owners[number] = who.me
    assert s[2] in owners, (round_, results)  # the shared issue has exactly one owner
    for number, state in read_many(a.client, s).items():  # and GitHub agrees (1 read)
        holder = state.view.holder
        assert (holder.instance_id if holder else None) == owners.get(number), (round_, number)


def test_overlapping_scope_claims_give_one_owner_per_issue_and_the_loser_nothing(
    github: Emulator, agent
) -> None:
    with ThreadPoolExecutor(SCOPES_AT_ONCE) as pool:
        list(pool.map(lambda n: _scope_round(github, agent, n), range(SCOPE_ROUNDS)))


def test_an_account_without_write_access_never_owns(github: Emulator, cli) -> None:
    for token in ("as:stranger:NONE", "as:fan:CONTRIBUTOR", "as:triager:NONE:triage"):
        story = str(new_story(github, f"no write {token}").number)
        claimed = cli("claim", story, instance="outsider", token=token)
        assert claimed.exit_code == 13, (token, claimed.exit_code, claimed.stderr)
        assert "needs write access" in claimed.stderr
    # A private org member shows as NONE, yet may push: GitHub lets it own.
    story = str(new_story(github, "private member").number)
    claimed = cli("claim", story, instance="member", token="as:quiet:NONE:write")
    assert claimed.exit_code == 0, claimed.stderr


def test_read_json_shows_mode_epoch_and_commit_and_the_epoch_only_grows(
    github: Emulator, cli
) -> None:
    story = str(new_story(github, "epochs").number)
    epochs = []
    for n in range(3):
        assert cli("claim", story, instance=f"e{n}").exit_code == 0
        document = cli("read", story, "--json", instance=f"e{n}").json()
        assert document["mode"] == "ref"
        holder = document["holder"]
        ref = github.store.repo("maverick-sandbox", "demo").refs[f"refs/maverick/claims/{story}"]
        assert holder["commit"] == ref and holder["fencing_token"] == holder["epoch"]
        epochs.append(holder["epoch"])
        assert cli("release", story, "--reason", "complete", instance=f"e{n}").exit_code == 0
    assert epochs == sorted(set(epochs)) and epochs[0] == 1, epochs


def _release_during_a_beat(emulator: Emulator, agent, trial: int) -> None:
    story = new_story(emulator, f"resurrection {trial}").number
    name = f"holder-{trial}"
    assert agent(name).claim([story], SETTINGS)[0].code == ExitCode.OK
    holder, outcome = agent(name), {}
    loop = threading.Thread(
        target=lambda: outcome.update(r=holder.heartbeat_loop(story, 0.05)), daemon=True
    )
    loop.start()
    # Release at some point of a beat that lands late (the lost update of issue #9).
    time.sleep(random.Random(trial).uniform(0.2, 0.2 + 2 * SLOW_BEAT_MS / 1000))
    assert agent(name).release(story, "complete").code == ExitCode.OK
    loop.join(timeout=30)
    assert not loop.is_alive(), trial  # the loop exits
    assert outcome["r"].code == ExitCode.OK, outcome["r"].message  # saying released
    state = agent("reader").read(story)
    assert state.view.holder is None, (trial, state.view.holder)
    issue = emulator.store.issue(emulator.store.repo("maverick-sandbox", "demo"), story)
    assert [r.state for r in records(issue)] == ["released"], trial  # the comment agrees


def test_release_racing_a_slow_heartbeat_never_resurrects_the_claim(
    github: Emulator, agent
) -> None:
    github.faults.update(slow_operations={"Heartbeat": SLOW_BEAT_MS})
    with ThreadPoolExecutor(TRIALS_AT_ONCE) as pool:
        list(pool.map(lambda n: _release_during_a_beat(github, agent, n), range(RELEASE_TRIALS)))


def test_fallback_to_comment_order_where_refs_are_refused(github: Emulator, cli) -> None:
    make_empty(github.store.repo("maverick-sandbox", "demo"))
    claimed = cli("claim", "2", instance="lonely", env={"MAVERICK_SETTLE_S": "0.2"})
    assert claimed.exit_code == 0, claimed.stderr
    assert claimed.stderr.count("using the comment-order protocol") == 1
    read = cli("read", "2", "--json", instance="lonely")
    assert read.json()["mode"] == "comment"


def test_prune_refs_deletes_closed_issues_claim_refs_only(github: Emulator, cli):
    store = github.store
    repo = store.repo("maverick-sandbox", "demo")
    shut, kept = new_story(github, "to close"), new_story(github, "stays open")
    for story in (shut, kept):
        assert cli("claim", str(story.number), instance="pruner").exit_code == 0
    store.update_issue(shut, store.identify("as:maverick-sandbox:OWNER"), state="closed")
    dry = cli("prune-refs", "--dry-run", "--json")
    assert dry.json()["pruned"] == [shut.number]
    assert f"refs/maverick/claims/{shut.number}" in repo.refs
    pruned = cli("prune-refs")
    assert pruned.exit_code == 0, pruned.stderr
    assert f"refs/maverick/claims/{shut.number}" not in repo.refs
    assert f"refs/maverick/claims/{kept.number}" in repo.refs


# ---- a loop and the sandbox end with whoever started them (gh forwards no SIGTERM) -----------


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _started(proc: subprocess.Popen[str], ready: Callable[[], bool]) -> set[int]:
    """The extension's processes under ``gh`` once ``ready()`` (bounded wait)."""
    deadline = time.monotonic() + 120
    while not ready():
        assert time.monotonic() < deadline and proc.poll() is None, "it never got going"
        time.sleep(0.1)
    return _descendants(proc.pid)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _gone_after_killing_gh(proc: subprocess.Popen[str], below: set[int]) -> float:
    """SIGTERM gh only (as `kill $!` does); seconds until all its children are gone."""
    started = time.monotonic()
    proc.terminate()
    proc.wait(timeout=10)
    while time.monotonic() - started < GONE_WITHIN_S:
        alive = {pid for pid in below if Path(f"/proc/{pid}").exists() and _cmdline(pid)}
        if not alive:
            return time.monotonic() - started
        time.sleep(0.1)
    for pid in alive:  # do not leak them into the rest of the suite
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    raise AssertionError(
        f"still running {GONE_WITHIN_S} s after gh was killed: "
        + ", ".join(f"{pid} {_cmdline(pid)!r} {_stat(pid)}" for pid in sorted(alive))
    )


def _stat(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].strip()[:20]
    except OSError:
        return "?"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_killing_gh_ends_the_heartbeat_loop_it_started(emulator: Emulator, launch) -> None:
    story = str(new_story(emulator, "kill the loop").number)
    assert launch("looper", "claim", story, "--ttl", "60s").wait(timeout=60) == 0
    loop = launch("looper", "heartbeat", story, "--loop", "--interval", "0.5")
    below = _started(loop, lambda: any(e.operation == "Heartbeat" for e in emulator.request_log))
    _gone_after_killing_gh(loop, below)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_killing_gh_ends_the_sandbox_it_started(launch) -> None:
    sandbox = launch("sandboxer", "sandbox", "--port", "0", "--max-lifetime", "120")
    assert sandbox.stderr is not None
    below = _started(sandbox, lambda: "listening" in sandbox.stderr.readline())  # type: ignore[union-attr]
    _gone_after_killing_gh(sandbox, below)
