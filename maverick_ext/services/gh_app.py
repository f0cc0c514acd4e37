"""Act as the GitHub App: sign its JWT, exchange it for an installation token, keep that
token in the user's state directory (mode 0600) until five minutes before it expires.

The token is a secret: it is returned to callers (which hand it to a gh child's
environment), written only to the cache file, and never printed, logged or put in an
error. PyJWT (with its crypto extra) is imported only here, when a JWT is signed.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from maverick_ext.config_files import GitHubApp
from maverick_ext.core.app_auth import (
    CachedToken,
    cache_file_name,
    cached_token,
    jwt_claims,
    parse_expiry,
    token_usable,
)
from maverick_ext.errors import InvalidData, MaverickError, UsageError
from maverick_ext.github import app as gh_app
from maverick_ext.github.client import GhClient
from maverick_ext.records import dataclass
from maverick_ext.services.identity import state_root

KEY_HINT = (
    "generate a private key on the App's settings page (Private keys), save the .pem and "
    "point github_app.private_key_path (or MAVERICK_APP_PRIVATE_KEY_PATH) at it"
)


def require_configured(settings: GitHubApp) -> None:
    if not settings.configured:
        raise UsageError(
            f"no GitHub App configured: {', '.join(settings.missing())} unset",
            "set them in the config file or as MAVERICK_APP_ID, "
            "MAVERICK_APP_PRIVATE_KEY_PATH, MAVERICK_APP_INSTALLATION_ID (docs/gh-app.md)",
        )


def read_private_key(path: str) -> str:
    """The PEM text at ``path``; one line naming the file when it is missing or unreadable."""
    key_file = Path(path).expanduser()
    try:
        return key_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidData(f"GitHub App private key {key_file}: no such file", KEY_HINT) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not a text file"
        raise InvalidData(
            f"GitHub App private key {key_file}: cannot be read: {reason}",
            f"make it readable for this user (chmod 600 {key_file}), or {KEY_HINT}",
        ) from None


def sign_jwt(app_id: str, private_key_pem: str, now: float, key_path: str = "") -> str:
    """The App's JWT (RS256) for epoch second ``now``."""
    import jwt  # PyJWT: only this path pays for it (and for cryptography)

    try:
        return jwt.encode(jwt_claims(app_id, now), private_key_pem, algorithm="RS256")
    except (ValueError, TypeError, jwt.PyJWTError):
        where = f" {key_path}" if key_path else ""
        raise InvalidData(
            f"GitHub App private key{where}: not an RSA private key in PEM form", KEY_HINT
        ) from None


def host_of(client: GhClient, env: Mapping[str, str]) -> str:
    if client.repo is not None and client.repo.host:
        return client.repo.host
    return env.get("GH_HOST") or "github.com"


def cache_path(env: Mapping[str, str], host: str, settings: GitHubApp) -> Path:
    assert settings.installation_id is not None
    name = cache_file_name(host, settings.app_id, settings.installation_id)
    return Path(state_root(env)) / "gh-app" / name


def load_cached(path: Path) -> CachedToken | None:
    """The cached token at ``path``; a file others could read is never trusted."""
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            return None
        return cached_token(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def store_cached(path: Path, token: CachedToken) -> None:
    """Write the cache with mode 0600 from its first byte, replacing the old file whole."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(token.to_json(), handle)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def known_slugs(env: Mapping[str, str], settings: GitHubApp) -> tuple[str, ...]:
    """The configured App's slug on any host we hold a token for (from the cache, no call):
    its markers are this user's own, so readers trust them as a configured bot's."""
    if not settings.configured:
        return ()
    suffix = cache_file_name("", settings.app_id, settings.installation_id or 0)  # "-APP-INST.json"
    directory = Path(state_root(env)) / "gh-app"
    try:
        names = [path for path in directory.iterdir() if path.name.endswith(suffix)]
    except OSError:
        return ()
    found = (load_cached(path) for path in sorted(names))
    return tuple(dict.fromkeys(t.app_slug for t in found if t is not None and t.app_slug))


def app_jwt(settings: GitHubApp, now: float) -> str:
    require_configured(settings)
    key = read_private_key(settings.private_key_path)
    return sign_jwt(settings.app_id, key, now, settings.private_key_path)


@dataclass
class AppSession:
    """The App's token for one command run: from the cache, else minted once."""

    settings: GitHubApp
    client: GhClient
    env: Mapping[str, str]
    wall_clock: Any = time.time

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.wall_clock(), tz=timezone.utc)

    @property
    def cache(self) -> Path:
        return cache_path(self.env, host_of(self.client, self.env), self.settings)

    def cached(self) -> CachedToken | None:
        """The cached token if it is for this App and still usable, else None."""
        require_configured(self.settings)
        assert self.settings.installation_id is not None
        found = load_cached(self.cache)
        host = host_of(self.client, self.env)
        if found is None or not found.fits(
            self.settings.app_id, self.settings.installation_id, host
        ):
            return None
        return found if token_usable(found.expires_at, self.now()) else None

    def token(self, *, renew: bool = False) -> CachedToken:
        """A usable installation token: the cached one unless ``renew``, else a new one."""
        if not renew and (found := self.cached()) is not None:
            return found
        settings = self.settings
        assert settings.installation_id is not None
        jwt = app_jwt(settings, self.wall_clock())
        slug = gh_app.authenticated_app(self.client, jwt).get("slug")
        answer = gh_app.installation_token(self.client, jwt, settings.installation_id)
        expires = parse_expiry(answer.get("expires_at"))
        if expires is None:
            raise MaverickError("GitHub's installation token came without a valid expires_at")
        minted = CachedToken(
            answer["token"],
            expires,
            settings.app_id,
            settings.installation_id,
            host_of(self.client, self.env),
            slug if isinstance(slug, str) else None,
        )
        store_cached(self.cache, minted)
        return minted
