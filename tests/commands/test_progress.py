"""Progress on stderr for the long operations (bprop walks, DAG builds, doctor): shown,
in place, when stderr is a terminal (a pty); silent when it is a pipe. The command runs
in-process against the emulator with sys.stderr swapped for the pty's or the pipe's end,
so ``isatty`` is the real answer of a real file descriptor."""

from __future__ import annotations

import io
import os
import pty
import select
import sys
from pathlib import Path

import pytest

from maverick_ext import cli
from maverick_ext.commands.app import App
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.github.client import GhClient

GH_HOST = "github.localhost"
COMMANDS = {
    "bprop run": (["bprop", "run", "1", "--ejected", "4"], "blocking #6 (1/2)"),
    "dag build": (["dag", "build", "1"], "building the DAG of epic #1"),
    "doctor": (["doctor", "--epic", "1"], "doctor: reading the claim refs"),
}


def _run(inproc_emulator, tmp_path: Path, monkeypatch, stderr, argv: list[str]) -> str:
    app = App(
        env={
            "HOME": str(tmp_path),
            "GH_REPO": f"{GH_HOST}/{OWNER}/{REPO}",
            "MAVERICK_INSTANCE_ID": "agent-a",
            "PATH": "/nonexistent",
        },
        make_client=lambda repo, debug: GhClient(
            repo=repo, debug=debug, run=inproc_emulator.run, sleep=lambda s: None
        ),
        sleep=lambda s: None,
        cwd=str(tmp_path),
    )
    stdout = io.StringIO()
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    with pytest.raises(SystemExit) as exited:
        cli.main(argv, app=app)
    stderr.flush()
    monkeypatch.undo()
    assert exited.value.code == 0
    return stdout.getvalue()


def _drain(fd: int) -> str:
    chunks = []
    for _ in range(100):  # bounded
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the pty's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_progress_is_shown_on_a_terminal(name, inproc_emulator, tmp_path, monkeypatch) -> None:
    argv, says = COMMANDS[name]
    master, slave = pty.openpty()
    terminal = os.fdopen(slave, "w", buffering=1)
    try:
        stdout = _run(inproc_emulator, tmp_path, monkeypatch, terminal, argv)
        shown = _drain(master)
    finally:
        terminal.close()
        os.close(master)
    assert says in shown, shown
    tail = shown.split("\r\x1b[K")[-1]  # rewritten in place, and cleared when done
    assert says not in tail and "…" not in tail and "/2)" not in tail
    assert says not in stdout  # progress never mixes into what a pipeline reads


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_progress_is_silent_in_a_pipe(name, inproc_emulator, tmp_path, monkeypatch) -> None:
    argv, says = COMMANDS[name]
    read_end, write_end = os.pipe()
    pipe = os.fdopen(write_end, "w")
    try:
        _run(inproc_emulator, tmp_path, monkeypatch, pipe, argv)
    finally:
        pipe.close()
    with os.fdopen(read_end) as said:
        text = said.read()
    assert says not in text and "\r" not in text and "\x1b" not in text
