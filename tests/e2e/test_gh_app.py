"""The GitHub App identity end to end: the real gh, the installed extension, the emulator's
test App. status -> token -> gh as the App -> claim as the App -> the claim is ours; with
GH_DEBUG=api, neither the installation token nor the JWT appears anywhere we print."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from maverick_ext.emulator.apps import Apps
from maverick_ext.emulator.seeds import OWNER, REPO
from tests.gh_app_keys import APP_ID, INSTALLATION, SLUG, app_env, register, write_key

pytestmark = pytest.mark.e2e


@pytest.fixture
def seen_jwts(emulator, monkeypatch) -> list[str]:
    """Every JWT the emulator was shown (it runs in this process), to look for in output."""
    seen: list[str] = []
    authenticate = Apps.authenticate

    def recording(self, token, now):
        seen.append(token)
        return authenticate(self, token, now)

    monkeypatch.setattr(Apps, "authenticate", recording)
    return seen


def test_the_app_flow_acts_as_the_bot_and_never_shows_a_secret(
    gh_maverick, emulator, tmp_path, seen_jwts
):
    register(emulator.store)
    state = tmp_path / "state"
    env = {**app_env(write_key(tmp_path)), "XDG_STATE_HOME": str(state), "GH_DEBUG": "api"}
    outputs: list[str] = []

    def run(*args: str, code: int = 0):
        done = gh_maverick(*args, env=env)
        outputs.extend((done.stdout, done.stderr))
        assert done.returncode == code, (args, done.stderr)
        return done

    status = run("gh-app", "status")
    assert status.stdout.splitlines()[0] == "configured: true"
    assert f"app: {SLUG} (id {APP_ID})" in status.stdout
    assert "[gh] GET app -> 200" in status.stderr  # --debug names the request, nothing more

    minted = json.loads(run("gh-app", "token", "--json").stdout)
    cache = state / "gh-maverick" / "gh-app" / f"github.localhost-{APP_ID}-{INSTALLATION}.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    token = json.loads(cache.read_text())["token"]
    assert minted["expires_at"] == json.loads(cache.read_text())["expires_at"]

    viewer = run("gh-app", "gh", "--", "api", "graphql", "-f", "query={viewer{login}}")
    assert json.loads(viewer.stdout)["data"]["viewer"]["login"] == f"{SLUG}[bot]"
    # GitHub refuses /user to an installation token: gh ran as the App, not as the user.
    refused = run("gh-app", "gh", "--", "api", "user", code=1)
    assert "Resource not accessible by integration" in refused.stderr

    claimed = json.loads(run("claim", "--as-app", "2", "--json").stdout)
    assert claimed["results"][0]["action"] == "claimed"
    issue = emulator.store.issue(emulator.store.repo(OWNER, REPO), 2)
    assert {c.user.login for c in issue.comments} == {f"{SLUG}[bot]"}
    read = json.loads(run("read", "2", "--json", "--as-app").stdout)
    assert read["holder"]["instance_id"] == "agent-a" and read["lease_live"] is True
    run("guard", "2", "--as-app")  # exit 0: this instance, acting as the App, holds it

    assert seen_jwts, "the emulator saw no JWT"
    assert token.startswith("ghs_")
    for secret in (token, *seen_jwts):
        leaked = [i for i, text in enumerate(outputs) if secret in text]
        assert not leaked, f"a secret appeared in outputs {leaked}"
    assert not any("eyJ" in text for text in outputs)  # no JWT of any kind


def test_an_unconfigured_app_is_exit_1_and_as_app_is_a_usage_error(gh_maverick, tmp_path):
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}

    status = gh_maverick("gh-app", "status", "--json", env=env)
    assert status.returncode == 1
    assert json.loads(status.stdout)["configured"] is False

    claim = gh_maverick("claim", "2", "--as-app", env=env)
    assert claim.returncode == 2
    assert claim.stderr.startswith("gh-maverick: no GitHub App configured")
    assert not Path(tmp_path / "state" / "gh-maverick" / "gh-app").exists()
