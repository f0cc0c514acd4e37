"""`gh maverick doctor`: reconcile GitHub with itself and with this machine.

Each check reads state, reports what is inconsistent and, with ``fix``, repairs it with an
idempotent write — so a second run finds nothing. Claims are decided as `read` decides them
(the claim ref's record with a live lease, else a live seed-format comment claim). Checks:

* ``closed_ref``: a claim ref on a closed issue (fix: delete it, as `prune-refs` does; each
  ref only if it still points where it was read);
* ``stale_label``: ``claude-in-progress`` on an issue with no live claim (fix: remove it);
* ``closed_claim``: a live claim on a closed issue (fix: remove the label; the holder's
  record ends when its lease does, and the holder's next guard/heartbeat stops it);
* ``stale_in_flight``: the epic's ``maverick-state`` snapshot says a story is ``in_flight``
  but nobody holds a live lease on it (fix: rewrite the snapshot from the stories' facts);
* ``bprop_journal``: an unfinished block propagation on the epic (fix: finish it);
* ``dag_drift``: the recorded ``maverick-dag`` differs from GitHub (fix: rewrite it);
* ``orphan_worktree``: a local story worktree whose issue this instance no longer holds
  (reported only: removing a worktree could lose work; `worktree remove` it by hand).

Cost: the claim listing of ``services.fleet`` (claim refs 1, labelled issues 1, reads
ceil(n/50)); with ``--epic`` the epic and its stories (1 + stories/50) and their claim
reads (stories/50); one read per local story worktrees' batch. ``--fix`` adds the writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from maverick_ext.core.claim_refs import ref_name
from maverick_ext.core.labels import CLAIM_LABEL, has_label
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
    from maverick_ext.services.claims import prune_closed_claim_refs
    from maverick_ext.services.fleet import claim_states

    progress("doctor: reading the claim refs and the labelled issues…")
    states = claim_states(client, bots)
    closed_refs = [
        Finding(
            "closed_ref",
            number,
            f"#{number} is closed but still has its claim ref {ref_name(number)}",
            "delete the claim ref (prune-refs)",
        )
        for number, state in sorted(states.items())
        if not state.snapshot.is_open and state.hold is not None and state.hold.tip is not None
    ]
    if fix and closed_refs:
        pruned = set(prune_closed_claim_refs(client))
        for finding in closed_refs:
            finding.fixed = finding.issue in pruned
    labels: list[Finding] = []
    for number, state in sorted(states.items()):
        snapshot, holder = state.snapshot, state.view.holder
        if not has_label(snapshot.labels, CLAIM_LABEL):
            continue
        if holder is None:
            finding = Finding(
                "stale_label",
                number,
                f"#{number} is labelled {CLAIM_LABEL} but nobody holds a live claim "
                "(no live claim ref, no live seed-format claim)",
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
        labels.append(finding)
    return closed_refs + labels


def in_flight_findings(ctx: EpicContext, bots: frozenset[str], fix: bool) -> list[Finding]:
    """Stories the epic's ``maverick-state`` snapshot calls in flight with no live lease."""
    from maverick_ext.core.dag import story_numbers
    from maverick_ext.services import epics
    from maverick_ext.services.fleet import claim_states

    recorded = ctx.latest("state")
    stories = (recorded.payload.get("stories") if recorded else None) or {}
    said = {int(n) for n, status in stories.items() if status == "in_flight" and str(n).isdigit()}
    if not said:
        return []
    numbers = story_numbers(ctx.number, ctx.issue.body, ctx.issue.sub_issues)
    states = claim_states(ctx.client, bots, numbers)
    found = [
        Finding(
            "stale_in_flight",
            number,
            f"the state snapshot on epic #{ctx.number} says #{number} is in_flight, "
            "but nobody holds a live lease on it",
            "rewrite the maverick-state snapshot from the stories (state show --write)",
        )
        for number in sorted(said)
        if number not in states or states[number].view.holder is None
    ]
    if fix and found:
        statuses = {
            n: epics.story_status(ctx, state.snapshot, state.view) for n, state in states.items()
        }
        epics.write_state_snapshot(ctx, statuses)
        for finding in found:
            finding.fixed = True
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
    from maverick_ext.services.claims import read_existing
    from maverick_ext.services.worktrees import list_worktrees

    try:
        listing = list_worktrees(cwd)
    except UsageError:
        return []  # not in a clone: nothing local to check
    by_issue = {w.issue: w for w in listing.worktrees if w.managed and w.issue is not None}
    found: list[Finding] = []
    for number, state in sorted(read_existing(client, by_issue, bots).items()):
        holder = state.view.holder
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
