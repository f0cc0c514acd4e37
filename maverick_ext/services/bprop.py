"""Block propagation on GitHub: journal, label + notice per descendant, delete the journal.

Crash safety comes from reading the truth back: each descendant's labels and our hidden
notice tag are re-read (in batches) before any write, so a rerun after a crash between any
two calls neither skips a descendant nor posts a second notice. Each ejected story has its
own journal comment, so two ejections in one epic proceed side by side.

Runs racing for the same ejection converge on one notice per descendant: each re-reads
the descendants after its walk (ceil(n/50) calls) and deletes its own redundant notices
(see ``core.bprop.redundant_notices``).

A journal edited less than ``LIVE_JOURNAL_S`` ago (GitHub's clock) belongs to a walk that is
probably still running: other commands leave it alone (finishing it concurrently could post
a notice twice); ``bprop resume --force`` takes it over anyway.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import TYPE_CHECKING, Any

from maverick_ext.core import bprop as core
from maverick_ext.core import dag as core_dag
from maverick_ext.core.markers import render_comment
from maverick_ext.core.payloads import iso, parse_iso
from maverick_ext.errors import HeldLive, NotFound
from maverick_ext.github import issues as gh
from maverick_ext.github.permissions import policy_with_writers
from maverick_ext.records import dataclass, field
from maverick_ext.services.epics import EpicContext, current_dag

if TYPE_CHECKING:
    from maverick_ext.github.models import IssueSnapshot

LIVE_JOURNAL_S = 60
BLOCK_LABEL_COLOR = "d93f0b"
JOURNAL_PREAMBLE = (
    "Block propagation in progress for #{ejected}: Maverick is labelling its descendants. "
    "Any `gh maverick` command that writes to this epic finishes it if this run stops."
)


@dataclass
class WalkResult:
    """What one walk did: the descendants, and which of them this run labelled or noticed."""

    ejected: int
    descendants: list[int]
    labelled: list[int] = field(default_factory=list)  # labels added by this run
    commented: list[int] = field(default_factory=list)  # notices posted by this run

    def to_json(self) -> dict:
        return {
            "ejected": self.ejected,
            "descendants": self.descendants,
            "labelled": self.labelled,
            "commented": self.commented,
        }


def journals(ctx: EpicContext) -> list[tuple[core.Journal, datetime | None]]:
    """Every pending journal on the epic with the time GitHub last saw it edited."""
    found = []
    for marker in ctx.markers:
        if marker.kind == "bprop":
            journal = core.journal_from_checked(marker.typed, marker.comment_id, ctx.number)
            found.append((journal, parse_iso(marker.updated_at)))
    return found


def _is_live(ctx: EpicContext, edited: datetime | None) -> bool:
    return edited is not None and (ctx.server_time - edited).total_seconds() < LIVE_JOURNAL_S


def warn_pending(ctx: EpicContext) -> None:
    """For read commands, which never write: say that a journal waits, leave it as it is."""
    for journal, edited in journals(ctx):
        if _is_live(ctx, edited):
            ctx.warnings.append(_live_warning(journal))
        else:
            ctx.warnings.append(
                f"block propagation for #{journal.ejected} was interrupted (journal comment "
                f"{journal.comment_id}): descendants may still lack blocked-by labels; "
                f"`gh maverick bprop resume {ctx.number}` finishes it"
            )


def _live_warning(journal: core.Journal) -> str:
    return (
        f"block propagation for #{journal.ejected} is in progress elsewhere (journal "
        f"comment {journal.comment_id} edited under {LIVE_JOURNAL_S}s ago); "
        "`gh maverick bprop resume --force` takes it over"
    )


def finish_abandoned(ctx: EpicContext, *, force: bool = False) -> list[WalkResult]:
    """Finish journals left by crashed runs; warn about ones another run is still writing."""
    outcomes = []
    for journal, edited in journals(ctx):
        if _is_live(ctx, edited) and not force:
            ctx.warnings.append(_live_warning(journal))
            continue
        ctx.progress(f"resuming block propagation for #{journal.ejected}…")
        outcomes.append(_walk(ctx, journal))
    return outcomes


def run(ctx: EpicContext, ejected: int) -> WalkResult:
    """Block every transitive descendant of ``ejected`` (idempotent).

    ``ctx`` is opened without finishing journals: this finishes the abandoned ones itself,
    and if one of them was for ``ejected``, that walk is this run's result.
    """
    dag, _ = current_dag(ctx)
    descendants = core_dag.descendants(dag, ejected)
    for finished in finish_abandoned(ctx):
        if finished.ejected == ejected:
            return finished
    for journal, _ in journals(ctx):
        if journal.ejected == ejected:
            raise HeldLive(
                f"block propagation for #{ejected} is already running (journal comment "
                f"{journal.comment_id})",
                f"wait {LIVE_JOURNAL_S}s, then `gh maverick bprop resume {ctx.number}`",
            )
    if not descendants:
        return WalkResult(ejected, [])
    now = iso(ctx.server_time)
    payload = core.new_journal_payload(ctx.number, ejected, descendants, now)
    comment, _ = gh.create_comment(ctx.client, ctx.number, _journal_body(ejected, payload))
    journal = core.journal_from_payload(payload, comment.id, ctx.number)
    return _walk(ctx, journal)


def _journal_body(ejected: int, payload: dict[str, Any]) -> str:
    preamble = JOURNAL_PREAMBLE.format(ejected=ejected)
    return render_comment([("bprop", payload)], preamble)


def _trusted_notices(ctx: EpicContext, snapshot: IssueSnapshot) -> list[core.NoticeComment]:
    """Notices are records, not claims: a writer hidden by its association counts too."""
    ctx.policy = policy_with_writers(ctx.client, snapshot.comments, ctx.policy, core.is_notice)
    return [
        core.NoticeComment(c.id, c.author, c.body)
        for c in snapshot.comments
        if ctx.policy.trusts_for_records(c.author, c.author_association)
    ]


def _walk(ctx: EpicContext, journal: core.Journal) -> WalkResult:
    outcome = WalkResult(journal.ejected, list(journal.descendants))
    snapshots = ctx.refetch(journal.descendants)
    facts = {
        n: core.DescendantFacts(
            tuple(s.labels),
            core.noticed((c.body for c in _trusted_notices(ctx, s)), journal.epic, journal.ejected),
        )
        for n, s in snapshots.items()
    }
    plan = core.remaining_steps(journal, facts)
    label = core.block_label(journal.ejected)
    if any("label" in steps for _, steps in plan):
        gh.ensure_label(
            ctx.client, label, BLOCK_LABEL_COLOR, f"Blocked: upstream #{journal.ejected} ejected"
        )
    now = iso(ctx.server_time)
    posted: dict[int, int] = {}  # story -> the notice this run posted there
    for position, (number, steps) in enumerate(plan, 1):
        ctx.progress(f"blocking #{number} ({position}/{len(plan)})")
        if "label" in steps:
            gh.add_labels(ctx.client, number, [label])
            outcome.labelled.append(number)
        if "comment" in steps:
            notice, _ = gh.create_comment(
                ctx.client, number, core.notice_body(journal.epic, journal.ejected)
            )
            posted[number] = notice.id
            outcome.commented.append(number)
        journal = core.record_done(journal, number, now)
        # NotFound: a forced resume elsewhere finished the journal; our steps were still due.
        with suppress(NotFound):
            gh.update_comment(
                ctx.client, journal.comment_id, _journal_body(journal.ejected, journal.payload())
            )
    ctx.progress("")  # the walk is done
    if posted:
        _drop_redundant_notices(ctx, journal, posted, outcome)
    gh.delete_comment(ctx.client, journal.comment_id)
    ctx.markers = [m for m in ctx.markers if m.comment_id != journal.comment_id]
    for number in journal.descendants:
        ctx.stories.pop(number, None)  # later reads in this command must see the new labels
    return outcome


def _drop_redundant_notices(
    ctx: EpicContext, journal: core.Journal, posted: dict[int, int], outcome: WalkResult
) -> None:
    """Re-read the stories we noticed; keep only the oldest notice where runs raced."""
    for number, snapshot in ctx.refetch(posted).items():
        comments = _trusted_notices(ctx, snapshot)
        redundant = core.redundant_notices(
            comments, ctx.issue.viewer, journal.epic, journal.ejected
        )
        for comment_id in redundant:
            gh.delete_comment(ctx.client, comment_id)
        if posted[number] in redundant or posted[number] not in {c.comment_id for c in comments}:
            outcome.commented.remove(number)  # the notice that stays is another run's
