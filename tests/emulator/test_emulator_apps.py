"""The emulator's GitHub Apps: JWT checks with GitHub's error texts, installation tokens
that act as ``slug[bot]`` for an hour, and answers in GitHub's published shapes."""

from __future__ import annotations

from datetime import datetime

import jwt
import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.apps import EXP_INVALID, EXP_TOO_FAR, IAT_INVALID, NOT_DECODED
from tests.gh_app_keys import APP_ID, INSTALLATION, SLUG, key_pair, register

from .conftest import REPO, Client
from .test_emulator_fidelity import check


@pytest.fixture
def app_client(emu: Emulator, client: Client) -> Client:
    register(emu.store)
    return client


def signed(claims: dict, key: str | None = None, algorithm: str = "RS256") -> str:
    return jwt.encode(claims, key or key_pair()[0], algorithm=algorithm)


def now(emu: Emulator) -> int:
    return int(emu.store.clock())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def good(emu: Emulator, **changes: object) -> str:
    claims = {"iat": now(emu) - 60, "exp": now(emu) + 540, "iss": str(APP_ID), **changes}
    return signed(claims)


def test_get_app_with_a_valid_jwt_names_the_app_in_githubs_shape(emu, app_client):
    reply = app_client.get("/app", headers=bearer(good(emu)))

    assert reply.status == 200, reply.raw
    assert (reply.json["slug"], reply.json["id"]) == (SLUG, APP_ID)
    check("Integration", reply.json)


def test_the_client_id_is_an_issuer_too(emu, app_client):
    client_id = emu.store.apps.apps[APP_ID].client_id
    assert app_client.get("/app", headers=bearer(good(emu, iss=client_id))).status == 200


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"exp": 610}, EXP_TOO_FAR),  # seconds from now
        ({"exp": -1}, EXP_INVALID),
        ({"exp": "soon"}, EXP_INVALID),
        ({"iat": 30}, IAT_INVALID),
        ({"iss": "999"}, NOT_DECODED),
    ],
)
def test_a_jwt_outside_githubs_rules_is_401_with_githubs_message(emu, app_client, claims, message):
    absolute = {
        k: now(emu) + v if isinstance(v, int) and k != "iss" else v for k, v in claims.items()
    }
    reply = app_client.get("/app", headers=bearer(good(emu, **absolute)))

    assert reply.status == 401
    assert reply.json["message"] == message


def test_a_jwt_signed_by_another_key_or_not_rs256_could_not_be_decoded(emu, app_client):
    claims = {"iat": now(emu) - 60, "exp": now(emu) + 540, "iss": str(APP_ID)}
    other = signed(claims, key_pair("other")[0])
    symmetric = signed(claims, "a-shared-secret-of-at-least-32-bytes!", "HS256")
    for token in (other, symmetric, "eyJhbGciOi.garbage.x"):
        reply = app_client.get("/app", headers=bearer(token))
        assert (reply.status, reply.json["message"]) == (401, NOT_DECODED)


def test_an_installation_token_lasts_an_hour_and_acts_as_the_bot(emu, app_client):
    issued = app_client.post(
        f"/app/installations/{INSTALLATION}/access_tokens", headers=bearer(good(emu))
    )

    assert issued.status == 201, issued.raw
    check("InstallationToken", issued.json)
    token = issued.json["token"]
    expires = datetime.fromisoformat(issued.json["expires_at"].replace("Z", "+00:00"))
    assert abs(expires.timestamp() - now(emu) - 3600) <= 2
    as_bot = app_client.as_(token)
    viewer = as_bot.post("/graphql", {"query": "query { viewer { login } }"})
    assert viewer.json["data"]["viewer"]["login"] == f"{SLUG}[bot]"
    comment = as_bot.post(f"{REPO}/issues/2/comments", {"body": "from the App"})
    assert comment.status == 201
    assert (comment.json["user"]["login"], comment.json["user"]["type"]) == (f"{SLUG}[bot]", "Bot")
    # GitHub refuses /user to an installation token.
    assert as_bot.get("/user").status == 403


def test_an_expired_installation_token_is_bad_credentials(emu, app_client):
    token = app_client.post(
        f"/app/installations/{INSTALLATION}/access_tokens", headers=bearer(good(emu))
    ).json["token"]
    emu.advance_clock(3601)

    reply = app_client.as_(token).get(f"{REPO}/issues/2")

    assert (reply.status, reply.json["message"]) == (401, "Bad credentials")


def test_an_unknown_installation_is_404_and_its_installation_is_githubs_shape(emu, app_client):
    assert (
        app_client.post("/app/installations/5/access_tokens", headers=bearer(good(emu))).status
        == 404
    )
    found = app_client.get(f"/app/installations/{INSTALLATION}", headers=bearer(good(emu)))
    assert found.status == 200
    check("Installation", found.json)


def test_a_jwt_is_refused_on_endpoints_that_do_not_take_one(emu, app_client):
    assert app_client.get(f"{REPO}/issues/2", headers=bearer(good(emu))).status == 401
