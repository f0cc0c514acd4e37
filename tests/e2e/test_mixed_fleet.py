"""Mixed fleets (issue #11): the seeds' published implementation next to ours, one sandbox.

maverick-harness (PyPI, the seeds' own CLI) is installed into a throwaway virtualenv in the
test cache (``$GH_MAVERICK_TEST_CACHE``, default ``~/.cache/gh-maverick-tests``), never
into ours. Its ``coord`` commands need only the standard library and ``gh``, so it is
installed without its dependencies (boto3, pyright, ... serve other commands). It runs the
real ``gh`` against the emulator exactly as ``gh maverick`` does. What a mixed fleet is and
is not guaranteed: docs/claims.md, "Mixed fleets".
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.errors import ExitCode
from tests.conftest import real_gh
from tests.registries import PIP_OFFLINE, cache_dir, download
from tests.torture.oracle import new_story

pytestmark = pytest.mark.e2e

HARNESS = "maverick-harness"
HARNESS_VERSION = "5.1.1"
SLUG = f"{OWNER}/{REPO}"
# Its exit codes (coord_cli.py): 2 claim rejected (held, blocked or race lost), 3 claim lost.
SEED_REJECTED = 2
RACE_ROUNDS = int(os.environ.get("MAVERICK_MIXED_RACE_ROUNDS", "3"))


@pytest.fixture(scope="session")
def harness() -> Path:
    """The seeds' ``maverick`` executable, installed once per cache."""
    venv = cache_dir() / f"{HARNESS}-{HARNESS_VERSION}"
    executable, done = venv / "bin" / "maverick", venv / "installed"
    if done.exists():
        return executable
    # pytest workers (and parallel runs) share the cache: one builds, the others wait for it.
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.with_name(venv.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            _install(venv, done)
    return executable


def _install(venv: Path, done: Path) -> None:
    # A venv's scripts name their interpreter by path, so it is built where it stays; the
    # ``installed`` file marks a finished install (an interrupted one is rebuilt).
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    download(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "--no-deps", f"{HARNESS}=={HARNESS_VERSION}"],
        registry="PyPI", what=f"{HARNESS}=={HARNESS_VERSION}", offline=PIP_OFFLINE,
    )  # fmt: skip
    done.write_text(f"{HARNESS}=={HARNESS_VERSION}\n")


SeedRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def seeds(harness: Path, emulator: Emulator, extension_home: dict[str, str], tmp_path: Path):
    """``seeds("claim", 2, instance="s1")`` runs ``maverick coord claim OWNER/REPO 2``."""
    path = f"{Path(real_gh()).parent}{os.pathsep}{os.environ.get('PATH', '')}"

    def run(verb: str, issue: int, *args: str, instance: str) -> subprocess.CompletedProcess[str]:
        home = tmp_path / f"home-{instance}"  # its ~/.maverick registry, per instance
        home.mkdir(exist_ok=True)
        env = {
            **{k: v for k, v in os.environ.items() if "SESSION_ID" not in k},
            **emulator.env(),
            **extension_home,
            "PATH": path,
            "HOME": str(home),
            "MAVERICK_INSTANCE_ID": instance,
        }
        return subprocess.run(
            [str(harness), "coord", verb, SLUG, str(issue), *args],
            env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )  # fmt: skip

    return run


def bodies(emulator: Emulator, number: int) -> list[str]:
    store = emulator.store
    return [c.body for c in store.issue(store.repo(OWNER, REPO), number).comments]


def seed_view(seeds: SeedRun, number: int) -> dict:
    read = seeds("read", number, instance="observer")
    assert read.returncode == 0, read.stderr
    return json.loads(read.stdout)


def holder(gh_maverick, number: int) -> dict | None:
    read = gh_maverick("read", str(number), "--json", instance="observer")
    assert read.returncode == 0, read.stderr
    return json.loads(read.stdout)["holder"]


def test_the_seeds_see_our_claim_as_live_and_refuse_it(emulator, gh_maverick, seeds) -> None:
    story = new_story(emulator, "ours").number
    assert gh_maverick("claim", str(story), instance="ours-a").returncode == 0
    view = seed_view(seeds, story)
    assert view["in_progress"] and view["lease_live"]
    assert view["claim"]["instance_id"] == view["lease"]["instance_id"] == "ours-a"
    taken = seeds("claim", story, instance="seed-b")
    assert taken.returncode == SEED_REJECTED and "ours-a with live lease" in taken.stderr
    assert seeds("takeover", story, instance="seed-b").returncode == SEED_REJECTED
    assert holder(gh_maverick, story)["instance_id"] == "ours-a"


