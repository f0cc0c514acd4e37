"""`gh-app status|token|gh` and `--as-app`, in-process against the emulator's test App."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from maverick_ext.core.app_auth import CachedToken
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.emulator.server import GH_HOST
from maverick_ext.services.gh_app import store_cached
from tests.gh_app_keys import APP_ID, INSTALLATION, SLUG, app_env, register, write_key


@pytest.fixture
def app_configured(inproc_emulator, tmp_path) -> dict[str, str]:
    register(inproc_emulator.emulator.store)
    return app_env(write_key(tmp_path))


def cache_file(tmp_path: Path) -> Path:
    return (
        tmp_path
        / "home"
        / "state"
        / "gh-maverick"
        / "gh-app"
        / (f"{GH_HOST}-{APP_ID}-{INSTALLATION}.json")
    )


def cached(tmp_path: Path) -> dict:
    return json.loads(cache_file(tmp_path).read_text())


def requests(result) -> list[tuple[str, str]]:
    return [(call.method, call.path) for call in result.calls]


def test_status_without_an_app_says_so_and_names_the_missing_keys(run_emulated):
    result = run_emulated("gh-app", "status")

    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "configured: false"
    assert "github_app.app_id, github_app.private_key_path, github_app.installation_id" in (
        result.stdout
    )
    assert result.stderr.strip() == (
        "gh-maverick: no GitHub App configured (set github_app.app_id, .private_key_path "
        "and .installation_id (docs/gh-app.md))"
    )
    assert result.calls == []


def test_status_names_the_app_with_one_call_and_never_a_token(run_emulated, app_configured):
    result = run_emulated("gh-app", "status", "--json", env=app_configured)

    assert result.exit_code == 0, result.stderr
    assert result.json() == {
        "schema_version": 1,
        "configured": True,
        "app_id": str(APP_ID),
        "app_slug": SLUG,
        "installation_id": INSTALLATION,
        "token_expires_at": None,
        "act_as_app": False,
        "missing": [],
    }
    assert requests(result) == [("GET", "app")]


def test_token_is_minted_once_cached_0600_and_reused_without_a_call(
    run_emulated, app_configured, tmp_path
):
    first = run_emulated("gh-app", "token", "--json", env=app_configured)

    assert first.exit_code == 0, first.stderr
    assert requests(first) == [
        ("GET", "app"),
        ("POST", f"app/installations/{INSTALLATION}/access_tokens"),
    ]
    secret = cached(tmp_path)["token"]
    assert secret.startswith("ghs_")
    assert secret not in first.stdout + first.stderr
    assert stat.S_IMODE(cache_file(tmp_path).stat().st_mode) == 0o600
    assert first.json()["cached"] is False and first.json()["app_slug"] == SLUG

    again = run_emulated("gh-app", "token", "--json", env=app_configured)
    assert again.calls == [] and again.json()["cached"] is True
    assert again.json()["expires_at"] == first.json()["expires_at"]

    status = run_emulated("gh-app", "status", "--json", env=app_configured)
    assert status.json()["token_expires_at"] == first.json()["expires_at"]
    assert secret not in status.stdout

    printed = run_emulated("gh-app", "token", "--print", env=app_configured)
    assert printed.stdout == secret + "\n" and printed.calls == []

    renewed = run_emulated("gh-app", "token", "--renew", env=app_configured)
    assert len(renewed.calls) == 2 and cached(tmp_path)["token"] != secret
    assert renewed.stdout.startswith(f"minted a token for {SLUG} (installation {INSTALLATION})")


def test_a_token_within_five_minutes_of_expiry_is_replaced(run_emulated, app_configured, tmp_path):
    soon = datetime.now(timezone.utc) + timedelta(minutes=4)
    record = CachedToken("ghs_old", soon, str(APP_ID), INSTALLATION, GH_HOST, SLUG)
    store_cached(cache_file(tmp_path), record)

    result = run_emulated("gh-app", "token", "--json", env=app_configured)

    assert result.json()["cached"] is False and len(result.calls) == 2
    assert cached(tmp_path)["token"] != "ghs_old"


def test_a_token_cached_for_another_installation_is_not_used(
    run_emulated, app_configured, tmp_path
):
    later = datetime.now(timezone.utc) + timedelta(minutes=50)
    record = CachedToken("ghs_other", later, str(APP_ID), 999, GH_HOST, SLUG)
    store_cached(cache_file(tmp_path), record)

    result = run_emulated("gh-app", "token", "--print", env=app_configured)

    assert result.stdout.strip() != "ghs_other" and len(result.calls) == 2


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ("missing_key", 15, "private key {key}: no such file"),
        ("not_a_key", 15, "private key {key}: not an RSA private key in PEM form"),
        ("other_key", 4, "GitHub refused the App's JWT on GET app: A JSON web token could not"),
        ("installation", 2, "GitHub App installation 5 not found"),
    ],
)
def test_a_broken_app_configuration_is_one_line_with_the_fix(
    run_emulated, app_configured, tmp_path, change, code, message
):
    env = dict(app_configured)
    key = Path(env["MAVERICK_APP_PRIVATE_KEY_PATH"])
    if change == "missing_key":
        key.unlink()
    elif change == "not_a_key":
        key.write_text("not a key\n")
    elif change == "other_key":
        env["MAVERICK_APP_PRIVATE_KEY_PATH"] = str(write_key(tmp_path, "other"))
    else:
        env["MAVERICK_APP_INSTALLATION_ID"] = "5"

    result = run_emulated("gh-app", "token", env=env)

    assert result.exit_code == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert message.format(key=key) in lines[0]
    assert "(" in lines[0]  # the hint: what to do


def test_as_app_claims_as_the_bot_and_the_claim_is_this_instances(
    run_emulated, inproc_emulator, app_configured
):
    claimed = run_emulated("claim", "2", "--as-app", "--json", env=app_configured)

    assert claimed.exit_code == 0, claimed.stderr
    store = inproc_emulator.emulator.store
    authors = {c.user.login for c in store.issue(store.repo(OWNER, REPO), 2).comments}
    assert authors == {f"{SLUG}[bot]"}
    read = run_emulated("read", "2", "--as-app", "--json", env=app_configured)
    assert read.json()["holder"]["instance_id"] == "agent-a"
    assert read.calls[0].path == "graphql"  # the cached token: no second mint
    assert run_emulated("guard", "2", "--as-app", env=app_configured).exit_code == 0
    other = run_emulated(
        "guard", "2", "--as-app", env={**app_configured, "MAVERICK_INSTANCE_ID": "b"}
    )
    assert other.exit_code == 13


def test_the_config_switch_acts_as_the_app_like_the_flag(
    run_emulated, inproc_emulator, app_configured
):
    result = run_emulated("claim", "3", "--json", env={**app_configured, "MAVERICK_AS_APP": "1"})

    assert result.exit_code == 0, result.stderr
    assert ("GET", "app") in requests(result)
    store = inproc_emulator.emulator.store
    comment = store.issue(store.repo(OWNER, REPO), 3).comments[-1]
    assert comment.user.login == f"{SLUG}[bot]"


def test_the_app_settings_come_from_the_config_file_with_the_environment_over_it(
    run_emulated, app_configured, tmp_path
):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".maverick").mkdir()
    settings = {
        "app_id": APP_ID,  # a number in the file is the id as text
        "private_key_path": app_configured["MAVERICK_APP_PRIVATE_KEY_PATH"],
        "installation_id": 5,
        "act_as_app": True,
    }
    (tmp_path / ".maverick" / "config.json").write_text(json.dumps({"github_app": settings}))

    from_file = run_emulated("gh-app", "status", "--json")
    assert from_file.json()["installation_id"] == 5 and from_file.json()["act_as_app"] is True
    env = {"MAVERICK_APP_INSTALLATION_ID": str(INSTALLATION), "MAVERICK_AS_APP": "no"}
    overridden = run_emulated("gh-app", "status", "--json", env=env)
    assert overridden.json()["installation_id"] == INSTALLATION
    assert overridden.json()["act_as_app"] is False


def test_an_invalid_switch_value_is_a_usage_error_naming_it(run_emulated):
    result = run_emulated("gh-app", "status", env={"MAVERICK_AS_APP": "maybe"})

    assert result.exit_code == 2
    assert "invalid MAVERICK_AS_APP='maybe'" in result.stderr


def test_a_long_lived_as_app_client_renews_the_token_before_it_expires(
    inproc_emulator, app_configured, tmp_path
):
    from maverick_ext.commands.app import App
    from maverick_ext.github.client import GhClient

    clock = {"now": datetime.now(timezone.utc).timestamp()}
    env = {
        "HOME": str(tmp_path / "home"),
        "XDG_STATE_HOME": str(tmp_path / "home" / "state"),
        "GH_REPO": f"{GH_HOST}/{OWNER}/{REPO}",
        **app_configured,
    }
    app = App(
        env=env,
        make_client=lambda repo, debug: GhClient(repo=repo, run=inproc_emulator.run, env=env),
        cwd=str(tmp_path),
        as_app=True,
        wall_clock=lambda: clock["now"],
    )
    query = {"query": "query { viewer { login } }"}
    client = app.client(app.resolve_repo(None))  # one client, as a heartbeat loop keeps it
    assert client.graphql(query["query"]).data["data"]["viewer"]["login"] == f"{SLUG}[bot]"
    first = cached(tmp_path)["token"]
    mints = len(inproc_emulator.emulator.store.apps.tokens)

    # 56 minutes on (GitHub's clock too): within five minutes of the token's expiry.
    clock["now"] += 56 * 60
    inproc_emulator.emulator.advance_clock(56 * 60)
    assert client.graphql(query["query"]).data["data"]["viewer"]["login"] == f"{SLUG}[bot]"
    assert len(inproc_emulator.emulator.store.apps.tokens) == mints + 1
    assert cached(tmp_path)["token"] != first

    # An hour after the first: the old token is dead, the client still works.
    inproc_emulator.emulator.advance_clock(5 * 60)
    assert inproc_emulator.emulator.store.apps.expired(
        first, inproc_emulator.emulator.store.clock()
    )
    assert client.graphql(query["query"]).data["data"]["viewer"]["login"] == f"{SLUG}[bot]"
