"""GitHub App authentication decided over plain data: the JWT's claims, whether a cached
installation token may still be used, and the cache record.

GitHub's rules (docs.github.com, "Generating a JSON Web Token (JWT) for a GitHub App"): the
JWT is signed RS256 and carries ``iat`` (set 60 s in the past against clock drift), ``exp``
(no more than 10 minutes in the future) and ``iss`` (the App's id or client id). An
installation access token expires after one hour (``expires_at`` of ``POST
/app/installations/{installation_id}/access_tokens``); we stop using one five minutes
before, so a command that starts with it never has it expire half-way.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from maverick_ext.records import dataclass

# Backdated against a GitHub clock that runs behind ours.
JWT_BACKDATE_S = 60
# GitHub refuses an ``exp`` more than 600 s ahead of *its* clock; a minute of margin keeps
# a host clock that runs ahead from hitting "'exp' is too far in the future".
JWT_LIFETIME_S = 540
JWT_MAX_LIFETIME_S = 600
# A cached installation token is renewed this long before its ``expires_at``.
TOKEN_RENEW_BEFORE_S = 300

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")


def jwt_claims(app_id: str, now: float) -> dict[str, Any]:
    """The claims of the JWT that authenticates as App ``app_id`` at epoch second ``now``."""
    issued = int(now)
    return {
        "iat": issued - JWT_BACKDATE_S,
        "exp": issued + JWT_LIFETIME_S,
        # A string either way: GitHub's own Python example sends the id as text, and
        # PyJWT refuses a non-string issuer.
        "iss": app_id,
    }


def parse_expiry(raw: object) -> datetime | None:
    """An ``expires_at`` as GitHub writes it (``2026-11-21T13:00:00Z``), as aware UTC."""
    if not isinstance(raw, str) or not _ISO.match(raw):
        return None
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(timezone.utc)


def token_usable(expires_at: datetime, now: datetime) -> bool:
    """Whether a token expiring at ``expires_at`` may still be handed out at ``now``."""
    return (expires_at - now).total_seconds() > TOKEN_RENEW_BEFORE_S


@dataclass(frozen=True)
class CachedToken:
    """One installation token as kept in the user's state directory (mode 0600)."""

    token: str
    expires_at: datetime
    app_id: str
    installation_id: int
    host: str
    app_slug: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "expires_at": self.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "app_id": self.app_id,
            "installation_id": self.installation_id,
            "host": self.host,
            "app_slug": self.app_slug,
        }

    def fits(self, app_id: str, installation_id: int, host: str) -> bool:
        """Minted for this App, installation and host (a changed config never reuses it)."""
        return (self.app_id, self.installation_id, self.host) == (app_id, installation_id, host)


def cached_token(raw: object) -> CachedToken | None:
    """The cache record in ``raw`` (parsed JSON), or None when it is not one."""
    if not isinstance(raw, dict):
        return None
    token, expires = raw.get("token"), parse_expiry(raw.get("expires_at"))
    installation, slug = raw.get("installation_id"), raw.get("app_slug")
    if not isinstance(token, str) or not token or expires is None:
        return None
    if not isinstance(installation, int) or not isinstance(raw.get("app_id"), str):
        return None
    if not isinstance(raw.get("host"), str):
        return None
    return CachedToken(
        token,
        expires,
        raw["app_id"],
        installation,
        raw["host"],
        slug if isinstance(slug, str) else None,
    )


def cache_file_name(host: str, app_id: str, installation_id: int) -> str:
    """One cache file per host, App and installation (safe as a file name)."""
    raw = f"{host}-{app_id}-{installation_id}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", raw) + ".json"
