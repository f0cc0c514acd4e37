"""Block propagation survives a crash after any API call, and two ejections at once.

The commands run as in-process instances (tests/inprocess.py) on a fake clock. The crash is
``dies_after=k``: GitHub applied and answered call k, then the command stops and no later
request of it reaches GitHub, exactly as a SIGKILL just after call k would leave things
(tests/e2e/test_crash_injection.py checks the model against a real kill). Each k gets a
fresh emulator.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from tests.commands.conftest import CliResult, FakeClock, InProcessEmulator
from tests.inprocess import KILLED, Instances, at_once

pytestmark = pytest.mark.e2e

LIVE_JOURNAL_S = 60
Cli = Callable[..., CliResult]


@pytest.fixture
def cli(instances: Callable[..., Instances]) -> Callable[[Emulator], Cli]:
    """`gh maverick` in-process against a given emulator, on that emulator's fake clock."""
    return lambda emu: instances(emu, clock=FakeClock(InProcessEmulator(emu))).run


def notices(emu: Emulator, number: int, ejected: int) -> int:
    issue = emu.store.issue(emu.store.repo(OWNER, REPO), number)
    tag = f"maverick-bprop-notice epic=1 ejected={ejected} "
    return sum(tag in comment.body for comment in issue.comments)


def journals(emu: Emulator) -> int:
    epic = emu.store.issue(emu.store.repo(OWNER, REPO), 1)
    return sum("```maverick-bprop" in comment.body for comment in epic.comments)


def assert_converged(emu: Emulator, ejected: int, descendants: list[int]) -> None:
    for number in descendants:
        issue = emu.store.issue(emu.store.repo(OWNER, REPO), number)
        assert [lb.name for lb in issue.labels].count(f"blocked-by:#{ejected}") == 1
        assert notices(emu, number, ejected) == 1, f"#{number} notices"
    assert journals(emu) == 0


def full_run_calls(cli: Callable[[Emulator], Cli]) -> int:
    """How many API calls an uninterrupted `bprop run` makes."""
    emu = Emulator(seed="demo")
    result = cli(emu)("bprop", "run", "1", "--ejected", "4")
    assert result.exit_code == 0, result.stderr
    assert_converged(emu, 4, [6, 7])
    return len(emu.request_log)


def crash_then_resume(cli: Callable[[Emulator], Cli], k: int) -> None:
    emu = Emulator(seed="demo")
    run = cli(emu)
    crashed = run("bprop", "run", "1", "--ejected", "4", dies_after=k)
    assert crashed.exit_code == KILLED, f"k={k}: {crashed.stderr}"
    assert len(emu.request_log) == k, f"k={k}: {len(emu.request_log)} calls reached GitHub"
    emu.advance_clock(LIVE_JOURNAL_S + 1)  # the dead run's journal goes stale
    resumed = run("bprop", "resume", "1")
    assert resumed.exit_code == 0, f"k={k}: {resumed.stderr}"
    if journals(emu) == 0 and notices(emu, 6, 4) == 0:
        # crashed before the journal existed: nothing to resume, so the agent reruns
        rerun = run("bprop", "run", "1", "--ejected", "4")
        assert rerun.exit_code == 0, f"k={k}: {rerun.stderr}"
    assert_converged(emu, 4, [6, 7])


def test_crash_after_every_api_call_then_resume_converges(cli) -> None:
    total = full_run_calls(cli)
    # read epic + stories, post journal, read descendants, label + notice + journal each, ...
    assert total >= 8
    for k in range(1, total):
        crash_then_resume(cli, k)


def test_a_fresh_journal_is_left_to_its_walker_unless_forced(github: Emulator, cli) -> None:
    run = cli(github)
    crashed = run("bprop", "run", "1", "--ejected", "4", dies_after=5)
    assert crashed.exit_code == KILLED
    busy = run("bprop", "run", "1", "--ejected", "4")
    assert busy.exit_code == 11 and "already running" in busy.stderr
    forced = run("bprop", "resume", "1", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert_converged(github, 4, [6, 7])


def test_two_ejections_at_the_same_time_both_complete(github: Emulator, instances) -> None:
    run = instances(github).run  # the real clock: two walkers at once

    def eject(n: str) -> CliResult:
        return run("bprop", "run", "1", "--ejected", n, instance=f"agent-{n}")

    for ejected in at_once(["3", "5"], eject).values():
        assert ejected.exit_code == 0, ejected.stderr
    assert_converged(github, 3, [4, 6, 7])
    assert_converged(github, 5, [7])
