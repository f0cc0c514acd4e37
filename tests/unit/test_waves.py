"""Waves: dependency layers, critical path first, no shared files in one wave."""

from __future__ import annotations

import toposort
from hypothesis import given

from maverick_ext.core.dag import Dag, Story, dag_from_payload
from maverick_ext.core.waves import downstream_counts, plan_waves, select_next, topological_order
from tests.unit.test_dag import SEED_DAG, closure, random_dags


def dag_of(
    edges: dict[int, tuple[int, ...]], files: dict[int, tuple[str, ...]] | None = None
) -> Dag:
    files = files or {}
    return Dag(1, {n: Story(n, deps, files.get(n, ())) for n, deps in edges.items()})


def test_the_seeds_example_plans_into_three_waves() -> None:
    plan = plan_waves(dag_from_payload(SEED_DAG))
    assert plan.waves == [[140], [142, 143], [150]]
    assert plan.stories[140].critical_path == 3
    assert downstream_counts(dag_from_payload(SEED_DAG))[140] == 3


def test_inside_a_wave_the_longest_downstream_chain_comes_first() -> None:
    # 3 heads a chain of three, 2 stands alone: 3 first although 2 has the lower number
    plan = plan_waves(dag_of({2: (), 3: (), 4: (3,), 5: (4,)}))
    assert plan.waves[0] == [3, 2]
    assert [plan.stories[n].critical_path for n in (3, 2)] == [3, 1]


def test_stories_touching_the_same_file_never_share_a_wave() -> None:
    plan = plan_waves(dag_of({2: (), 3: (), 4: (3,)}, {2: ("app/db.py",), 3: ("app/db.py",)}))
    # 3 leads a longer chain, so 2 is the one that waits
    assert plan.waves == [[3], [2, 4]]
    assert plan.stories[2].depth == 1 and plan.stories[2].wave == 2


def test_next_skips_claimed_blocked_and_merged_and_caps() -> None:
    dag = dag_of({2: (), 3: (), 4: (), 5: (), 6: (2,)})
    plan = plan_waves(dag)
    status = {2: "merged", 3: "in_flight", 4: "blocked", 5: "pending", 6: "pending"}
    chosen = select_next(dag, plan, status, limit=4)
    assert (chosen.wave, chosen.ready, chosen.running) == (1, [5], [3])
    done = {2: "merged", 3: "merged", 4: "ejected", 5: "merged", 6: "pending"}
    assert select_next(dag, plan, done, limit=4).ready == [6]
    assert select_next(dag, plan, dict.fromkeys(done, "pending"), limit=2).ready == [2, 3]


def test_a_story_whose_upstream_was_ejected_waits_rather_than_starts() -> None:
    dag = dag_of({2: (), 3: (2,)})
    chosen = select_next(dag, plan_waves(dag), {2: "ejected", 3: "pending"}, limit=4)
    assert (chosen.wave, chosen.ready, chosen.waiting) == (2, [], [3])


def test_a_story_closed_by_hand_is_skipped_and_lets_its_dependents_start() -> None:
    dag = dag_of({2: (), 3: (), 4: (2,)})
    plan = plan_waves(dag)
    chosen = select_next(dag, plan, {2: "closed", 3: "pending", 4: "pending"}, limit=4)
    assert (chosen.wave, chosen.ready) == (1, [3])
    chosen = select_next(dag, plan, {2: "closed", 3: "merged", 4: "pending"}, limit=4)
    assert (chosen.wave, chosen.ready) == (2, [4])
    assert select_next(dag, plan, {2: "closed", 3: "merged", 4: "closed"}, 4).wave is None


def test_nothing_next_when_everything_is_done_or_blocked() -> None:
    dag = dag_of({2: (), 3: (2,)})
    assert select_next(dag, plan_waves(dag), {2: "ejected", 3: "blocked"}, 4).wave is None


# ---- properties ---------------------------------------------------------------------


@given(random_dags(max_size=40))
def test_every_story_in_exactly_one_wave_after_all_its_dependencies(dag: Dag) -> None:
    plan = plan_waves(dag)
    placed = [n for members in plan.waves for n in members]
    assert sorted(placed) == sorted(dag.stories)
    for number, story in dag.stories.items():
        for dep in story.deps:
            assert plan.stories[dep].wave < plan.stories[number].wave


@given(random_dags(max_size=40))
def test_no_two_stories_in_a_wave_declare_the_same_file(dag: Dag) -> None:
    for members in plan_waves(dag).waves:
        seen: set[str] = set()
        for number in members:
            assert seen.isdisjoint(dag.stories[number].files)
            seen.update(dag.stories[number].files)


@given(random_dags(max_size=40))
def test_layers_are_exactly_the_toposort_packages_layers(dag: Dag) -> None:
    _, layer = topological_order(dag)
    reference = list(toposort.toposort({n: set(s.deps) for n, s in dag.stories.items()}))
    assert [{n for n in dag.stories if layer[n] == i} for i in range(len(reference))] == reference


@given(random_dags(max_size=40))
def test_waves_are_critical_path_first_and_counts_match_the_closure(dag: Dag) -> None:
    plan = plan_waves(dag)
    for members in plan.waves:
        paths = [plan.stories[n].critical_path for n in members]
        assert paths == sorted(paths, reverse=True)
    counts = downstream_counts(dag)
    assert all(counts[n] == len(closure(dag, n)) for n in dag.stories)