def test_their_lease_write_over_our_comment_is_repaired_by_our_heartbeat(
    emulator, gh_maverick, seeds
) -> None:
    story = new_story(emulator, "overwritten").number
    assert gh_maverick("claim", str(story), instance="ours-a").returncode == 0
    before = holder(gh_maverick, story)
    # The same agent session's old heartbeat daemon (same instance id) still runs the seeds'
    # heartbeat: it upserts the latest lease comment, which is our claim comment.
    assert seeds("heartbeat", story, instance="ours-a").returncode == 0
    [rewritten] = bodies(emulator, story)
    assert "maverick-claim" not in rewritten and "```maverick-lease" in rewritten

    beat = gh_maverick("heartbeat", str(story), "--json", instance="ours-a")
    assert beat.returncode == 0, beat.stderr
    [repaired] = bodies(emulator, story)
    assert "```maverick-claim" in repaired and before["commit"] in repaired
    after = holder(gh_maverick, story)
    assert (after["instance_id"], after["epoch"], after["commit"], after["comment_id"]) == (
        "ours-a", before["epoch"], before["commit"], before["comment_id"],
    )  # fmt: skip
    view = seed_view(seeds, story)
    assert view["claim"]["instance_id"] == "ours-a" and view["lease_live"]
    assert seeds("claim", story, instance="seed-b").returncode == SEED_REJECTED


def test_we_refuse_their_live_claim_and_take_the_issue_once_they_release(
    emulator, gh_maverick, seeds
) -> None:
    story = new_story(emulator, "theirs").number
    assert seeds("claim", story, instance="seed-b").returncode == 0
    refused = gh_maverick("claim", str(story), instance="ours-a")
    assert refused.returncode == ExitCode.HELD_LIVE, refused.stderr
    assert "seed-b" in refused.stderr
    assert gh_maverick("takeover", str(story), instance="ours-a").returncode == ExitCode.HELD_LIVE

    assert seeds("release", story, "--reason", "session-end", instance="seed-b").returncode == 0
    assert gh_maverick("claim", str(story), instance="ours-a").returncode == 0
    view = seed_view(seeds, story)
    assert view["claim"]["instance_id"] == "ours-a" and view["lease_live"]
    assert seeds("claim", story, instance="seed-b").returncode == SEED_REJECTED


# Our side of a mixed fleet says so (docs/claims.md): a claim then waits for a racing seeds
# claim and yields to it, and every heartbeat reads.
MIXED = {"MAVERICK_MIXED_FLEET": "1"}


def race(gh_maverick, seeds, story: int) -> dict[str, int]:
    """Our claim and theirs on one issue, released together; their exit codes."""
    barrier = threading.Barrier(2)
    codes: dict[str, int] = {}

    def ours() -> None:
        barrier.wait()
        codes["ours"] = gh_maverick("claim", str(story), instance="ours-a", env=MIXED).returncode

    def theirs() -> None:
        barrier.wait()
        codes["seeds"] = seeds("claim", story, instance="seed-b").returncode

    threads = [threading.Thread(target=ours), threading.Thread(target=theirs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return codes


def test_racing_claims_across_implementations_grant_the_issue_at_most_once(
    emulator, gh_maverick, seeds
) -> None:
    """What a race guarantees (docs/claims.md, Mixed fleets): never both implementations,
    the issue never looks free afterwards, and the side that won keeps it. When their claim
    lands during our settle window we yield (exit 13) even if their own race check then
    failed: the issue may go unworked until their lease runs out, never worked twice."""
    outcomes: dict[str, int] = {"ours": 0, "seeds": 0, "neither": 0}
    for round_ in range(RACE_ROUNDS):
        story = new_story(emulator, f"race {round_}").number
        codes = race(gh_maverick, seeds, story)
        assert codes.get("ours") in (ExitCode.OK, ExitCode.HELD_LIVE, ExitCode.LOST), codes
        assert codes.get("seeds") in (0, SEED_REJECTED), codes
        assert not (codes["ours"] == ExitCode.OK and codes["seeds"] == 0), f"both won: {codes}"
        won = "ours" if codes["ours"] == ExitCode.OK else "seeds" if codes["seeds"] == 0 else None
        outcomes[won or "neither"] += 1
        if won == "ours":
            beat = gh_maverick("heartbeat", str(story), instance="ours-a", env=MIXED)
            assert beat.returncode == 0, beat.stderr  # repairs a lease write that raced ours
            assert holder(gh_maverick, story)["instance_id"] == "ours-a"
            assert seeds("heartbeat", story, instance="seed-b").returncode != 0
        else:
            assert seed_view(seeds, story)["claim"]["instance_id"] == "seed-b"
        assert seeds("claim", story, instance="seed-c").returncode == SEED_REJECTED
        late = gh_maverick("claim", str(story), instance="ours-c", env=MIXED)
        assert late.returncode == ExitCode.HELD_LIVE, late.stderr
    print(f"mixed race over {RACE_ROUNDS} rounds: won by {outcomes}")
