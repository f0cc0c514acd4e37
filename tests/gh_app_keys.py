"""A test GitHub App for the gh-app tests: a key pair generated at test time (a private key
is never committed), registered with an emulator, and the environment that configures it."""

from __future__ import annotations

import functools
from pathlib import Path

from maverick_ext.emulator.store import Store

APP_ID = 4242
SLUG = "maverick-test"
INSTALLATION = 77


def key_pair(name: str = "app") -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh 2048-bit RSA key, one per name per session."""
    return _key_pair(name)


@functools.cache
def _key_pair(name: str) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def register(store: Store, owner: str = "maverick-sandbox") -> None:
    """Make the test App (and its installation) known to the emulator behind ``store``."""
    store.apps.register(APP_ID, SLUG, key_pair()[1], INSTALLATION, owner)


def write_key(directory: Path, name: str = "app") -> Path:
    path = directory / f"{name}.private-key.pem"
    path.write_text(key_pair(name)[0], encoding="utf-8")
    path.chmod(0o600)
    return path


def app_env(key_path: Path, installation: int = INSTALLATION) -> dict[str, str]:
    """The environment that configures the test App (no config file needed)."""
    return {
        "MAVERICK_APP_ID": str(APP_ID),
        "MAVERICK_APP_PRIVATE_KEY_PATH": str(key_path),
        "MAVERICK_APP_INSTALLATION_ID": str(installation),
    }
