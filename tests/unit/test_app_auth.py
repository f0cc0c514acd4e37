"""GitHub App authentication as pure decisions: the JWT's claims, when a cached
installation token is renewed, the cache record; and the cache file's mode."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from maverick_ext.core.app_auth import (
    JWT_MAX_LIFETIME_S,
    CachedToken,
    cache_file_name,
    cached_token,
    jwt_claims,
    parse_expiry,
    token_usable,
)
from maverick_ext.errors import InvalidData
from maverick_ext.services.gh_app import load_cached, read_private_key, sign_jwt, store_cached
from tests.gh_app_keys import key_pair

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)


@given(st.integers(min_value=1_500_000_000, max_value=4_000_000_000))
def test_the_jwt_is_backdated_a_minute_and_expires_within_githubs_ten_minutes(now):
    claims = jwt_claims("4242", now)

    assert claims["iat"] == now - 60
    assert now < claims["exp"] <= now + JWT_MAX_LIFETIME_S
    assert claims["iss"] == "4242"


def test_a_client_id_is_the_issuer_as_written():
    assert jwt_claims("Iv1.0123456789abcdef", NOW.timestamp())["iss"] == "Iv1.0123456789abcdef"


def test_the_signed_jwt_verifies_with_the_apps_public_key_as_rs256():
    private, public = key_pair()
    token = sign_jwt("4242", private, NOW.timestamp())

    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = jwt.decode(token, public, algorithms=["RS256"], options={"verify_exp": False})
    assert claims == jwt_claims("4242", NOW.timestamp())


def test_a_file_that_is_no_private_key_is_one_line_naming_it(tmp_path):
    with pytest.raises(InvalidData, match="not an RSA private key in PEM form"):
        sign_jwt("4242", "-----BEGIN NOTHING-----\n", NOW.timestamp(), str(tmp_path / "k.pem"))
    with pytest.raises(InvalidData, match="no such file"):
        read_private_key(str(tmp_path / "absent.pem"))


@pytest.mark.parametrize(
    ("left_s", "usable"),
    [(3600, True), (301, True), (300, False), (299, False), (0, False), (-60, False)],
)
def test_a_cached_token_is_renewed_five_minutes_before_it_expires(left_s, usable):
    assert token_usable(NOW + timedelta(seconds=left_s), NOW) is usable


def test_githubs_expires_at_is_read_and_anything_else_is_not():
    assert parse_expiry("2026-11-21T13:00:00Z") == NOW + timedelta(hours=1)
    assert parse_expiry("2026-11-21T14:00:00+01:00") == NOW + timedelta(hours=1)
    for bad in (None, 3600, "", "tomorrow", "2026-11-21"):
        assert parse_expiry(bad) is None


def test_the_cache_record_round_trips_and_only_fits_its_app_installation_and_host():
    record = CachedToken("ghs_x", NOW, "4242", 77, "github.com", "maverick-test")

    assert cached_token(json.loads(json.dumps(record.to_json()))) == record
    assert record.fits("4242", 77, "github.com")
    assert not record.fits("4242", 78, "github.com")
    assert not record.fits("4243", 77, "github.com")
    assert not record.fits("4242", 77, "ghe.example.com")


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {"token": "", "expires_at": "2026-11-21T13:00:00Z"},
        {"token": "t", "expires_at": "soon", "app_id": "1", "installation_id": 1, "host": "h"},
        {"token": "t", "expires_at": "2026-11-21T13:00:00Z", "app_id": 1, "installation_id": 1},
    ],
)
def test_a_damaged_cache_record_is_no_token(raw):
    assert cached_token(raw) is None


def test_cache_file_names_are_plain_file_names():
    assert cache_file_name("ghe.example.com", "Iv1.ab/c", 7) == "ghe.example.com-Iv1.ab_c-7.json"


def test_the_cache_file_is_mode_0600_and_a_readable_by_others_one_is_not_trusted(tmp_path):
    path = tmp_path / "state" / "gh-app" / "t.json"
    record = CachedToken("ghs_secret", NOW, "4242", 77, "github.com")

    store_cached(path, record)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_cached(path) == record
    assert [p.name for p in path.parent.iterdir()] == ["t.json"]  # no temporary left
    path.chmod(0o644)
    assert load_cached(path) is None


def test_the_configured_apps_slug_is_known_from_its_cached_tokens_only(tmp_path):
    from maverick_ext.config_files import GitHubApp
    from maverick_ext.services.gh_app import known_slugs

    env = {"XDG_STATE_HOME": str(tmp_path)}
    settings = GitHubApp(app_id="4242", private_key_path="k.pem", installation_id=77)
    directory = tmp_path / "gh-maverick" / "gh-app"
    assert known_slugs(env, settings) == ()  # no token minted yet: nothing to trust

    for host, app_id, installation, slug in (
        ("github.com", "4242", 77, "ours"),
        ("ghe.example.com", "4242", 77, "ours"),
        ("github.com", "9999", 77, "another-app"),
    ):
        record = CachedToken("ghs_x", NOW, app_id, installation, host, slug)
        store_cached(directory / cache_file_name(host, app_id, installation), record)

    assert known_slugs(env, settings) == ("ours",)
    assert known_slugs(env, GitHubApp()) == ()
