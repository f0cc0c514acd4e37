"""Reach into the emulator's store, and an oracle for claim records that does not reuse the
product's own parser (so a parser bug cannot hide itself)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.emulator.store import Comment, Issue

CLAIM_LABEL = "claude-in-progress"
# Backticks, or tildes for a released record (hidden from the seeds' reader, docs/claims.md).
_CLAIM_FENCE = re.compile(
    r"^(?P<fence>```|~~~)maverick-claim\n(?P<json>.*?)\n(?P=fence)$", re.MULTILINE | re.DOTALL
)
# The claim commit's record (docs/claims.md), matched here independently of the product.
_RECORD_FENCE = re.compile(
    r"^```maverick-claim-record[ \t]*\n(?P<json>.*?)\n```", re.MULTILINE | re.DOTALL
)


@dataclass(frozen=True)
class Record:
    """One of our claim comments as GitHub holds it now."""

    comment_id: int
    instance_id: str
    state: str
    reason: str | None
    supersedes: int | None


@dataclass(frozen=True)
class RefClaim:
    """One commit in a claim ref's history, as the emulator's git store holds it."""

    oid: str
    parent: str | None
    instance_id: str | None  # None when the message carries no readable record
    epoch: int | None
    supersedes: str | None  # a takeover's record names the commit it took over from
    released: bool = False  # a release moves the ref on to such a commit (same epoch)


def claim_ref(emulator: Emulator, number: int) -> str | None:
    """The oid ``refs/maverick/claims/<number>`` points at, or None when there is no ref."""
    return emulator.store.repo(OWNER, REPO).refs.get(f"refs/maverick/claims/{number}")


def held_ref(emulator: Emulator, number: int) -> RefClaim | None:
    """The claim ref's tip while it holds the issue; None with no ref or a released tip."""
    history = claim_history(emulator, number)[:1]
    return history[0] if history and not history[0].released else None


def claim_history(emulator: Emulator, number: int) -> list[RefClaim]:
    """The claim ref's commits from its tip back along first parents (empty: no ref)."""
    repo = emulator.store.repo(OWNER, REPO)
    history: list[RefClaim] = []
    oid = claim_ref(emulator, number)
    while oid is not None and len(history) < 10_000:
        commit = repo.objects[oid]
        payload = _json_object(_RECORD_FENCE.search(commit.message))
        epoch = payload.get("epoch")
        parent = commit.parents[0] if commit.parents else None
        history.append(
            RefClaim(
                oid,
                parent,
                str(payload["instance_id"]) if "instance_id" in payload else None,
                epoch if isinstance(epoch, int) and not isinstance(epoch, bool) else None,
                payload.get("supersedes") if isinstance(payload.get("supersedes"), str) else None,
                payload.get("state") == "released",
            )
        )
        oid = parent
    return history


def story(emulator: Emulator, number: int) -> Issue:
    store = emulator.store
    return store.issue(store.repo(OWNER, REPO), number)


def new_story(emulator: Emulator, title: str, body: str = "A fresh story.\n") -> Issue:
    """A new open issue, so each scenario starts from nothing (cheaper than a new emulator)."""
    store = emulator.store
    owner = store.identify(f"as:{OWNER}:OWNER")
    return store.create_issue(store.repo(OWNER, REPO), owner, title, body)


def labels(issue: Issue) -> list[str]:
    return [label.name for label in issue.labels]


def records(issue: Issue) -> list[Record]:
    """Every claim comment on the issue, visible or not, with its current payload."""
    found = []
    for comment in issue.comments:
        payload = _claim_payload(comment)
        if payload is not None:
            found.append(
                Record(
                    comment.id,
                    str(payload.get("instance_id")),
                    str(payload.get("state")),
                    payload.get("reason"),
                    payload.get("supersedes"),
                )
            )
    return found


def active(issue: Issue) -> list[Record]:
    """Records that still claim the issue: not released, not superseded by a later one.

    Leases are not aged here: the tests that use this never let a TTL run out unnoticed.
    """
    found = records(issue)
    superseded = {r.supersedes for r in found if r.supersedes is not None}
    return [r for r in found if r.state == "active" and r.comment_id not in superseded]


def _claim_payload(comment: Comment) -> dict[str, Any] | None:
    return _json_object(_CLAIM_FENCE.search(comment.body)) or None


def _json_object(match: re.Match[str] | None) -> dict[str, Any]:
    """The fenced JSON object, or {} for no fence, bad JSON or anything but an object."""
    if match is None:
        return {}
    try:
        payload = json.loads(match["json"])
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
