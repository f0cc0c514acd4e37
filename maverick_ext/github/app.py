"""The GitHub App calls: who the App is (``GET /app``), its installation, and the exchange
of a JWT for an installation access token, all through `gh api`; and gh run as the App.

GitHub takes a JWT only as ``Authorization: Bearer`` ("if you are passing a JWT, you must
use Authorization: Bearer", docs "Generating a JWT for a GitHub App"), so it travels as
``gh api -H``, which replaces gh's own token header. The child's ``GH_TOKEN`` is the JWT as
well, so gh's "are you logged in" check passes on a machine that only has the App, and
``GH_DEBUG`` is removed from that child: gh's debug log prints response bodies, and the
exchange's body is the installation token. Tokens are never printed, logged or put in an
error message here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from maverick_ext import process
from maverick_ext.errors import MaverickError, NotAuthenticated, NotFound, UsageError
from maverick_ext.github.client import QUIET_GH_ENV, GhClient
from maverick_ext.records import replace

# gh reads GH_TOKEN for github.com (and github.localhost), GH_ENTERPRISE_TOKEN for other hosts.
TOKEN_VARIABLES = ("GH_TOKEN", "GH_ENTERPRISE_TOKEN")
_DEBUG_VARIABLES = ("GH_DEBUG", "DEBUG")


def token_env(token: str) -> dict[str, str]:
    """The variables that make a gh child act with ``token`` on any host."""
    return dict.fromkeys(TOKEN_VARIABLES, token)


def as_token(client: GhClient, token: str) -> GhClient:
    """A copy of ``client`` whose gh children act with ``token``."""
    base = os.environ if client.env is None else client.env
    env = {k: v for k, v in base.items() if k not in _DEBUG_VARIABLES}
    return replace(client, env={**env, **token_env(token)}, credentials=None, calls=0)


def _bearer(jwt: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {jwt}"}


def _refused(exc: NotAuthenticated, request: str) -> NotAuthenticated:
    # exc.message: "GitHub rejected gh's credentials (A JSON web token could not be decoded)"
    reason = exc.message.partition("(")[2].rstrip(")") or exc.message
    return NotAuthenticated(
        f"GitHub refused the App's JWT on {request}: {reason}",
        "check github_app.app_id and that github_app.private_key_path is the App's "
        "current private key; a clock off by minutes also fails",
    )


def _installation_missing(installation_id: int) -> UsageError:
    return UsageError(
        f"GitHub App installation {installation_id} not found",
        "set github_app.installation_id (or MAVERICK_APP_INSTALLATION_ID) to an "
        "installation of this App: the number at the end of its settings URL",
    )


def authenticated_app(gh: GhClient, jwt: str) -> dict[str, Any]:
    """``GET /app``: the App this JWT authenticates as (``slug``, ``id``, ``name``…)."""
    client = as_token(gh, jwt)
    try:
        data = client.get("app", headers=_bearer(jwt)).data
    except NotAuthenticated as exc:
        raise _refused(exc, "GET app") from None
    if not isinstance(data, dict):
        raise MaverickError("GET app answered without an App object")
    return data


def installation(gh: GhClient, jwt: str, installation_id: int) -> dict[str, Any]:
    """``GET /app/installations/{id}``: that installation of this App, if there is one."""
    client = as_token(gh, jwt)
    path = f"app/installations/{installation_id}"
    try:
        data = client.get(path, headers=_bearer(jwt)).data
    except NotAuthenticated as exc:
        raise _refused(exc, f"GET {path}") from None
    except NotFound:
        raise _installation_missing(installation_id) from None
    if not isinstance(data, dict):
        raise MaverickError(f"GET {path} answered without an installation object")
    return data


def installation_token(gh: GhClient, jwt: str, installation_id: int) -> dict[str, Any]:
    """``POST /app/installations/{id}/access_tokens``: ``{token, expires_at, …}``.

    Minting twice is harmless (each token stands alone), so a failure is simply retried.
    """
    client = as_token(gh, jwt)
    path = f"app/installations/{installation_id}/access_tokens"
    try:
        data = client.post(path, headers=_bearer(jwt), idempotent=True).data
    except NotAuthenticated as exc:
        raise _refused(exc, f"POST {path}") from None
    except NotFound:
        raise _installation_missing(installation_id) from None
    if not isinstance(data, dict) or not isinstance(data.get("token"), str):
        raise MaverickError(f"POST {path} answered without a token")
    return data


def run_gh(argv: list[str], env: Mapping[str, str], token: str, gh: str = "gh") -> int:
    """``gh ARGV`` on our terminal, acting with ``token`` (in the child's environment only)."""
    child = {k: v for k, v in env.items() if k not in TOKEN_VARIABLES}
    quiet = {k: v for k, v in QUIET_GH_ENV.items() if k in ("GH_PROMPT_DISABLED",)}
    return process.run_attached([gh, *argv], env={**child, **quiet, **token_env(token)})
