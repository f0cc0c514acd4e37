"""Instance identity: which agent is this? (pure: environment values are arguments)

An instance is one agent session. ``MAVERICK_INSTANCE_ID`` wins; else a hash of the agent's
session id (every subprocess of one Claude Code session agrees without a file); else an id
cached per git worktree, so two agents in two worktrees of one machine stay two instances.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from maverick_ext.errors import UsageError

INSTANCE_ENV = "MAVERICK_INSTANCE_ID"
SESSION_ENVS = ("CLAUDE_CODE_SESSION_ID", "CLAUDE_SESSION_ID")
_VALID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$")


def checked_instance_id(value: str, source: str) -> str:
    """An instance id is printed in comments and compared verbatim: keep it plain."""
    value = value.strip()
    if not _VALID.match(value):
        raise UsageError(
            f"invalid instance id {value!r} from {source}",
            "use 1-64 letters, digits, '.', '_', ':', '@' or '-'",
        )
    return value


def session_instance_id(session_id: str) -> str:
    import hashlib  # here: loading OpenSSL's hashes costs more than the rest of this module

    return "cc-" + hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:12]


def instance_id_from_env(env: Mapping[str, str], override: str | None = None) -> str | None:
    """The id given explicitly or derived from the agent session; None: use the cache."""
    if override:
        return checked_instance_id(override, "--instance")
    if env.get(INSTANCE_ENV):
        return checked_instance_id(env[INSTANCE_ENV], INSTANCE_ENV)
    for name in SESSION_ENVS:
        if env.get(name):
            return session_instance_id(env[name])
    return None


def explicit_source(env: Mapping[str, str], override: str | None = None) -> str:
    """Where ``instance_id_from_env`` found the id (same order)."""
    if override:
        return "--instance"
    if env.get(INSTANCE_ENV):
        return INSTANCE_ENV
    found = next((name for name in SESSION_ENVS if env.get(name)), "the environment")
    return f"hash of {found}"


def cached_instance_id(text: str | None) -> str | None:
    """A usable id from a cache file's contents, or None when it must be (re)generated."""
    value = (text or "").strip()
    return value if _VALID.match(value) else None
