"""Resolve this instance's identity: explicit, from the agent session, or cached on disk.

The cache lives in the worktree's own git dir (``git rev-parse --git-dir`` differs per
worktree), else under ``$XDG_STATE_HOME/gh-maverick/``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from maverick_ext.core.identity import cached_instance_id, explicit_source, instance_id_from_env
from maverick_ext.records import dataclass

CACHE_NAME = "maverick-instance-id"


@dataclass(frozen=True)
class Identity:
    instance_id: str
    host: str  # for humans reading the issue; never used to decide anything
    source: str = "explicit"  # how the id was resolved (`gh maverick whoami` shows it)


def state_root(env: Mapping[str, str]) -> str:
    """``$XDG_STATE_HOME/gh-maverick`` (per-instance state such as the loop registry).

    Paths here and in the loop registry and lease memo are text (os.path): pathlib, with the
    urllib.parse it imports, would cost `guard` and `heartbeat` ~6.5 ms to import."""
    return _state_dir(env)


def registry_dir(state_root: str, instance_id: str) -> str:
    """Where this instance's heartbeat loops are listed (``services.loops``)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in instance_id)
    return os.path.join(state_root, "instances", safe, "loops")


def _state_dir(env: Mapping[str, str]) -> str:
    base = env.get("XDG_STATE_HOME") or os.path.join(env.get("HOME") or "~", ".local", "state")
    return os.path.join(os.path.expanduser(base), "gh-maverick")


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _read_or_create(path: str) -> str | None:
    """The cached id, creating it atomically if absent (two racing first calls agree)."""
    try:
        existing = cached_instance_id(_read_text(path))
        if existing:
            return existing
    except OSError:
        pass
    fresh = _fresh_id()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(fresh + "\n")
        return fresh
    except FileExistsError:
        return cached_instance_id(_read_text(path))
    except OSError:
        return None


def _fresh_id() -> str:
    import secrets  # here, not at the top: only a first run mints an id (hashlib, hmac)

    return f"mav-{secrets.token_hex(6)}"


def _host_name() -> str:
    """For humans reading the issue. ``os.uname`` where there is one: importing ``socket``
    for ``gethostname`` (the same name) would be most of a `guard`'s own start-up."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        return str(uname().nodename)
    import socket

    return socket.gethostname()


def resolve_identity(
    env: Mapping[str, str], override: str | None = None, cwd: str | None = None
) -> Identity:
    host = _host_name()
    explicit = instance_id_from_env(env, override)
    if explicit:
        return Identity(explicit, host, explicit_source(env, override))
    from maverick_ext.git.runner import absolute_git_dir  # (an explicit id needs no git)

    candidates = [os.path.join(d, CACHE_NAME) for d in [absolute_git_dir(cwd)] if d is not None]
    candidates.append(os.path.join(_state_dir(env), "instance-id"))
    for path in candidates:
        if found := _read_or_create(path):
            return Identity(found, host, f"cached in {path}")
    # Nowhere writable: stable for this process only (the agent should set the env var).
    return Identity(_fresh_id(), host, "this process only (nowhere to cache)")
