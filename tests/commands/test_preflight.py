"""`gh maverick preflight` in-process: the labels, config and GitHub App checks, each unmet
one with its fix, in a real git clone; the local gh's `--version` and `auth status` come
from a stand-in (``local_tools``). What the real gh answers to those two (a ready clone
passes, a bare machine is not logged in) is checked end to end: tests/e2e/test_preflight.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from maverick_ext.emulator.seeds import OWNER, REPO
from tests.gh_app_keys import APP_ID, INSTALLATION, SLUG, app_env, register, write_key


@pytest.fixture
def preflight(run_emulated, checkout: Path, local_tools: str):
    """``preflight ARGS`` in the checkout, with git and the stand-in gh on PATH."""

    def run(*args: str, env: dict[str, str] | None = None):
        return run_emulated(
            "preflight", *args, cwd=checkout, env={"PATH": local_tools, **(env or {})}
        )

    return run


def checks_of(done) -> dict[str, dict]:
    return {check["name"]: check for check in done.json()["checks"]}


def test_missing_labels_fail_with_init_as_the_fix_and_init_repairs_them(
    preflight, run_emulated, inproc_emulator, checkout
) -> None:
    store = inproc_emulator.emulator.store
    store.delete_label(store.repo(OWNER, REPO), "needs-human")

    failed = preflight("--json")

    assert failed.exit_code == 1
    labels = checks_of(failed)["labels"]
    assert (labels["status"], labels["detail"], labels["fix"]) == (
        "fail", "missing: needs-human", "gh maverick init",
    )  # fmt: skip
    assert "preflight failed: labels" in failed.stderr
    assert run_emulated("init", cwd=checkout).exit_code == 0
    assert preflight().exit_code == 0


def test_an_invalid_config_is_reported_with_file_and_key(preflight, checkout) -> None:
    (checkout / ".maverick").mkdir()
    (checkout / ".maverick" / "config.json").write_text('{"coordination": {"lease_ttl_s": 0}}')

    config = checks_of(preflight("--json"))["config"]

    assert config["status"] == "fail"
    assert config["detail"].startswith(
        f"{checkout / '.maverick' / 'config.json'}: coordination.lease_ttl_s"
    )


def test_an_unknown_workflow_is_a_usage_error(preflight) -> None:
    done = preflight("do-everything")
    assert done.exit_code == 2 and "unknown skill 'do-everything'" in done.stderr


def test_a_configured_app_passes_with_its_slug_and_installation(
    preflight, inproc_emulator, tmp_path
) -> None:
    register(inproc_emulator.emulator.store)
    env = app_env(write_key(tmp_path))

    app = checks_of(preflight("do-epic", "--json", env=env))

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
    preflight, inproc_emulator, tmp_path, broken, detail, fix
) -> None:
    register(inproc_emulator.emulator.store)
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

    done = preflight("do-epic", "--json", env=env)

    assert done.exit_code == 1
    app = checks_of(done)["github app"]
    assert app["status"] == "fail"
    assert detail.format(key=key) in app["detail"] and fix in app["fix"]
