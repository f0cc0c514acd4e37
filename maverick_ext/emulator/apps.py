"""GitHub Apps in the emulator: registered test Apps, JWT checks, installation tokens.

A test registers an App with the public half of a key pair it generated (never a committed
private key): ``store.apps.register(...)``. Requests carrying ``Authorization: Bearer
<JWT>`` are answered here, as GitHub does (docs/github-facts.md, "GitHub App"):

- the JWT must be RS256-signed by the App named in ``iss`` (its id or client id), else
  401 ``A JSON web token could not be decoded``;
- ``exp`` must be a number in the future (401 ``'Expiration time' claim ('exp') must be a
  numeric value representing the future time at which the assertion expires``) and no more
  than 600 s ahead of the server clock (401 ``'Expiration time' claim ('exp') is too far in
  the future``); ``iat`` must be a number not in the future (401 ``'Issued at' claim
  ('iat') must be an Integer representing the time that the assertion was issued``);
- only ``GET /app``, ``GET /app/installations/{id}`` and ``POST
  /app/installations/{id}/access_tokens`` take a JWT (404 for an unknown installation);
  elsewhere a JWT is refused with 401 (stricter than GitHub may be: the product never
  sends one there).

An installation token (``ghs_…``, 201 with ``expires_at`` one hour ahead) acts as the Bot
``slug[bot]``; once expired it is 401 ``Bad credentials``.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from maverick_ext.records import dataclass, field

Json = dict[str, Any]

TOKEN_LIFETIME_S = 3600
MAX_JWT_AHEAD_S = 600
NOT_DECODED = "A JSON web token could not be decoded"
EXP_INVALID = (
    "'Expiration time' claim ('exp') must be a numeric value representing the future time "
    "at which the assertion expires"
)
EXP_TOO_FAR = "'Expiration time' claim ('exp') is too far in the future"
IAT_INVALID = (
    "'Issued at' claim ('iat') must be an Integer representing the time that the assertion "
    "was issued"
)
BAD_CREDENTIALS = "Bad credentials"
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_INSTALLATION = re.compile(r"^/app/installations/(\d+)(/access_tokens)?$")
PERMISSIONS = {"issues": "write", "contents": "write", "pull_requests": "write", "metadata": "read"}


def looks_like_jwt(token: str) -> bool:
    return bool(_JWT_SHAPE.match(token))


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class TestApp:
    app_id: int
    slug: str
    public_key_pem: str
    owner: str
    installations: frozenset[int]
    client_id: str = ""
    name: str = ""


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str


@dataclass
class Apps:
    """The registered Apps and the installation tokens they were given."""

    apps: dict[int, TestApp] = field(default_factory=dict)
    # token -> (slug, expiry on the server clock)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def register(
        self,
        app_id: int,
        slug: str,
        public_key_pem: str,
        installation_id: int,
        owner: str,
        *,
        client_id: str = "",
    ) -> TestApp:
        app = TestApp(
            app_id,
            slug,
            public_key_pem,
            owner,
            frozenset({installation_id}),
            client_id or f"Iv1.{app_id:016x}",
            slug.replace("-", " ").title(),
        )
        with self.lock:
            self.apps[app_id] = app
        return app

    def _issuer(self, iss: object) -> TestApp | None:
        for app in self.apps.values():
            if str(iss) in (str(app.app_id), app.client_id):
                return app
        return None

    def authenticate(self, token: str, now: float) -> TestApp | Refusal:
        """The App whose valid JWT ``token`` is, or GitHub's refusal."""
        import jwt  # PyJWT: only requests that carry a JWT need it

        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return Refusal(401, NOT_DECODED)
        app = self._issuer(unverified.get("iss"))
        if app is None:
            return Refusal(401, NOT_DECODED)
        try:
            claims = jwt.decode(
                token,
                app.public_key_pem,
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.PyJWTError:
            return Refusal(401, NOT_DECODED)  # wrong key, wrong algorithm, tampered
        exp, iat = _number(claims.get("exp")), _number(claims.get("iat"))
        if exp is None or exp <= now:
            return Refusal(401, EXP_INVALID)
        if exp > now + MAX_JWT_AHEAD_S:
            return Refusal(401, EXP_TOO_FAR)
        if iat is None or iat > now:
            return Refusal(401, IAT_INVALID)
        return app

    def answer(
        self, method: str, path: str, token: str, now: float, user: Callable[[str], Json]
    ) -> tuple[int, Json | str]:
        """A JWT request: (status, body or error message); ``user(login)`` is the
        ``simple-user`` shape of the App's owner."""
        app = self.authenticate(token, now)
        if isinstance(app, Refusal):
            return app.status, app.message
        if (method, path) == ("GET", "/app"):
            return 200, {**self.integration(app), "owner": user(app.owner)}
        match = _INSTALLATION.match(path)
        if match is None:
            return 401, NOT_DECODED
        installation = int(match.group(1))
        if installation not in app.installations:
            return 404, "Not Found"
        if match.group(2) and method == "POST":
            return 201, self.mint(app, now)
        if not match.group(2) and method == "GET":
            return 200, self.installation(app, installation, user(app.owner))
        return 404, "Not Found"

    def integration(self, app: TestApp) -> Json:
        """``GET /app`` (OpenAPI ``integration``), without ``owner``."""
        return {
            "id": app.app_id,
            "slug": app.slug,
            "client_id": app.client_id,
            "node_id": f"A_emu{app.app_id}",
            "name": app.name,
            "description": "",
            "external_url": f"https://{app.slug}.example",
            "html_url": f"https://github.com/apps/{app.slug}",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "permissions": PERMISSIONS,
            "events": [],
        }

    def installation(self, app: TestApp, installation: int, account: Json) -> Json:
        """``GET /app/installations/{id}`` (OpenAPI ``installation``) on ``account``."""
        api = account["url"].rsplit("/users/", 1)[0]
        return {
            "id": installation,
            "app_id": app.app_id,
            "app_slug": app.slug,
            "target_id": account["id"],
            "target_type": account["type"],
            "account": account,
            "single_file_name": None,
            "repository_selection": "all",
            "access_tokens_url": f"{api}/app/installations/{installation}/access_tokens",
            "repositories_url": f"{api}/installation/repositories",
            "html_url": f"https://github.com/settings/installations/{installation}",
            "permissions": PERMISSIONS,
            "events": [],
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "suspended_by": None,
            "suspended_at": None,
        }

    def mint(self, app: TestApp, now: float) -> Json:
        """A new installation token acting as ``slug[bot]``, valid for an hour."""
        token = "ghs_" + secrets.token_urlsafe(27)[:36]
        expires = now + TOKEN_LIFETIME_S
        with self.lock:
            self.tokens[token] = (app.slug, expires)
        return {
            "token": token,
            "expires_at": _iso(expires),
            "permissions": PERMISSIONS,
            "repository_selection": "all",
        }

    def bot(self, token: str, now: float) -> str | None:
        """The App slug a live installation token acts for (None: not ours, or expired)."""
        found = self.tokens.get(token)
        return found[0] if found and found[1] > now else None

    def expired(self, token: str, now: float) -> bool:
        found = self.tokens.get(token)
        return found is not None and found[1] <= now


def _number(value: object) -> float | None:
    """A JSON number claim (a boolean is not one)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
