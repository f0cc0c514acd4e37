"""`gh maverick preflight` through the real gh and the installed extension."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.gh_app_keys import APP_ID, INSTALLATION, SLUG, app_env, register, write_key

pytestmark = pytest.mark.e2e


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git repository to run in; the emulator's GH_REPO names the GitHub side."""
    repo = tmp_path / "checkout"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    return repo


def checks_of(done: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    return {check["name"]: check for check in json.loads(done.stdout)["checks"]}


def test_a_ready_clone_passes_every_check(gh_maverick, checkout):
    done = gh_maverick("preflight", "do-epic", "--json", cwd=checkout)

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["workflow"] == "do-epic"
    assert [c["name"] for c in report["checks"]] == [
        "gh", "git", "repository", "worktrees", "remote", "gh auth", "config", "labels", "rate limit",
        "github app",
    ]  # fmt: skip
    assert {c["status"] for c in report["checks"][:-1]} == {"pass"}
    # No App configured is allowed: the commands act as gh's account.
    assert report["checks"][-1] == {
        "name": "github app",
        "status": "skip",
        "detail": "no GitHub App configured (commands act as gh's account)",
        "fix": None,
    }


def test_missing_labels_fail_with_init_as_the_fix_and_init_repairs_them(gh, gh_maverick, checkout):
    gh("api", "-X", "DELETE", "repos/{owner}/{repo}/labels/needs-human")

    failed = gh_maverick("preflight", "--json", cwd=checkout)

    assert failed.returncode == 1
    labels = checks_of(failed)["labels"]
    assert (labels["status"], labels["detail"], labels["fix"]) == (
        "fail", "missing: needs-human", "gh maverick init",
    )  # fmt: skip
    assert "preflight failed: labels" in failed.stderr
    assert gh_maverick("init", cwd=checkout).returncode == 0
    assert gh_maverick("preflight", cwd=checkout).returncode == 0


def test_a_bare_machine_gets_every_unmet_check_with_its_fix(gh_maverick, tmp_path):
    done = gh_maverick(
        "preflight", "do-issue-solo", cwd=tmp_path, env={"GH_TOKEN": "", "GH_REPO": ""}
    )

    assert done.returncode == 1
    assert "FAIL  repository: not inside a git repository" in done.stdout
    assert "FAIL  remote: no GitHub remote and no GH_REPO" in done.stdout
    assert "FAIL  gh auth: not logged in to github.localhost" in done.stdout
    assert "fix: gh auth login --hostname github.localhost" in done.stdout
    assert "skip  labels" in done.stdout
    assert "worktrees" not in done.stdout  # do-issue-solo does not need them


def test_an_invalid_config_is_reported_with_file_and_key(gh_maverick, checkout):
    (checkout / ".maverick").mkdir()
    (checkout / ".maverick" / "config.json").write_text('{"coordination": {"lease_ttl_s": 0}}')

    config = checks_of(gh_maverick("preflight", "--json", cwd=checkout))["config"]

    assert config["status"] == "fail"
    assert config["detail"].startswith(
        f"{checkout / '.maverick' / 'config.json'}: coordination.lease_ttl_s"
    )


def test_an_unknown_workflow_is_a_usage_error(gh_maverick, checkout):
    assert gh_maverick("preflight", "do-everything", cwd=checkout).returncode == 2


def test_a_configured_app_passes_with_its_slug_and_installation(
    gh_maverick, emulator, checkout, tmp_path
):
    register(emulator.store)
    env = app_env(write_key(tmp_path))

    app = checks_of(gh_maverick("preflight", "do-epic", "--json", cwd=checkout, env=env))

    assert app["github app"] == {
        "name": "github app",
        "status": "pass",
        "detail": f"{SLUG} (id {APP_ID}), installation {INSTALLATION}",
        "fix": None,
    }


@pytest.mark.parametrize(
    ("broken", "detail", "fix"),
    [
        ("partial", "incomplete: github_app.installation_id unset", "docs/gh-app.md"),
        ("no key file", "private key {key}: no such file", "Private keys"),
        ("unreadable", "private key {key}: cannot be read: Is a directory", "chmod 600"),
        ("wrong key", "GitHub refused the App's JWT on GET app: A JSON web token", "app_id"),
        ("installation", "GitHub App installation 5 not found", "installation_id"),
    ],
)
def test_a_broken_app_configuration_fails_with_the_fix(
    gh_maverick, emulator, checkout, tmp_path, broken, detail, fix
):
    register(emulator.store)
    key = write_key(tmp_path)
    env = app_env(key)
    if broken == "partial":
        env["MAVERICK_APP_INSTALLATION_ID"] = ""
    elif broken == "no key file":
        key.unlink()
    elif broken == "unreadable":  # (mode 000 would not stop root, who runs CI here)
        key.unlink()
        key.mkdir()
    elif broken == "wrong key":
        env["MAVERICK_APP_PRIVATE_KEY_PATH"] = str(write_key(tmp_path, "other"))
    else:
        env["MAVERICK_APP_INSTALLATION_ID"] = "5"

    done = gh_maverick("preflight", "do-epic", "--json", cwd=checkout, env=env)

    assert done.returncode == 1
    app = checks_of(done)["github app"]
    assert app["status"] == "fail"
    assert detail.format(key=key) in app["detail"] and fix in app["fix"]
