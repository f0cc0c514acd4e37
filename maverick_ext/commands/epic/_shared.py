"""What the epic command groups (`dag`, `state`, `bprop`, `epic`) share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from maverick_ext.commands.output import end_progress, progress, warn
from maverick_ext.records import dataclass, field

if TYPE_CHECKING:
    from maverick_ext.commands.app import App
    from maverick_ext.core.dag import Dag
    from maverick_ext.core.waves import WavePlan
    from maverick_ext.services.epics import EpicContext, StoryStatus

# What a command does with block propagations a crashed run left on the epic: commands that
# write finish them first; reads never write, so they only warn; `bprop` handles its own.
Journals = Literal["finish", "warn", "leave"]


def open_epic(
    app: App, repo_flag: str | None, epic: str, *, journals: Journals = "warn"
) -> EpicContext:
    """Read EPIC (``123``, ``OWNER/REPO#123`` or a URL), then deal with pending journals."""
    from maverick_ext.core.refs import parse_issue_ref
    from maverick_ext.github.documents import EPIC_QUERY, issue_read

    ref = parse_issue_ref(epic)
    client = app.client(ref.repo or app.resolve_repo(repo_flag))
    bots = frozenset(app.coordination().trusted_bots)
    if client.repo is not None:  # GitHub answers while the epic code loads
        client.prefetch(issue_read(EPIC_QUERY, client.repo.owner, client.repo.name, ref.number))
    from maverick_ext.services import epics

    ctx = epics.read_epic(client, ref.number, bots, progress=progress)
    if journals == "leave" or not any(m.kind == "bprop" for m in ctx.markers):
        return ctx  # no journal waits (the common case: the walk's code is not even loaded)
    from maverick_ext.services import bprop

    if journals == "finish":
        bprop.finish_abandoned(ctx)
    else:
        bprop.warn_pending(ctx)
    return ctx


def flush_warnings(ctx: EpicContext) -> None:
    """Skipped markers and in-progress walks, once each, on stderr (after clearing any
    progress line: the command's reading is done)."""
    end_progress()
    for message in dict.fromkeys(ctx.warnings):
        warn(message)
    ctx.warnings.clear()


def story_number(text: str) -> int:
    from maverick_ext.core.refs import parse_issue_ref

    return parse_issue_ref(text).number


def plan_document(board: Board) -> dict[str, Any]:
    """`dag waves --json`: the waves, and the story list with what decided each place."""
    from maverick_ext.core.waves import downstream_counts

    downstream = downstream_counts(board.dag)
    stories = [
        {**row, "files": list(board.dag.stories[row["number"]].files),
         "downstream": downstream.get(row["number"])}
        for row in board.stories()
    ]  # fmt: skip
    return {"epic": board.dag.epic, "waves": board.plan.waves, "stories": stories}


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
    ctx = open_epic(app, repo_flag, epic, journals=journals)  # imports nothing heavy first
    from maverick_ext.core.waves import plan_waves
    from maverick_ext.services import epics

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

    def story(self, number: int) -> dict[str, Any]:
        """The one STORY shape of every story list (docs/json.md): what the DAG, the wave
        plan and the story's own facts say. Facts a command did not read (``dag waves
        --file`` reads none) are null."""
        known = self.dag.stories[number]
        planned = self.plan.stories.get(number)
        status = self.statuses.get(number)
        facts = status.to_json() if status else {
            "number": number, "title": known.title, "status": None, "reason": None,
            "holder": None, "lease_left_s": None, "prs": [], "url": None, "blocked_by": [],
        }  # fmt: skip
        return {
            **facts,
            "wave": planned.wave if planned else None,
            "critical_path": planned.critical_path if planned else None,
            "deps": sorted(known.deps),
            "problems": self.offenders.get(number, []),
        }

    def stories(self, numbers: Iterable[int] | None = None) -> list[dict[str, Any]]:
        """A story list: ``numbers`` (default: every story in wave order) as STORY objects."""
        if numbers is None:
            numbers = [n for members in self.plan.waves for n in members]
        return [self.story(n) for n in numbers]
