"""`gh maverick doctor`: reconcile GitHub with itself and with this machine.

Each check reads state, reports what is inconsistent and, with ``fix``, repairs it with an
idempotent write — so a second run finds nothing. Checks:

* ``stale_label``: ``claude-in-progress`` on an issue with no live claim (fix: remove it);
* ``closed_claim``: a live claim on a closed issue (fix: remove the label; the holder's
  record ends when its lease does, and the holder's next guard/heartbeat stops it);
* ``bprop_journal``: an unfinished block propagation on the epic (fix: finish it);
* ``dag_drift``: the recorded ``maverick-dag`` differs from GitHub (fix: rewrite it);
* ``orphan_worktree``: a local story worktree whose issue this instance no longer holds
  (reported only: removing a worktree could lose work; `worktree remove` it by hand).

Cost: the claim listing of ``services.fleet`` (1 + n/50 calls), the epic and its stories
with ``--epic`` (1 + stories/50), and one read per local story worktree's issue batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from maverick_ext.core.labels import CLAIM_LABEL
from maverick_ext.github import issues as gh

if TYPE_CHECKING:
    from maverick_ext.github.client import GhClient
    from maverick_ext.services.epics import EpicContext

Notify = Callable[[str], None]


@dataclass
class Finding:
    check: str
    issue: int | None
    message: str
    fix: str | None  # what --fix does, None when it is left to a person
    fixed: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def claim_findings(
    client: GhClient, bots: frozenset[str], fix: bool, progress: Notify
) -> list[Finding]:
    from maverick_ext.services.claims import derive_claims

    found: list[Finding] = []
    numbers = gh.numbers_labelled(client, CLAIM_LABEL)
    progress(f"doctor: reading {len(numbers)} labelled issues…")
    for number, snapshot in sorted(gh.fetch_issues(client, numbers).items()):
        holder = derive_claims(snapshot, bots).view.holder
        if holder is None:
            finding = Finding(
                "stale_label",
                number,
                f"#{number} is labelled {CLAIM_LABEL} but nobody holds a live claim",
                f"remove {CLAIM_LABEL}",
            )
        elif not snapshot.is_open:
            finding = Finding(
                "closed_claim",
                number,
                f"#{number} is closed but {holder.instance_id} still holds a live claim",
                f"remove {CLAIM_LABEL}; the lease ends by itself",
            )
        else:
            continue
        if fix:
            gh.remove_label(client, number, CLAIM_LABEL)
            finding.fixed = True
        found.append(finding)
    return found


def epic_findings(ctx: EpicContext, fix: bool) -> list[Finding]:
    from maverick_ext.services import bprop, epics

    found: list[Finding] = []
    for journal, _ in bprop.journals(ctx):
        found.append(
            Finding(
                "bprop_journal",
                journal.ejected,
                f"block propagation for #{journal.ejected} on epic #{ctx.number} is unfinished "
                f"(journal comment {journal.comment_id})",
                "finish it (bprop resume)",
            )
        )
    if fix and found:
        bprop.finish_abandoned(ctx)
        for finding in found:
            finding.fixed = not any(j.ejected == finding.issue for j, _ in bprop.journals(ctx))
    view = epics.read_dag(ctx, lenient=True)
    if view.drift is not None:
        finding = Finding(
            "dag_drift",
            ctx.number,
            f"the recorded DAG of #{ctx.number} differs from GitHub: "
            + "; ".join(view.drift.describe()),
            "rewrite the maverick-dag marker from GitHub (dag build --write)",
        )
        if fix and not view.problems:
            epics.write_dag(ctx, epics.build_dag(ctx))
            finding.fixed = True
        found.append(finding)
    return found


def worktree_findings(
    client: GhClient, bots: frozenset[str], me: str, cwd: str | None
) -> list[Finding]:
    from maverick_ext.errors import UsageError
    from maverick_ext.services.claims import derive_claims
    from maverick_ext.services.worktrees import list_worktrees

    try:
        listing = list_worktrees(cwd)
    except UsageError:
        return []  # not in a clone: nothing local to check
    by_issue = {w.issue: w for w in listing.worktrees if w.managed and w.issue is not None}
    found: list[Finding] = []
    for number, snapshot in sorted(gh.fetch_issues(client, by_issue).items()):
        holder = derive_claims(snapshot, bots).view.holder
        if holder is None or holder.instance_id != me:
            who = f"held by {holder.instance_id}" if holder else "not claimed"
            found.append(
                Finding(
                    "orphan_worktree",
                    number,
                    f"worktree {by_issue[number].path} is for #{number}, which is {who}",
                    None,
                )
            )
    return found
