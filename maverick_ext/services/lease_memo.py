"""What this instance remembers of its ref-mode claims, so a heartbeat is one request.

A heartbeat needs the claim comment's node id (to edit it) and the claim commit (to check
the ref's tip against). ``claim``/``takeover`` and every renewal write them to
``<state dir>/gh-maverick/instances/<instance id>/claims/<owner>__<repo>__<issue>.json``;
``release`` and a lost claim delete the file. A heartbeat with the file is one GraphQL
mutation; without it (another machine, a wiped state dir) it reads first: two requests.

The file is a cache, never the authority: the ref's tip in the same answer decides, and a
tip that is not the remembered commit sends the heartbeat back to a full read.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import datetime, timedelta

from maverick_ext.core.claims import ClaimRecord
from maverick_ext.core.payloads import iso, parse_iso
from maverick_ext.records import dataclass


def memo_dir(loops_dir: str) -> str:
    """Next to the loop registry (``services.identity.registry_dir``) of the same instance."""
    return os.path.join(os.path.dirname(loops_dir), "claims")


@dataclass(frozen=True)
class Memo:
    node_id: str
    commit: str
    record: ClaimRecord
    # GitHub's clock at the last answer, and this machine's wall clock then.
    server_time: datetime
    saved_at: float

    def server_time_now(self, wall: float) -> datetime:
        """GitHub's time estimated from the last answer (only the lease fence's display
        fields use it; the lease clock is the comment's ``updated_at``)."""
        return self.server_time + timedelta(seconds=max(0.0, wall - self.saved_at))


def _path(directory: str, repo: str, issue: int) -> str:
    return os.path.join(directory, f"{repo.replace('/', '__')}__{issue}.json")


def save(directory: str, repo: str, issue: int, memo: Memo) -> None:
    record = memo.record
    data = {
        "repo": repo,
        "issue": issue,
        "node_id": memo.node_id,
        "commit": memo.commit,
        "server_time": iso(memo.server_time),
        "saved_at": memo.saved_at,
        "record": {
            "comment_id": record.comment_id,
            "instance_id": record.instance_id,
            "host": record.host,
            "ttl_s": record.ttl_s,
            "scope": list(record.scope),
            "nonce": record.nonce,
            "epoch": record.epoch,
            "supersedes": record.supersedes,
            "claimed_at": iso(record.claimed_at) if record.claimed_at else None,
            "claim_payload": dict(record.claim_payload),
            "lease_payload": dict(record.lease_payload or {}),
        },
    }
    path = _path(directory, repo, issue)
    with contextlib.suppress(OSError):  # no writable state dir: heartbeats just read first
        os.makedirs(directory, exist_ok=True)
        partial = f"{os.path.splitext(path)[0]}.{os.getpid()}.tmp"
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data))
        os.replace(partial, path)


def load(directory: str, repo: str, issue: int) -> Memo | None:
    """The remembered claim of ``repo#issue``, or None (absent, unreadable, another repo)."""
    try:
        with open(_path(directory, repo, issue), encoding="utf-8") as handle:
            data = json.loads(handle.read())
        saved = data["record"]
        server_time = parse_iso(data["server_time"])
        if data["repo"] != repo or data["issue"] != issue or server_time is None:
            return None
        record = ClaimRecord(
            comment_id=int(saved["comment_id"]),
            instance_id=str(saved["instance_id"]),
            host=saved.get("host"),
            state="active",
            claimed_at=parse_iso(saved.get("claimed_at")),
            expires_at=None,
            heartbeat_at=None,
            ttl_s=int(saved["ttl_s"]),
            format="ref",
            scope=tuple(str(s) for s in saved.get("scope") or ()),
            nonce=saved.get("nonce"),
            supersedes=saved.get("supersedes"),
            claim_payload=dict(saved["claim_payload"]),
            lease_payload=dict(saved.get("lease_payload") or {}),
            epoch=saved.get("epoch"),
            commit=str(data["commit"]),
        )
        return Memo(str(data["node_id"]), str(data["commit"]), record, server_time,
                    float(data["saved_at"]))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget(directory: str, repo: str, issue: int) -> None:
    with contextlib.suppress(OSError):
        os.unlink(_path(directory, repo, issue))
