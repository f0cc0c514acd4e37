"""The seed documents' `maverick …` command lines, for the tests that run them as
`gh maverick …`: in-process (tests/commands/test_seed_lines.py, every line) and through the
real gh (tests/e2e/test_seed_lines.py, the lines only a real process proves).

The scraped seeds lost the text inside ``{{ ARGUMENTS }}`` and ``<epic>``-style tags in a
few places (``dag waves <repo>``, ``coord release <repo> --reason complete``); maverick-harness
5.1.1's templates show the epic goes there, so the scenarios put it back.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

from maverick_ext.emulator.seeds import OWNER, REPO
from tests.conftest import CHECKOUT

SEEDS = Path("/work/shared/seeds")
# CI has no seed folder: the lines extracted from it are kept here (checked when it exists).
SEED_LINES_COPY = CHECKOUT / "tests" / "fixtures" / "seed_lines.txt"
SLUG = f"{OWNER}/{REPO}"
EPIC, STORIES = 1, (2, 3, 4, 5, 6, 7)
# What a real process proves: gh hands `gh-app gh -- ARGS` to the real gh's porcelain, and
# the background heartbeat loop is a process of its own that ends when its story is released.
THROUGH_REAL_GH = frozenset(
    {
        "gh-app gh -- issue comment --body-file /tmp/dag-marker.md",
        "coord heartbeat-loop <repo> $issue",
    }
)

_LINE = re.compile(r"\bmaverick ((?!mav-)[a-z][a-z-]*\b[^\n]*)")
_PROSE_TAIL = re.compile(r" (?:returns|reports|does not|for each)\b.*$")


def extract_lines(texts: list[str]) -> set[str]:
    """The command lines as the seeds write them, minus prose and shell plumbing."""
    found = set()
    for text in texts:
        for match in _LINE.finditer(text):
            line = _PROSE_TAIL.sub("", match[1]).rstrip(" .)")
            found.add(line.replace(" >/dev/null 2>&1 &", ""))
    return found


def seed_lines() -> set[str]:
    if SEEDS.is_dir():
        return extract_lines([p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))])
    return set(SEED_LINES_COPY.read_text(encoding="utf-8").splitlines())


def fill(template: str, **values: str) -> list[str]:
    line = template.replace("<repo>", SLUG).replace("[--base <sibling-branch>]", "")
    for name, value in values.items():
        line = line.replace(f"<{name}>", value).replace(f"${name}", value)
    assert "<" not in line and "$" not in line, f"unfilled placeholder in {line!r}"
    return shlex.split(line)


def dag_marker() -> Path:
    """The DAG marker file the seeds' do-epic posts (at the path its line names)."""
    deps = {"2": [], "3": [], "4": ["2", "3"], "5": ["2"], "6": ["4"], "7": ["5", "6"]}
    dag = {"epic": EPIC, "stories": {n: {"deps": d, "files": []} for n, d in deps.items()}}
    path = Path("/tmp/dag-marker.md")
    path.write_text(f"```maverick-dag\n{json.dumps(dag)}\n```\n")
    return path


def make_clone(tmp_path: Path) -> Path:
    """A clone with an origin, as an agent's machine has it (for the worktree lines)."""

    def git(cwd: Path, *args: str) -> None:
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=30)

    bare, work = tmp_path / "origin.git", tmp_path / "clone"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(tmp_path, "clone", "-q", str(bare), str(work))
    git(work, "checkout", "-q", "-b", "main")
    git(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty",
        "-m", "init")  # fmt: skip
    git(work, "push", "-q", "origin", "main")
    git(work, "remote", "set-head", "origin", "main")
    # A one-minute lease keeps the background loop's beat (TTL / 5) short enough to watch.
    (work / ".maverick").mkdir()
    (work / ".maverick" / "config.json").write_text(
        json.dumps({"coordination": {"lease_ttl_s": 60, "settle_s": 0.5}})
    )
    return work
