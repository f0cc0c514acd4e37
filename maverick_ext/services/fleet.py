"""The fleet's view of one repository: every live claim, and pick-and-claim for an epic.

Claims live on ``refs/maverick/claims/<issue>`` (docs/claims.md). ``find_claims`` lists
those refs, reads the issues behind them with their ref tips and decides each holder with
``services.claims`` (the same reader `read` and `claim` use): the ref-tip record with a
live lease, else a live seed-format comment claim (``mode: comment``), which still blocks.

Cost of ``find_claims`` without ``numbers``: 1 GraphQL listing of the claim refs with
their records (+1 per further 100), 1 REST listing of the issues labelled
``claude-in-progress`` (+1 per further 100; seed agents claim by label and comment only),
and ceil(n/50) GraphQL reads of the union of both, released refs left out:
``claims`` ≤ 1 + ceil(n/50) + 1. With ``numbers`` (an epic's stories) only the reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from maverick_ext.core.labels import CLAIM_LABEL
from maverick_ext.errors import ExitCode
from maverick_ext.github import issues as gh
from maverick_ext.records import dataclass, field

if TYPE_CHECKING:
    from maverick_ext.core.claims import ClaimRecord
    from maverick_ext.github.client import GhClient
    from maverick_ext.services.claims import ClaimSettings, Coordinator, IssueClaims, Outcome

# A story another agent got first (held, race lost), or that changed under us (blocked,
# closed): try the next one. Anything else (GitHub down, not authenticated) stops the walk.
PASSABLE = frozenset(
    {ExitCode.USAGE, ExitCode.BLOCKED, ExitCode.HELD_LIVE, ExitCode.HELD_STALE, ExitCode.LOST}
)
# How often `epic next --claim` re-reads the epic after losing every candidate.
MAX_ROUNDS = 3


@dataclass(frozen=True)
class FleetClaim:
    """One live claim: the issue, its holder's record, and GitHub's clock at the read."""

    issue: int
    title: str
    record: ClaimRecord
    server_time: datetime
    epic: int | None

    @property
    def mode(self) -> str:
        """``ref``: the claim ref's record holds it; ``comment``: a seed-format claim."""
        return "ref" if self.record.format == "ref" else "comment"

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "title": self.title,
            "instance_id": self.record.instance_id,
            "host": self.record.host,
            "lease_left_s": self.record.seconds_left(self.server_time),
            "expires_at": self.record.to_json(self.server_time)["expires_at"],
            "scope": [int(str(n).lstrip("#")) for n in self.record.scope if str(n).strip("#")],
            "epic": self.epic,
            "fencing_token": self.record.fencing_token,
            "epoch": self.record.epoch,
            "mode": self.mode,
        }


def claim_states(
    client: GhClient,
    bots: frozenset[str],
    numbers: Iterable[int] | None = None,
    *,
    released: bool = False,
) -> dict[int, IssueClaims]:
    """The claim state of each issue among ``numbers`` (default: every issue whose claim
    ref holds, or that carries the claim label), decided as `read` decides it. A released
    ref (docs/claims.md: a release leaves one, keeping the epoch) is read only with
    ``released`` (`doctor`, which looks for refs left on closed issues)."""
    from maverick_ext.core.claim_refs import parse_record
    from maverick_ext.github.claim_refs import list_claim_refs
    from maverick_ext.services.claims import read_existing

    if numbers is None:
        records = {n: parse_record(tip.message) for n, tip in list_claim_refs(client).items()}
        holding = {
            n for n, record in records.items() if released or not (record and record.released)
        }
        numbers = holding | set(gh.numbers_labelled(client, CLAIM_LABEL))
    return read_existing(client, numbers, bots)


def find_claims(
    client: GhClient, bots: frozenset[str], numbers: Iterable[int] | None = None
) -> list[FleetClaim]:
    """Every live claim among ``numbers`` (default: as ``claim_states``)."""
    found = []
    for number, state in sorted(claim_states(client, bots, numbers).items()):
        holder = state.view.holder
        if holder is not None:
            snapshot = state.snapshot
            found.append(
                FleetClaim(number, snapshot.title, holder, state.server_time, snapshot.parent)
            )
    return found


@dataclass
class ClaimNext:
    """What `epic next --claim` did: the story it won (if any) and every story it tried."""

    won: Outcome | None = None
    failure: Outcome | None = None  # the failure that stopped the walk
    tried: list[dict[str, Any]] = field(default_factory=list)


def claim_first(
    coordinator: Coordinator,
    settings: ClaimSettings,
    candidates: Callable[[set[int]], Sequence[int]],
) -> ClaimNext:
    """Claim the first story ``candidates`` offers (critical path first), moving past the
    ones another agent wins or that changed meanwhile; re-ask ``candidates`` (a fresh read
    of the epic, minus what was tried) up to ``MAX_ROUNDS`` times."""
    result = ClaimNext()
    tried: set[int] = set()
    for _ in range(MAX_ROUNDS):
        fresh = [n for n in candidates(tried) if n not in tried]
        if not fresh:
            break
        for number in fresh:
            tried.add(number)
            outcome = coordinator.claim([number], settings)[0]
            result.tried.append(
                {"number": number, "action": outcome.action, "exit_code": int(outcome.code)}
            )
            if not outcome.code:
                result.won = outcome
                return result
            if outcome.code not in PASSABLE:
                result.failure = outcome
                return result
    return result
