"""Instances racing for the same epic or issue at the same moment, each in a thread of this
process with its own App, streams and exit code (tests/inprocess.py), every request going
to one emulator on the real clock: settle windows, visibility delays and retries really
wait, so the racers interleave at every request. Whole processes racing through the real
gh: tests/torture/test_race.py (its real-gh smoke) and `gh maverick demo`
(tests/e2e/test_demo.py).

The demo epic is #1 with stories #2-#7 (tests/commands/test_epic_commands.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from tests.commands.conftest import CliResult
from tests.inprocess import Instances
from tests.inprocess import at_once as together

NOTICE_TAG = "maverick-bprop-notice epic={epic} ejected={ejected}"


@pytest.fixture
def github() -> Emulator:
    """The demo seed; nothing listens on a socket (Instances call its handler). Each answer
    takes 10-40 ms, as over a network, so the racers overlap at every request (without it a
    thread could finish its whole command in one scheduling slice)."""
    emulator = Emulator(seed="demo")
    emulator.faults.update(latency_ms=10, jitter_ms=30)
    return emulator


@pytest.fixture
def instances(github: Emulator, tmp_path: Path) -> Instances:
    return Instances(github, tmp_path / "instances")


def at_once(instances: Instances, runs: Sequence[tuple[str, Sequence[str]]]) -> list[CliResult]:
    """Each (instance, argv) in its own thread, all released by one barrier; in order."""
    keys = [str(index) for index in range(len(runs))]

    def go(key: str) -> CliResult:
        instance, argv = runs[int(key)]
        return instances.run(*argv, instance=instance)

    results = together(keys, go, timeout=120)
    return [results[key] for key in keys]


def labels(github: Emulator, number: int) -> list[str]:
    return [
        label.name for label in github.store.issue(github.store.repo(OWNER, REPO), number).labels
    ]


def ok(result: CliResult) -> dict:
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_concurrent_claimers_yield_exactly_one_owner(github: Emulator, instances) -> None:
    """Property 1: new comments stay invisible for 0.4 s, the settle window is 1 s."""
    github.faults.update(visibility_delay_ms=400)
    instances.env["MAVERICK_SETTLE_S"] = "1"
    racers = at_once(instances, [(f"racer-{n}", ["claim", "3"]) for n in range(4)])
    codes = [racer.exit_code for racer in racers]

    assert codes.count(0) == 1, codes
    assert set(codes) <= {0, 11, 13}
    winner = f"racer-{codes.index(0)}"
    github.faults.update(visibility_delay_ms=0)
    state = ok(instances.run("read", "3", "--json"))
    assert state["holder"]["instance_id"] == winner
    # Losers withdrew their own comments; nobody else's record is active.
    assert [r["state"] for r in state["records"]].count("active") == 1


def test_many_agents_claiming_next_at_once_each_get_a_different_story(instances) -> None:
    argv = ["epic", "next", "1", "--claim", "--settle", "1", "--json"]
    results = at_once(instances, [(f"agent-{i}", argv) for i in range(3)])
    assert all(r.exit_code in (0, 16) for r in results), [r.stderr for r in results]
    numbers = [r.json()["claimed"]["number"] for r in results if r.exit_code == 0]
    assert len(numbers) == len(set(numbers)) >= 1  # never two agents on one story
    assert set(numbers) <= {2, 3}


def test_racing_block_propagations_post_one_notice_per_descendant(
    github: Emulator, instances
) -> None:
    ok(instances.run("state", "set", "1", "2", "ejected", "--json"))
    argv = ["bprop", "run", "1", "--ejected", "2"]
    runs = at_once(instances, [(f"r{i}", argv) for i in range(4)])
    assert all(r.exit_code in (0, 11) for r in runs), [r.stderr for r in runs]  # 11: seen running
    rerun = ok(instances.run("bprop", "run", "1", "--ejected", "2", "--json"))
    assert rerun["descendants"] == [4, 5, 6, 7] and rerun["commented"] == []
    store = github.store
    tag = NOTICE_TAG.format(epic=1, ejected=2)
    notices = {
        n: sum(tag in c.body for c in store.list_comments(store.issue(store.repo(OWNER, REPO), n)))
        for n in (4, 5, 6, 7)
    }
    assert notices == dict.fromkeys((4, 5, 6, 7), 1)
    assert all("blocked-by:#2" in labels(github, n) for n in (4, 7))


def test_eight_instances_setting_different_stories_at_once_lose_nothing(
    github: Emulator, instances
) -> None:
    # eight stories under one epic: the demo's six plus two more added as sub-issues
    store = github.store
    repo = store.repo(OWNER, REPO)
    owner = store.identify(f"as:{OWNER}:OWNER")
    epic = store.issue(repo, 1)
    for title in ("Metrics", "Packaging"):
        store.add_sub_issue(epic, store.create_issue(repo, owner, title, ""))
    stories = [2, 3, 4, 5, 6, 7, 9, 10]
    set_state: Callable[[int], tuple[str, list[str]]] = lambda n: (  # noqa: E731
        f"i{n}",
        ["state", "set", "1", str(n), "ejected"],
    )
    results = at_once(instances, [set_state(n) for n in stories])
    assert all(r.exit_code == 0 for r in results), [r.stderr for r in results]
    assert all("needs-human" in labels(github, n) for n in stories)
    state = ok(instances.run("state", "show", "1", "--json"))
    assert {state["stories"][str(n)] for n in stories} == {"ejected"}
