"""Generated from the commands by cog, so each must match the code: docs/commands.md (every
command's --help) and commands/short_help.py (the one-line help the lazy tables list)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "commands.md"
SHORT_HELP = ROOT / "maverick_ext" / "commands" / "short_help.py"


def test_the_generated_help_matches_every_commands_help() -> None:
    # A fresh interpreter: click caches each command's help option on the command object,
    # so help rendered after other tests built contexts by hand could differ from a user's.
    check = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", str(SHORT_HELP), str(REFERENCE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, (
        "generated help is out of date with the commands: run "
        "`.venv/bin/cog -r maverick_ext/commands/short_help.py docs/commands.md` and commit it\n"
        + check.stdout
        + check.stderr
    )
