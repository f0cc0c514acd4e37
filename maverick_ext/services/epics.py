"""Epic hydration and the epic-wide reads and writes behind `dag`, `state` and `epic`.

Cost: one GraphQL call for the epic (labels, markers, sub-issues), then its stories in
batches of 50 (``fetch_issues``) only when a command needs them — never one call per story.
Opening an epic first finishes any block-propagation journal a crashed run left behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from maverick_ext.core import dag as core_dag
from maverick_ext.core import epic_state, labels
from maverick_ext.core.markers import render_comment
from maverick_ext.core.trust import TrustedMarker, TrustPolicy, issue_markers, same_account
from maverick_ext.errors import GitHubUnavailable, InvalidData
from maverick_ext.github import issues as gh
from maverick_ext.github.permissions import policy_with_writers
from maverick_ext.records import dataclass, field, replace

if TYPE_CHECKING:
    from maverick_ext.core.claim_refs import RefTip
    from maverick_ext.core.claims import ClaimRecord, ClaimView
    from maverick_ext.github.client import GhClient
    from maverick_ext.github.models import IssueSnapshot

DAG_PREAMBLE = "Story DAG of this epic (written by `gh maverick dag build`)."
STATE_PREAMBLE = (
    "Status snapshot of this epic's stories (derived from the stories' own labels and claims)."
)
# "marker": a maverick-dag marker is recorded (the DAG follows GitHub plus the marker's
# dependencies, or the marker alone when GitHub lists no stories); "github": none is.
DagSource = Literal["marker", "github"]
Notify = Callable[[str], None]


def _quiet(_: str) -> None:
    """Default for callers that do not report progress."""


@dataclass
class EpicContext:
    """One epic as read from GitHub, with its stories fetched lazily and cached."""

    client: GhClient
    issue: IssueSnapshot
    policy: TrustPolicy
    markers: list[TrustedMarker]
    warnings: list[str] = field(default_factory=list)
    progress: Notify = _quiet
    stories: dict[int, IssueSnapshot] = field(default_factory=dict)
    # Issue -> its claim ref's tip, read with the epic: who holds a story (ref mode). None:
    # the repository cannot hold refs, so the stories' comment records decide.
    claim_tips: dict[int, RefTip] | None = None

    @property
    def number(self) -> int:
        return self.issue.number

    @property
    def server_time(self) -> datetime:
        if self.issue.server_time is None:
            raise GitHubUnavailable("GitHub's answer carried no Date header")
        return self.issue.server_time

    def latest(self, kind: str) -> TrustedMarker | None:
        """The newest trusted marker of ``kind`` on the epic (highest comment id)."""
        found = [m for m in self.markers if m.kind == kind]
        return max(found, key=lambda m: m.comment_id) if found else None

    def fetch_stories(self, numbers: Iterable[int]) -> dict[int, IssueSnapshot]:
        """Snapshots of ``numbers`` (50 per request), cached for the rest of the command."""
        wanted = sorted(set(numbers) - set(self.stories))
        if len(wanted) > gh.BATCH_SIZE:
            self.progress(f"reading {len(wanted)} stories of epic #{self.number}…")
        self.stories.update(gh.fetch_issues(self.client, wanted))
        return {n: self.stories[n] for n in numbers if n in self.stories}

    def refetch(self, numbers: Iterable[int]) -> dict[int, IssueSnapshot]:
        for number in numbers:
            self.stories.pop(number, None)
        return self.fetch_stories(numbers)

    def trusted_markers(self, snapshot: IssueSnapshot) -> list[TrustedMarker]:
        self.policy = policy_with_writers(self.client, snapshot.comments, self.policy)
        parsed = issue_markers(snapshot.comments, self.policy)
        self.warnings.extend(f"#{snapshot.number}: {w}" for w in parsed.warnings)
        return parsed.markers


def read_epic(
    client: GhClient,
    number: int,
    bots: frozenset[str] = frozenset(),
    *,
    progress: Notify = _quiet,
) -> EpicContext:
    """Read the epic and its first 50 sub-issues in one call. Only reads: pending bprop
    journals are left to the caller (``services.bprop.finish_abandoned`` in commands that
    write, ``warn_pending`` in reads)."""
    from maverick_ext.github import claim_refs as gh_refs

    client.require_repo()
    read = gh.fetch_epic(client, number)
    issue = read.issue
    tips = None
    if read.more_claim_refs:  # more than the 100 the snapshot holds: page through them
        tips = gh_refs.list_claim_refs(client)
    elif read.claim_refs is not None:
        tips = gh_refs.claim_tips(read.claim_refs)
    policy = policy_with_writers(client, issue.comments, TrustPolicy(issue.viewer, bots))
    parsed = issue_markers(issue.comments, policy)
    warnings = [str(w) for w in parsed.warnings]
    return EpicContext(
        client, issue, policy, parsed.markers, warnings, progress, read.stories, tips
    )


# ---- the DAG ---------------------------------------------------------------------------


def _github_dag(ctx: EpicContext) -> tuple[core_dag.Dag, list[core_dag.Problem]] | None:
    """The DAG as GitHub says it is now (sub-issues, task table, links, body text) and the
    listed stories GitHub does not know; None when the epic lists no stories at all."""
    numbers = core_dag.story_numbers(ctx.number, ctx.issue.body, ctx.issue.sub_issues)
    if not numbers:
        return None
    snapshots = ctx.fetch_stories(numbers)
    facts = {
        n: core_dag.StoryIssue(n, s.title, s.body, tuple(s.blocked_by))
        for n, s in snapshots.items()
    }
    return core_dag.assemble(ctx.number, numbers, facts)


def _no_stories(ctx: EpicContext) -> InvalidData:
    return InvalidData(
        f"#{ctx.number} has no stories: no sub-issues and no #N in a task table or checklist",
        "add the stories as sub-issues, or list them in the epic body (| #12 | title |)",
    )


def build_dag(ctx: EpicContext) -> core_dag.Dag:
    """The validated DAG as GitHub says it is now, ignoring any recorded marker."""
    ctx.progress(f"building the DAG of epic #{ctx.number} from GitHub…")
    built = _github_dag(ctx)
    if built is None:
        raise _no_stories(ctx)
    dag, missing = built
    core_dag.raise_for(ctx.number, missing + core_dag.problems(dag))
    return dag


@dataclass(frozen=True)
class DagView:
    """The DAG a command acts on, where it came from, and what is wrong with it."""

    dag: core_dag.Dag  # validated, or (lenient reads) stripped of the offending edges
    source: DagSource
    drift: core_dag.Drift | None = None
    problems: tuple[core_dag.Problem, ...] = ()

    def offenders(self) -> dict[int, list[str]]:
        """Story -> the problems naming it, to mark rows."""
        marks: dict[int, list[str]] = {}
        for problem in self.problems:
            for number in problem.stories:
                marks.setdefault(number, []).append(problem.message)
        return marks


def read_dag(ctx: EpicContext, *, lenient: bool = False) -> DagView:
    """The DAG to act on: what GitHub implies now, plus the dependencies the recorded
    ``maverick-dag`` marker adds between those stories (``core.dag.follow``). The marker is
    compared with GitHub (the same command's reads) and any difference becomes a warning.
    With no stories on GitHub, the marker alone. ``lenient``: an invalid DAG is returned
    without its offending edges, every problem listed, instead of raising."""
    marker = ctx.latest("dag")
    recorded = None
    if marker is not None:
        try:
            recorded = core_dag.dag_from_checked(marker.typed, ctx.number, check=False)
        except InvalidData as exc:
            ctx.warnings.append(f"#{ctx.number}: ignoring the maverick-dag marker: {exc.message}")
    built = _github_dag(ctx)
    missing: list[core_dag.Problem]
    source: DagSource
    if built is None:
        if recorded is None:
            raise _no_stories(ctx)
        dag, missing, source, found_drift = recorded, [], "marker", None
    else:
        dag, missing = built
        source, found_drift = ("github" if recorded is None else "marker"), None
        if recorded is not None:
            found_drift = core_dag.drift(recorded, dag)
            dag = core_dag.follow(dag, recorded)
            if found_drift is not None:
                ctx.warnings.append(
                    f"the recorded DAG of #{ctx.number} differs from GitHub: "
                    + "; ".join(found_drift.describe())
                    + " (following GitHub; `gh maverick dag build --write` refreshes it)"
                )
    problems = missing + core_dag.problems(dag)
    if not lenient:
        core_dag.raise_for(ctx.number, problems)
        return DagView(dag, source, found_drift)
    return DagView(core_dag.plannable(dag), source, found_drift, tuple(problems))


def current_dag(ctx: EpicContext) -> tuple[core_dag.Dag, DagSource]:
    view = read_dag(ctx)
    return view.dag, view.source


def write_dag(ctx: EpicContext, dag: core_dag.Dag) -> int:
    return upsert_marker(ctx, "dag", dag.to_payload(), DAG_PREAMBLE)


def upsert_marker(ctx: EpicContext, kind: str, payload: dict, preamble: str) -> int:
    """Edit our newest comment holding ``kind`` in place, else post one; the comment id.

    Only the viewer's own comments are edited: another author's marker stays as written
    and ours, being newer, wins on the next read.
    """
    body = render_comment([(kind, payload)], preamble)
    mine = [m for m in ctx.markers if m.kind == kind and same_account(m.author, ctx.issue.viewer)]
    if mine:
        target = max(mine, key=lambda m: m.comment_id)
        comment, _ = gh.update_comment(ctx.client, target.comment_id, body)
    else:
        comment, _ = gh.create_comment(ctx.client, ctx.number, body)
    return comment.id


# ---- status ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryStatus:
    number: int
    title: str
    status: epic_state.Status
    reason: str
    holder: ClaimRecord | None
    lease_left_s: int | None
    prs: list[str]
    url: str | None
    labels: list[str]

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "status": self.status,
            "reason": self.reason,
            "holder": self.holder.instance_id if self.holder else None,
            "lease_left_s": self.lease_left_s,
            "prs": self.prs,
            "url": self.url,
            "blocked_by": labels.blocked_by(self.labels),
        }


def story_status(
    ctx: EpicContext, snapshot: IssueSnapshot, view: ClaimView | None = None
) -> StoryStatus:
    """``view``: the story's claim view when the caller read it already (as `doctor`
    does); default: the claim ref read with the epic over the story's comment records, as
    `read` decides it (comment records alone where the repository holds no refs)."""
    from maverick_ext.core.claim_refs import ref_mode_view
    from maverick_ext.core.claims import claim_view

    now = snapshot.server_time or ctx.server_time
    for label in labels.malformed_block_labels(snapshot.labels):
        warning = f"#{snapshot.number}: label {label!r} names no story; counted as blocked"
        if warning not in ctx.warnings:
            ctx.warnings.append(warning)
    if view is None:
        view = claim_view(ctx.trusted_markers(snapshot), now)
        if ctx.claim_tips is not None:
            tip = ctx.claim_tips.get(snapshot.number)
            view = ref_mode_view(view, tip, snapshot.comments)[0]
    holder = view.holder
    facts = epic_state.StoryFacts(
        labels=tuple(snapshot.labels),
        merged_pr=any(pr.merged or pr.state.upper() == "MERGED" for pr in snapshot.closing_prs),
        holder=holder.instance_id if holder else None,
        closed=not snapshot.is_open,
    )
    derived = epic_state.derive_status(facts)
    return StoryStatus(
        number=snapshot.number,
        title=snapshot.title,
        status=derived.status,
        reason=derived.reason,
        holder=holder,
        lease_left_s=holder.seconds_left(now) if holder else None,
        prs=[pr.url or f"#{pr.number}" for pr in snapshot.closing_prs],
        url=snapshot.url,
        labels=list(snapshot.labels),
    )


def statuses(ctx: EpicContext, numbers: Iterable[int]) -> dict[int, StoryStatus]:
    numbers = list(numbers)
    snapshots = ctx.fetch_stories(numbers)
    missing = [n for n in numbers if n not in snapshots]
    if missing:
        raise InvalidData(
            f"epic #{ctx.number} names {', '.join(f'#{n}' for n in missing)}, which GitHub "
            "does not know",
            "rebuild the DAG: gh maverick dag build --write",
        )
    return {n: story_status(ctx, snapshots[n]) for n in numbers}


def write_state_snapshot(ctx: EpicContext, found: dict[int, StoryStatus]) -> int:
    from maverick_ext.core.payloads import iso

    payload = epic_state.snapshot_payload(
        ctx.number, {n: s.status for n, s in found.items()}, iso(ctx.server_time)
    )
    return upsert_marker(ctx, "state", payload, STATE_PREAMBLE)


def record_fact(
    ctx: EpicContext, story: int, change: epic_state.LabelChange
) -> tuple[StoryStatus, bool]:
    """Add the fact's label to the story (a per-story write: concurrent setters never
    collide); also whether the label was new. GitHub answers the write with the story's
    labels, so the new status needs no second read."""
    dag, _ = current_dag(ctx)
    dag.require(story)
    before = ctx.fetch_stories([story])[story]
    added = not labels.has_label(before.labels, change.add)
    after = before
    if added:
        answered = gh.add_labels(ctx.client, story, [change.add])
        after = replace(before, labels=answered)
        ctx.stories[story] = after
    return story_status(ctx, after), added
