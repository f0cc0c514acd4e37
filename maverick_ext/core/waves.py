"""Waves: which stories can run side by side, most urgent first.

* A story's wave comes after the waves of all its dependencies (toposort layers).
* Inside a wave, the story with the longest downstream chain (critical path) comes first:
  delaying it delays the epic.
* Two stories that declare an overlapping file never share a wave: the one with the
  shorter critical path moves to a later wave. A story that depends on the other (stacks
  on it) is in a later wave anyway.

Layering is Kahn's algorithm in O(stories + edges). The ``toposort`` package computes the
same layers but rescans every remaining story once per layer — O(stories × layers), which
is quadratic for a long chain (8,000 stories in a row: 16 s) — so it serves as the
reference the property tests compare against instead of running here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from maverick_ext.core.dag import Dag
from maverick_ext.core.epic_state import SATISFIES_DEPENDENCY
from maverick_ext.records import dataclass


@dataclass(frozen=True)
class StoryPlan:
    number: int
    wave: int  # 1-based, as people count waves
    critical_path: int  # stories on the longest dependency chain starting here, itself included
    depth: int  # 1-based toposort layer, before file conflicts moved the story later


@dataclass(frozen=True)
class WavePlan:
    waves: list[list[int]]  # each wave critical path first
    stories: dict[int, StoryPlan]


def topological_order(dag: Dag) -> tuple[list[int], dict[int, int]]:
    """Stories in dependency order with their 0-based layer; ``dag`` must be validated."""
    children = dag.dependents()
    waiting = {n: len(s.deps) for n, s in dag.stories.items()}
    layer = {n: 0 for n in dag.stories}
    queue = deque(sorted(n for n, count in waiting.items() if count == 0))
    order: list[int] = []
    while queue:
        current = queue.popleft()
        order.append(current)
        for child in children[current]:
            layer[child] = max(layer[child], layer[current] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                queue.append(child)
    if len(order) != len(dag.stories):
        raise ValueError("topological_order needs a validated (acyclic) DAG")
    return order, layer


def critical_paths(dag: Dag, order: list[int]) -> dict[int, int]:
    children = dag.dependents()
    longest: dict[int, int] = {}
    for number in reversed(order):
        longest[number] = 1 + max((longest[c] for c in children[number]), default=0)
    return longest


def plan_waves(dag: Dag) -> WavePlan:
    order, layer = topological_order(dag)
    longest = critical_paths(dag, order)
    # Place stories layer by layer, critical path first, so a file conflict pushes the
    # less urgent story later. Dependencies sit in earlier layers, so they are placed first.
    placement = sorted(dag.stories, key=lambda n: (layer[n], -longest[n], n))
    wave: dict[int, int] = {}
    waves_of_file: dict[str, set[int]] = {}
    for number in placement:
        story = dag.stories[number]
        slot = max((wave[d] + 1 for d in story.deps), default=0)
        while any(slot in waves_of_file.get(path, ()) for path in story.files):
            slot += 1
        wave[number] = slot
        for path in story.files:
            waves_of_file.setdefault(path, set()).add(slot)
    grouped: list[list[int]] = [[] for _ in range(max(wave.values(), default=-1) + 1)]
    for number in placement:
        grouped[wave[number]].append(number)
    for members in grouped:
        members.sort(key=lambda n: (-longest[n], n))
    plans = {n: StoryPlan(n, wave[n] + 1, longest[n], layer[n] + 1) for n in sorted(dag.stories)}
    return WavePlan(grouped, plans)


def downstream_counts(dag: Dag) -> dict[int, int]:
    """How many stories depend on each story, directly or transitively.

    Exact transitive counts cost O(stories × edges / 64) with bitsets and up to
    stories² / 8 bytes, so callers compute them only when they will show them.
    """
    order, _ = topological_order(dag)
    position = {n: i for i, n in enumerate(order)}
    children = dag.dependents()
    reach: dict[int, int] = {}
    counts: dict[int, int] = {}
    for number in reversed(order):
        mask = 0
        for child in children[number]:
            mask |= reach[child] | (1 << position[child])
        reach[number] = mask
        counts[number] = mask.bit_count()
    return counts


@dataclass(frozen=True)
class Selection:
    wave: int | None  # 1-based; None when no wave has startable or running work
    ready: list[int]  # startable now, critical path first, capped
    running: list[int]  # in flight in that wave
    waiting: list[int]  # pending in that wave but an upstream story is not merged


def select_next(dag: Dag, plan: WavePlan, status: Mapping[int, str], limit: int) -> Selection:
    """The first wave that still has pending or in-flight stories, and what to start in it.

    Merged, closed and ejected stories are settled; blocked ones wait for a person, so a
    wave holding only those is over. A pending story starts only when every dependency is
    merged or closed (an ejected dependency means a block is on its way).
    """
    for index, members in enumerate(plan.waves, 1):
        running = [n for n in members if status[n] == "in_flight"]
        pending = [n for n in members if status[n] == "pending"]
        if not running and not pending:
            continue
        ready = [
            n
            for n in pending
            if all(status[d] in SATISFIES_DEPENDENCY for d in dag.stories[n].deps)
        ]
        waiting = [n for n in pending if n not in ready]
        return Selection(index, ready[: max(limit, 0)], running, waiting)
    return Selection(None, [], [], [])
