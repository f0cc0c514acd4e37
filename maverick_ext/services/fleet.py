"""The fleet's view of one repository: every live claim, and pick-and-claim for an epic.

Claims are read on the current path — each issue's claim records, derived by
``services.claims.derive_claims`` from one snapshot — and ``find_claims`` is the one
function that reads them, so moving claims onto ``refs/maverick/claims/<issue>`` is one edit.

Cost of ``find_claims``: 1 REST call listing the issues labelled ``claude-in-progress``
(+1 per further 100) and ceil(n/50) GraphQL batches for them; with an epic, its stories
instead of the label listing (the epic's own read, then ceil(stories/50)). The label is
only a hint for where to look; the records decide who holds what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from maverick_ext.core.labels import CLAIM_LABEL
from maverick_ext.errors import ExitCode
from maverick_ext.github import issues as gh

if TYPE_CHECKING:
    from maverick_ext.core.claims import ClaimRecord
    from maverick_ext.github.client import GhClient
    from maverick_ext.services.claims import ClaimSettings, Coordinator, Outcome

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
        }


def find_claims(
    client: GhClient, bots: frozenset[str], numbers: Iterable[int] | None = None
) -> list[FleetClaim]:
    """Every live claim among ``numbers`` (default: the issues labelled as claimed)."""
    from maverick_ext.services.claims import derive_claims

    wanted = gh.numbers_labelled(client, CLAIM_LABEL) if numbers is None else list(numbers)
    found = []
    for number, snapshot in sorted(gh.fetch_issues(client, wanted).items()):
        state = derive_claims(snapshot, bots)
        holder = state.view.holder
        if holder is not None:
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
