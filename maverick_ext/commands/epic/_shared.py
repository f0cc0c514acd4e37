"""What the epic command groups (`dag`, `state`, `bprop`, `epic`) share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import click

from maverick_ext.commands.output import progress, warn

if TYPE_CHECKING:
    from maverick_ext.commands.app import App
    from maverick_ext.core.dag import Dag
    from maverick_ext.core.waves import WavePlan
    from maverick_ext.services.epics import EpicContext, StoryStatus

epic_argument = click.argument("epic", metavar="EPIC")
# What a command does with block propagations a crashed run left on the epic: commands that
# write finish them first; reads never write, so they only warn; `bprop` handles its own.
Journals = Literal["finish", "warn", "leave"]


def open_epic(
    app: App, repo_flag: str | None, epic: str, *, journals: Journals = "warn"
) -> EpicContext:
    """Read EPIC (``123``, ``OWNER/REPO#123`` or a URL), then deal with pending journals."""
    from maverick_ext.core.refs import parse_issue_ref
    from maverick_ext.services import bprop, epics

    ref = parse_issue_ref(epic)
    client = app.client(ref.repo or app.resolve_repo(repo_flag))
    bots = frozenset(app.coordination().trusted_bots)
    ctx = epics.open_epic(client, ref.number, bots, progress=progress)
    if journals == "finish":
        bprop.finish_abandoned(ctx)
    elif journals == "warn":
        bprop.warn_pending(ctx)
    return ctx


def flush_warnings(ctx: EpicContext) -> None:
    """Skipped markers and in-progress walks, once each, on stderr."""
    for message in dict.fromkeys(ctx.warnings):
        warn(message)
    ctx.warnings.clear()


def story_number(text: str) -> int:
    from maverick_ext.core.refs import parse_issue_ref

    return parse_issue_ref(text).number


def plan_document(dag: Dag, plan: WavePlan, with_downstream: bool) -> dict[str, Any]:
    """`dag waves --json`: the waves plus, per story, what decided its place."""
    from maverick_ext.core.waves import downstream_counts

    downstream = downstream_counts(dag) if with_downstream else {}
    payload = dag.to_payload()
    for number, planned in plan.stories.items():
        payload["stories"][str(number)].update(
            wave=planned.wave,
            critical_path=planned.critical_path,
            downstream=downstream.get(number),
        )
    return {"epic": dag.epic, "waves": plan.waves, "stories": payload["stories"]}


def numbers(items: list[int]) -> str:
    return " ".join(f"#{n}" for n in items) or "-"


def epic_board(
    app: App,
    repo_flag: str | None,
    epic: str,
    *,
    journals: Journals = "warn",
    lenient: bool = False,
) -> tuple[EpicContext, Board]:
    """The epic, its wave plan and every story's derived status (constant API calls).

    ``lenient``: an invalid DAG still yields every story (offending edges left out of the
    plan, offenders in ``Board.offenders``) and one warning naming every problem.
    """
    from maverick_ext.core.waves import plan_waves
    from maverick_ext.services import epics

    ctx = open_epic(app, repo_flag, epic, journals=journals)
    view = epics.read_dag(ctx, lenient=lenient)
    if view.problems:
        ctx.warnings.append(
            f"invalid DAG for epic #{ctx.number}: "
            + "; ".join(p.message for p in view.problems)
            + " (showing every story; offending dependencies left out of the waves)"
        )
    plan = plan_waves(view.dag)
    found = epics.statuses(ctx, sorted(view.dag.stories))
    flush_warnings(ctx)
    return ctx, Board(view.dag, plan, found, view.offenders())


@dataclass(frozen=True)
class Board:
    dag: Dag
    plan: WavePlan
    statuses: dict[int, StoryStatus]
    offenders: dict[int, list[str]] = field(default_factory=dict)  # story -> its DAG problems
