"""Which GitHub repository the current clone talks to (no gh call needed)."""

from __future__ import annotations

import os

from maverick_ext.core.refs import RepoRef, pick_remote
from maverick_ext.git.runner import git


def repo_from_remotes(cwd: str | os.PathLike[str] | None = None) -> RepoRef | None:
    """The clone's GitHub repository, or None outside a clone / without a GitHub remote."""
    listing = git("remote", "-v", cwd=cwd)
    if listing.exit_code != 0:
        return None
    remotes: dict[str, str] = {}
    for line in listing.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            remotes.setdefault(parts[0], parts[1])
    if not remotes:
        return None
    # `gh repo set-default` records its choice as remote.<name>.gh-resolved.
    configured = git("config", "--get-regexp", r"^remote\..*\.gh-resolved$", cwd=cwd)
    resolved = None
    for line in configured.stdout.splitlines():
        key = line.split()[0]
        resolved = key[len("remote.") : -len(".gh-resolved")]
    return pick_remote(remotes, resolved)
