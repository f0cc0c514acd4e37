"""Reading the newest trusted marker of one kind on an issue, and upserting ours.

The newest trusted marker wins (highest comment id). A write edits this account's own
newest comment of that kind in place, so the record stays in one comment; only when none
of ours exists (e.g. the seeds' implementation wrote it as another account) is one posted,
which, being newer, is what every reader sees next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from maverick_ext.core.markers import render_comment
from maverick_ext.core.payloads import iso
from maverick_ext.core.trust import TrustPolicy, issue_markers, same_account
from maverick_ext.github import issues as gh
from maverick_ext.github.client import GhClient
from maverick_ext.github.permissions import policy_with_writers
from maverick_ext.records import dataclass


@dataclass(frozen=True)
class Found:
    number: int
    kind: str
    payload: dict[str, Any]  # {} when the issue holds no such marker
    comment_id: int | None
    author: str | None
    warnings: list[str]


def _scan(
    client: GhClient, number: int, kind: str, bots: frozenset[str]
) -> tuple[Any, list[Any], Found]:
    snapshot = gh.fetch_issue(client, number)
    # Writers whose association hides them (private org members) count for records.
    policy = policy_with_writers(client, snapshot.comments, TrustPolicy(snapshot.viewer, bots))
    parsed = issue_markers(snapshot.comments, policy)
    found = [m for m in parsed.markers if m.kind == kind]
    newest = max(found, key=lambda m: m.comment_id) if found else None
    result = Found(
        number,
        kind,
        dict(newest.payload) if newest else {},
        newest.comment_id if newest else None,
        newest.author if newest else None,
        [str(w) for w in parsed.warnings if w.kind == kind],
    )
    return snapshot, found, result


def read_latest(client: GhClient, number: int, kind: str, bots: frozenset[str]) -> Found:
    return _scan(client, number, kind, bots)[2]


def upsert(
    client: GhClient,
    number: int,
    kind: str,
    bots: frozenset[str],
    change: Callable[[dict[str, Any], str], dict[str, Any]],
    preamble: str,
) -> Found:
    """Read, apply ``change(current_payload, github_now_iso)``, write into one comment."""
    snapshot, found, current = _scan(client, number, kind, bots)
    now = iso(snapshot.server_time) if snapshot.server_time else ""
    payload = change(current.payload, now)
    body = render_comment([(kind, payload)], preamble)
    mine = [m for m in found if same_account(m.author, snapshot.viewer)]
    if mine:
        target = max(mine, key=lambda m: m.comment_id)
        comment, _ = gh.update_comment(client, target.comment_id, body)
    else:
        comment, _ = gh.create_comment(client, number, body)
    return Found(number, kind, payload, comment.id, snapshot.viewer, current.warnings)
