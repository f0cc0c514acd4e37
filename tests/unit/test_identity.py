"""Instance identity: explicit, from the agent session, or cached per git worktree."""

from __future__ import annotations

from pathlib import Path

import pytest

from maverick_ext import process
from maverick_ext.core.identity import instance_id_from_env, session_instance_id
from maverick_ext.errors import UsageError
from maverick_ext.services.identity import resolve_identity


def test_explicit_flag_beats_env_which_beats_the_session() -> None:
    env = {"MAVERICK_INSTANCE_ID": "from-env", "CLAUDE_CODE_SESSION_ID": "s1"}
    assert instance_id_from_env(env, "from-flag") == "from-flag"
    assert instance_id_from_env(env) == "from-env"
    assert instance_id_from_env({"CLAUDE_CODE_SESSION_ID": "s1"}) == session_instance_id("s1")


def test_one_agent_session_is_one_instance_and_two_sessions_are_two() -> None:
    assert session_instance_id("s1") == session_instance_id("s1")
    assert session_instance_id("s1") != session_instance_id("s2")
    assert instance_id_from_env({}) is None


@pytest.mark.parametrize("bad", ["", "has space", "x" * 65, "a/b", "-dash"])
def test_an_unprintable_instance_id_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError, match="instance id"):
        instance_id_from_env({}, bad) if bad else instance_id_from_env(
            {"MAVERICK_INSTANCE_ID": " "}
        )


def git(*args: str, cwd: Path) -> None:
    result = process.run(["git", *args], cwd=cwd)
    assert result.exit_code == 0, result.stderr


def test_two_worktrees_of_one_clone_are_two_instances_each_stable(tmp_path: Path) -> None:
    main = tmp_path / "main"
    main.mkdir()
    git("init", "-q", cwd=main)
    git(
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
        cwd=main,
    )
    git("worktree", "add", "-q", str(tmp_path / "second"), cwd=main)
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}

    first = resolve_identity(env, cwd=str(main))
    second = resolve_identity(env, cwd=str(tmp_path / "second"))

    assert first.instance_id != second.instance_id
    assert resolve_identity(env, cwd=str(main)) == first
    assert (main / ".git" / "maverick-instance-id").read_text().strip() == first.instance_id


def test_outside_a_clone_the_id_is_cached_under_xdg_state_home(tmp_path: Path) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    first = resolve_identity(env, cwd=str(tmp_path))
    assert resolve_identity(env, cwd=str(tmp_path)) == first
    cached = tmp_path / "state" / "gh-maverick" / "instance-id"
    assert cached.read_text().strip() == first.instance_id
    assert first.host  # recorded for humans
