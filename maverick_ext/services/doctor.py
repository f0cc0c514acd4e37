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
* ``merged_unrecorded``: a story whose closing PR merged while it has no
  ``merged-to-<branch>`` label or the epic's ``maverick-state`` snapshot says otherwise
  (fix: add the label, rewrite the snapshot);
* ``duplicate_pr``: two open PRs or story branches for one issue doctor read (the claimed
  issues, and with ``--epic`` the stories), naming those that are not the claim holder's
  (its task-progress record names its branch). Reported only: a person closes the PR.
* ``orphan_worktree``: a local story worktree whose issue this instance no longer holds
  (reported only: removing a worktree could lose work; `worktree remove` it by hand).

Cost: the claim listing of ``services.fleet`` with released refs (claim refs 1, labelled
issues 1, reads ceil(n/50)); with ``--epic`` the epic with its stories and claim refs
(1 + stories/50) and the snapshot's claim reads (stories/50, only when it says in_flight);
the branch listing and the open PRs (1 + 1 per 100); one read per local story worktrees'
batch. ``--fix`` adds the writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from maverick_ext.core.claim_ref_names import ref_name
from maverick_ext.core.labels import CLAIM_LABEL, has_label
from maverick_ext.github import issues as gh
from maverick_ext.records import asdict, dataclass

if TYPE_CHECKING:
    from maverick_ext.github.client import GhClient
    from maverick_ext.github.models import IssueSnapshot
    from maverick_ext.services.claims import IssueClaims
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


def read_claim_states(
    client: GhClient, bots: frozenset[str], progress: Notify
) -> dict[int, IssueClaims]:
    """Every issue with a claim ref or the claim label, decided as `read` decides it."""
    from maverick_ext.services.fleet import claim_states

    progress("doctor: reading the claim refs and the labelled issues…")
    return claim_states(client, bots, released=True)


def claim_findings(client: GhClient, states: dict[int, IssueClaims], fix: bool) -> list[Finding]:
    from maverick_ext.services.claims import prune_closed_claim_refs

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
    said = {int(n) for n, status in stories.items() if status == "in_flight" and str(n).isdecimal()}
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


@dataclass(frozen=True)
class Subject:
    """An issue doctor read, and who holds it (the live claim's instance, if any)."""

    snapshot: IssueSnapshot
    holder: str | None


def claim_subjects(states: dict[int, IssueClaims]) -> dict[int, Subject]:
    return {
        n: Subject(s.snapshot, s.view.holder.instance_id if s.view.holder else None)
        for n, s in states.items()
    }


def story_subjects(ctx: EpicContext) -> dict[int, Subject]:
    """The epic's stories with their holders, from the epic's own snapshot (claim refs
    included: no further request for 50 stories or fewer)."""
    from maverick_ext.core.dag import story_numbers
    from maverick_ext.services import epics

    numbers = story_numbers(ctx.number, ctx.issue.body, ctx.issue.sub_issues)
    found = ctx.fetch_stories(numbers)
    subjects = {}
    for number, snapshot in found.items():
        status = epics.story_status(ctx, snapshot)
        subjects[number] = Subject(snapshot, status.holder.instance_id if status.holder else None)
    return subjects


def merged_findings(ctx: EpicContext, subjects: dict[int, Subject], fix: bool) -> list[Finding]:
    """Stories whose closing PR merged while their label or the epic's ``maverick-state``
    snapshot does not say so (the merge happened, the recording step did not run)."""
    from maverick_ext.core.labels import merged_label, merged_labels
    from maverick_ext.services import epics

    recorded = ctx.latest("state")
    said = (recorded.payload.get("stories") if recorded else None) or {}
    found: list[tuple[Finding, str | None, bool]] = []  # the finding, its label, stale
    for number, subject in sorted(subjects.items()):
        merged = [pr for pr in subject.snapshot.closing_prs if pr.merged]
        if not merged:
            continue
        pr = merged[0]
        unlabelled = not merged_labels(subject.snapshot.labels)
        snapshot_says = said.get(str(number)) if isinstance(said, dict) else None
        stale = recorded is not None and snapshot_says not in (None, "merged")
        if not (unlabelled or stale):
            continue
        label = merged_label(pr.base_ref) if unlabelled and pr.base_ref else None
        wrong = [f"it has no {merged_label(pr.base_ref or 'BRANCH')} label"] if unlabelled else []
        wrong += [f"the state snapshot on #{ctx.number} says {snapshot_says}"] if stale else []
        fixes = [f"add {label}"] if label else []
        fixes += ["rewrite the maverick-state snapshot (state show --write)"] if stale else []
        finding = Finding(
            "merged_unrecorded",
            number,
            f"#{number}'s PR #{pr.number} merged, but " + " and ".join(wrong),
            "; ".join(fixes) or None,
        )
        found.append((finding, label, stale))
    if fix and found:
        for finding, label, _ in found:
            if label and finding.issue is not None:
                gh.add_labels(ctx.client, finding.issue, [label])
        if any(stale for _, _, stale in found):
            epics.write_state_snapshot(ctx, epics.statuses(ctx, sorted(subjects)))
        for finding, _, _ in found:
            finding.fixed = finding.fix is not None
    return [finding for finding, _, _ in found]


def duplicate_findings(
    client: GhClient, subjects: dict[int, Subject], bots: frozenset[str]
) -> list[Finding]:
    """The duplicate-PR net over the issues doctor read: two open PRs or story branches for
    one issue, naming what is not the claim holder's. Reported only: closing a PR or
    deleting a branch could lose work. Cost: the branch listing and the open PRs (2+)."""
    from maverick_ext.core import duplicate_work as dw
    from maverick_ext.github.pulls import branch_names, list_pulls

    if not subjects:
        return []
    open_prs: list[tuple[int, str, list[int]]] = [
        (pr.number, pr.head_ref, []) for pr in list_pulls(client, state="open")
    ]
    for number, subject in subjects.items():
        open_prs += [
            (pr.number, pr.head_ref, [number])
            for pr in subject.snapshot.closing_prs
            if pr.state.upper() == "OPEN" and pr.head_ref
        ]
    works = dw.work_by_issue(branch_names(client), open_prs)
    found = []
    for number, subject in sorted(subjects.items()):
        branch = _holder_branch(subject, bots)
        twin = dw.duplicate(number, works.get(number, []), branch)
        if twin is None:
            continue
        extra = ", ".join(w.describe() for w in twin.extra)
        kept = (
            f"{twin.kept.describe()} is the holder {subject.holder}'s"
            if twin.kept is not None
            else "no task-progress record of a live holder says which to keep"
        )
        found.append(
            Finding(
                "duplicate_pr",
                number,
                f"#{number} has {len(twin.extra) + (twin.kept is not None)} open PRs or "
                f"branches: {kept}; not the holder's: {extra}",
                None,
            )
        )
    return found


def _holder_branch(subject: Subject, bots: frozenset[str]) -> str | None:
    """The branch the live holder recorded in the issue's ``maverick-task-progress``."""
    from maverick_ext.core.trust import TrustPolicy, issue_markers

    if subject.holder is None:
        return None
    snapshot = subject.snapshot
    markers = issue_markers(snapshot.comments, TrustPolicy(snapshot.viewer, bots)).markers
    for marker in sorted(markers, key=lambda m: m.comment_id or 0, reverse=True):
        payload = marker.payload
        if marker.kind == "task-progress" and payload.get("instance_id") == subject.holder:
            branch = payload.get("branch")
            return branch if isinstance(branch, str) else None
    return None
