"""Who can write to the repository, asked of GitHub once per author per command run.

``author_association`` hides private organisation members (CONTRIBUTOR or NONE), so a
non-claim marker from such an author is honoured once
``GET /repos/{owner}/{repo}/collaborators/{username}/permission`` says write, maintain or
admin. Answers are cached on the client, which lives for one command run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from maverick_ext.core.trust import (
    CommentLike,
    TrustPolicy,
    authors_to_verify,
    can_write,
    carries_record,
    login_key,
)
from maverick_ext.errors import GitHubRejected, NotFound
from maverick_ext.github.client import GhClient


def has_write_access(client: GhClient, login: str) -> bool:
    """One lookup per login per client; an author GitHub will not tell us about cannot write."""
    key = login_key(login)
    if key not in client.write_access:
        client.permission_lookups += 1
        from urllib.parse import quote  # (~4 ms to import: only when asking GitHub)

        path = client.repo_path(f"collaborators/{quote(login, safe='')}/permission")
        try:
            answer = client.get(path).data
        except (NotFound, GitHubRejected):
            # 404: no such user; 403: our token may not list collaborators. Either way
            # nothing vouches for the author, which is the safe reading.
            answer = None
        client.write_access[key] = isinstance(answer, dict) and can_write(answer)
    return client.write_access[key]


def policy_with_writers(
    client: GhClient,
    comments: Iterable[CommentLike],
    policy: TrustPolicy,
    matters: Callable[[str], bool] = carries_record,
) -> TrustPolicy:
    """``policy`` extended by the authors of ``comments`` (those that ``matter``: by default
    the ones carrying non-claim markers) whom the permission API vouches for."""
    authors = authors_to_verify(comments, policy, matters)
    writers = [login for login in authors if has_write_access(client, login)]
    return policy.with_writers(writers) if writers else policy
