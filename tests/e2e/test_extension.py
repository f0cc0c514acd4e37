"""The extension as gh users meet it: installed with `gh extension install .`, run as `gh maverick`."""

from __future__ import annotations


def test_gh_lists_and_runs_the_installed_extension(gh_maverick, gh):
    listed = gh("extension", "list")
    assert "maverick" in listed.stdout

    helped = gh_maverick("--help")
    assert helped.returncode == 0
    assert "claim" in helped.stdout and "Exit codes:" in helped.stdout


def test_an_unknown_command_is_a_usage_error_without_traceback(gh_maverick):
    result = gh_maverick("frobnicate")
    assert result.returncode == 2
    assert "No such command" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_repository_context_is_one_clear_line(gh_maverick, tmp_path):
    result = gh_maverick("read", "1", env={"GH_REPO": ""}, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert "-R OWNER/REPO" in result.stderr
