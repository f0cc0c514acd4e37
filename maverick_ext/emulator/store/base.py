"""What every part of the store shares: one re-entrant lock, the server clock, the
node registry and the id sequences (separate per kind, each strictly increasing, like GitHub's)."""

from __future__ import annotations

import functools
import itertools
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from maverick_ext.emulator.apps import Apps
from maverick_ext.emulator.faults import Faults
from maverick_ext.emulator.store.model import (
    WIDE_ID_BASE,
    Comment,
    Issue,
    Node,
    Repo,
    User,
    Viewer,
)

_F = TypeVar("_F", bound=Callable[..., Any])


def locked(method: _F) -> _F:
    @functools.wraps(method)
    def wrapper(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class StoreBase:
    """The state and clock the resource parts of ``Store`` build on."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.lock = threading.RLock()
        self.faults = faults or Faults()
        self.users: dict[str, User] = {}  # keyed by lower-cased login
        self.repos: dict[str, Repo] = {}  # keyed by lower-cased "owner/name"
        self.default_login: str | None = None
        # The association and permission each account's tokens claimed (``identify``), so
        # others can ask about the account (the collaborator-permission API).
        self.standings: dict[str, Viewer] = {}  # keyed by lower-cased login
        self.apps = Apps()  # registered test GitHub Apps and their installation tokens
        self._nodes: dict[str, Node] = {}
        self._issues_by_id: dict[int, Issue] = {}
        self._comments: dict[int, Comment] = {}
        self._offset_s = 0.0
        # Only forward moves of the clock: time that really "passed" for visibility.
        self._elapsed_s = 0.0
        # Separate sequences per kind, like GitHub; each strictly increasing.
        self._user_ids = itertools.count(1001)
        self._repo_ids = itertools.count(500_001)
        self._issue_ids = itertools.count(WIDE_ID_BASE + 2_000_000_001)
        self._pull_ids = itertools.count(2_800_000_001)
        self._comment_ids = itertools.count(WIDE_ID_BASE + 3_000_000_001)
        self._label_ids = itertools.count(7_000_000_001)
        self._commit_seq = itertools.count(1)

    # -- clock -------------------------------------------------------------------------

    def clock(self) -> float:
        """Server time as epoch seconds (real time + fault skew + advanced offset)."""
        return time.time() + self.faults.clock_skew_s + self._offset_s

    def now(self) -> datetime:
        """Server time as an aware UTC datetime at second resolution (as GitHub reports)."""
        return datetime.fromtimestamp(int(self.clock()), tz=timezone.utc)

    def visibility_clock(self) -> float:
        """The clock stale reads are measured on: real time plus forward moves only.

        Skew and backward moves change the time GitHub *reports*, never what exists or
        is visible: a comment once listed stays listed.
        """
        return time.time() + self._elapsed_s

    @locked
    def advance_clock(self, seconds: float) -> None:
        """Move the server clock forward (or back, if negative) by ``seconds``."""
        self._offset_s += seconds
        self._elapsed_s += max(seconds, 0.0)

    def set_skew(self, seconds: float) -> None:
        """Set the clock-skew fault: server time = real time + ``seconds`` (+ advanced)."""
        self.faults.update(clock_skew_s=seconds)

    # -- nodes -------------------------------------------------------------------------

    def node(self, node_id: str) -> Node | None:
        """The object with this GraphQL global id, or None."""
        return self._nodes.get(node_id)

    def _register(self, obj: Node) -> None:
        self._nodes[obj.node_id] = obj

    def _touch(self, issue: Issue) -> None:
        issue.updated_at = self.now()
