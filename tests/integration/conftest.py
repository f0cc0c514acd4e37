"""Integration tier: real git (a bare repository as `origin`, clones in tmp dirs), the CLI
run in-process exactly as `gh maverick` runs it (``cli.main``: exit codes, one-line errors).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from maverick_ext.cli import main


@dataclass
class Outcome:
    code: int
    out: str
    err: str


Git = Callable[..., str]
Mav = Callable[..., Outcome]


def run_git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git config, a fixed identity, no user-level maverick config; the
    real gh (installed next to this Python) first on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Agent")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "agent@example.test")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    for name in ("GH_REPO", "GH_HOST", "GH_TOKEN", "GH_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def make_commit(repo: Path, path: str, text: str, message: str) -> str:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    run_git(repo, "add", path)
    run_git(repo, "commit", "-q", "-m", message)
    return run_git(repo, "rev-parse", "HEAD")


@pytest.fixture
def git() -> Git:
    """``git(cwd, *args)``: run git, assert success, return stripped stdout."""
    return run_git


@pytest.fixture
def commit() -> Callable[[Path, str, str, str], str]:
    """``commit(repo, path, text, message)``: write, add, commit; returns the new sha."""
    return make_commit


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare repository whose main branch has one commit."""
    bare = tmp_path / "origin.git"
    run_git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    seed = tmp_path / "seed"
    run_git(tmp_path, "clone", "-q", str(bare), str(seed))
    run_git(seed, "checkout", "-q", "-b", "main")
    make_commit(seed, "README.md", "hello\n", "initial commit")
    run_git(seed, "push", "-q", "origin", "main")
    return bare


@pytest.fixture
def clone(tmp_path: Path, origin: Path) -> Path:
    """A clone of ``origin`` (origin/HEAD -> main), as an agent's machine has it."""
    path = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", str(origin), str(path))
    return path


@pytest.fixture
def mav(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Mav:
    """Run `gh maverick ARGS` in-process from directory ``cwd``."""

    def run(*args: str, cwd: Path) -> Outcome:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            main(list(args))
        out, err = capsys.readouterr()
        return Outcome(int(exited.value.code or 0), out, err)

    return run
