"""Fault injection knobs for the emulator, mutable while it runs.

One seeded ``random.Random`` drives every roll so a run with the same seed and the same
request sequence sees the same faults (reproducible torture tests).
"""

from __future__ import annotations

import random
import threading
from typing import Any

from maverick_ext.records import dataclass, field, fields

_RATES = ("error_rate", "ambiguous_rate", "throttle_rate", "graphql_rate_limit_rate")


@dataclass
class Faults:
    """What goes wrong, and how often. All rates are probabilities in [0, 1]."""

    latency_ms: int = 0
    jitter_ms: int = 0
    # New comments stay out of listings (REST and GraphQL) for this long: stale reads.
    visibility_delay_ms: int = 0
    # Each new comment's delay gets a random extra of up to this much, so a later comment
    # may show in listings before an earlier one: visibility NOT monotone in id (GitHub
    # documents the listing order, never that visibility follows it).
    visibility_jitter_ms: int = 0
    # Named requests answered late, in ms, before they are applied (a slow write lands
    # after later ones): GraphQL operation names ("Heartbeat") or REST methods ("PATCH").
    slow_operations: dict[str, int] = field(default_factory=dict)
    # 5xx without applying the request.
    error_rate: float = 0.0
    # Apply the write, then answer 502: the client cannot tell whether it happened.
    ambiguous_rate: float = 0.0
    # 403 secondary rate limit or 429 (GitHub's secondary limits).
    throttle_rate: float = 0.0
    # The Retry-After those answers carry; 0 omits it, as GitHub often does.
    throttle_retry_after_s: int = 1
    # GraphQL's primary limit: HTTP 200 with errors[].type RATE_LIMITED, nothing applied.
    graphql_rate_limit_rate: float = 0.0
    # Seconds added to the server clock (Date header, created_at, updated_at).
    clock_skew_s: float = 0.0
    seed: int = 0
    # -- GitHub's strictness, switchable for tests of older behaviour (docs/github-facts.md)
    # `databaseId` is a 32-bit GraphQL Int: an id beyond 2**31-1 makes the field an error
    # (GitHub's comment ids passed 2**31 in 2024; `fullDatabaseId` is the BigInt form).
    int32_database_id: bool = True
    # Members of an organisation with private membership appear as CONTRIBUTOR (when they
    # have a merged pull request in the repository) or NONE, never MEMBER. On by default:
    # organisation membership is private unless each member publicises it (GitHub docs).
    private_membership: bool = True
    # An older GitHub Enterprise Server without ``Mutation.updateRefs``: a document naming
    # it is refused whole, ``Field 'updateRefs' doesn't exist on type 'Mutation'``.
    update_refs_missing: bool = False
    # A repository whose object store lacks the empty tree: ``POST git/commits`` with it is
    # 422 ``Tree SHA does not exist`` (a tree made with ``POST git/trees`` works).
    empty_tree_refused: bool = False
    # Issue fields this server lacks, comma-separated (``blockedBy``, ``subIssues``,
    # ``parent``): GHES up to 3.18 has no ``blockedBy``, older servers no sub-issues. A query
    # naming one fails whole with ``Field 'X' doesn't exist on type 'Issue'``.
    absent_issue_fields: str = ""
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._validate()

    def _validate(self) -> None:
        for name in _RATES:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        for name in (
            "latency_ms",
            "jitter_ms",
            "visibility_delay_ms",
            "visibility_jitter_ms",
            "throttle_retry_after_s",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")

    def update(self, **changes: Any) -> None:
        """Change some knobs at runtime; unknown names raise ``ValueError``.

        Changing ``seed`` restarts the random sequence.
        """
        known = {f.name for f in fields(self) if not f.name.startswith("_")}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        old = self.to_json()
        for name, value in changes.items():
            current = getattr(self, name)
            if isinstance(current, bool) and isinstance(value, str):
                value = value.strip().lower() in ("1", "true", "yes", "on")
            setattr(self, name, type(current)(value))
        try:
            self._validate()
        except ValueError:
            for name, value in old.items():
                setattr(self, name, value)
            raise
        if "seed" in changes:
            with self._lock:
                self._rng = random.Random(self.seed)

    def to_json(self) -> dict[str, Any]:
        """The public knobs as a plain dict (for the admin endpoint)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}

    def absent_issue_field_set(self) -> frozenset[str]:
        return frozenset(f.strip() for f in self.absent_issue_fields.split(",") if f.strip())

    def roll(self, rate: float) -> bool:
        """True with probability ``rate`` (never consumes randomness when rate is 0)."""
        if rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < rate

    def choice(self, options: tuple[Any, ...]) -> Any:
        """A seeded choice among ``options``."""
        with self._lock:
            return self._rng.choice(options)

    def visibility_s(self) -> float:
        """How long a new comment stays out of listings."""
        extra = 0.0
        if self.visibility_jitter_ms:
            with self._lock:
                extra = self._rng.uniform(0, self.visibility_jitter_ms)
        return (self.visibility_delay_ms + extra) / 1000.0

    def delay_s(self) -> float:
        """How long to sleep before answering this request."""
        if not self.latency_ms and not self.jitter_ms:
            return 0.0
        with self._lock:
            jitter = self._rng.uniform(0, self.jitter_ms) if self.jitter_ms else 0.0
        return (self.latency_ms + jitter) / 1000.0
