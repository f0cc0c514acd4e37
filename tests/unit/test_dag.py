"""Building an epic's DAG from what GitHub says about its stories."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maverick_ext.core.dag import (
    Dag,
    Story,
    StoryIssue,
    assemble,
    build_dag,
    dag_from_payload,
    declared_files,
    descendants,
    drift,
    epic_story_refs,
    follow,
    plannable,
    problems,
    story_numbers,
    text_dependencies,
)
from maverick_ext.errors import InvalidData, UsageError

SEED_DAG = {
    "epic": 123,
    "stories": {
        "140": {"deps": [], "files": ["app/src/boot.ts"]},
        "142": {"deps": ["140"], "files": ["app/src/admin/guard.ts"]},
        "143": {"deps": ["140"], "files": ["app/src/admin/panel.ts"]},
        "150": {"deps": ["142", "143"], "files": ["app/src/admin/index.ts"]},
    },
}


def test_stories_come_from_sub_issues_and_the_task_table_but_not_prose() -> None:
    body = (
        "Ship it. See also #99 for background.\n\n"
        "| Story | Title |\n| --- | --- |\n| #12 | Loader |\n| #13 | Schema |\n\n"
        "- [ ] #14 API\n- [x] #12 again\n"
    )
    assert epic_story_refs(body) == [12, 13, 14]
    assert story_numbers(1, body, [11, 12]) == [11, 12, 13, 14]


def test_the_epic_itself_is_never_one_of_its_stories() -> None:
    assert story_numbers(5, "| #5 | me |\n| #6 | child |", []) == [6]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("depends on #2", [2]),
        ("Depends on: #2, #3", [2, 3]),
        ("This is blocked by #4 and #5.", [4, 5]),
        ("depends on #2\nblocked by #3", [2, 3]),
        ("> depends on #9 (quoted from a reply)", []),
        ("```\ndepends on #9\n```", []),
        ("mentions #9 without a dependency phrase", []),
        ("depends on other/repo#9", []),
    ],
)
def test_text_dependencies(body: str, expected: list[int]) -> None:
    assert text_dependencies(body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Files:\n- app/config.py\n- `app/db.py` (schema)\n", ["app/config.py", "app/db.py"]),
        ("**Files:** `a.py`, `b/c.py`\n", ["a.py", "b/c.py"]),
        ("Files: a.py, b.py\n", ["a.py", "b.py"]),
        ("Files:\n- a.py\n\nNot a file: x.py\n", ["a.py"]),
        (
            "## Implementation plan\nEdit `src/app.ts` then `run tests`.\n## Notes\n`n.py`",
            ["src/app.ts"],
        ),
    ],
)
def test_declared_files(body: str, expected: list[str]) -> None:
    assert declared_files(body) == expected


def test_build_merges_native_and_text_dependencies() -> None:
    facts = {
        2: StoryIssue(2, "Loader", "Files:\n- app/config.py\n"),
        3: StoryIssue(3, "Schema"),
        4: StoryIssue(4, "API", "depends on #2\n", blocked_by=(3,)),
    }
    dag = build_dag(1, [2, 3, 4], facts)
    assert dag.stories[4].deps == (2, 3)
    assert dag.stories[2].files == ("app/config.py",)
    assert dag.to_payload()["stories"]["4"] == {"deps": ["2", "3"], "files": [], "title": "API"}


def test_a_story_the_epic_lists_but_github_does_not_know_is_named() -> None:
    with pytest.raises(InvalidData, match="#9"):
        build_dag(1, [2, 9], {2: StoryIssue(2)})


def test_a_dependency_outside_the_epic_is_named_not_dropped() -> None:
    with pytest.raises(InvalidData, match=r"#2 depends on #77, not a story of epic #1") as err:
        build_dag(1, [2], {2: StoryIssue(2, body="depends on #77")})
    assert err.value.exit_code == 15


def test_self_dependency_and_cycle_are_both_reported() -> None:
    facts = {
        2: StoryIssue(2, body="depends on #2"),
        3: StoryIssue(3, body="depends on #4"),
        4: StoryIssue(4, body="depends on #3"),
    }
    with pytest.raises(InvalidData) as err:
        build_dag(1, [2, 3, 4], facts)
    assert "#2 depends on itself" in err.value.message
    assert "dependency cycle among #3, #4" in err.value.message


def test_a_missing_story_does_not_hide_the_other_offenders() -> None:
    facts = {
        2: StoryIssue(2, body="depends on #2"),
        3: StoryIssue(3, body="depends on #4"),
        4: StoryIssue(4, body="depends on #3"),
    }
    with pytest.raises(InvalidData) as err:
        build_dag(1, [2, 3, 4, 9], facts)
    for offender in ("lists #9", "#2 depends on itself", "dependency cycle among #3, #4"):
        assert offender in err.value.message


def test_an_invalid_dag_stays_plannable_without_its_offending_edges() -> None:
    facts = {
        2: StoryIssue(2, body="depends on #77"),
        3: StoryIssue(3, body="depends on #4"),
        4: StoryIssue(4, body="depends on #3"),
        5: StoryIssue(5, body="depends on #4 and #2"),
    }
    dag, missing = assemble(1, [2, 3, 4, 5, 9], facts)
    assert [p.stories for p in missing] == [(9,)]
    assert [p.stories for p in problems(dag)] == [(2,), (3, 4)]
    kept = plannable(dag)
    assert problems(kept) == []
    assert {n: s.deps for n, s in kept.stories.items()} == {2: (), 3: (), 4: (), 5: (2, 4)}


def test_drift_names_new_stories_and_dependencies_both_ways() -> None:
    recorded = Dag(1, {2: Story(2), 3: Story(3, (2,)), 6: Story(6)})
    current = Dag(1, {2: Story(2), 3: Story(3), 4: Story(4, (3,))})
    found = drift(recorded, current)
    assert found is not None
    assert found.describe() == [
        "new stories #4",
        "stories no longer in the epic #6",
        "new dependencies #4 on #3",
        "dependencies only in the marker #3 on #2",
    ]
    assert drift(current, current) is None


def test_the_followed_dag_is_github_plus_the_markers_orderings() -> None:
    recorded = Dag(1, {2: Story(2), 3: Story(3, (2,), ("a.py",)), 6: Story(6), 7: Story(7, (6,))})
    current = Dag(1, {2: Story(2), 3: Story(3, (), ("b.py",)), 4: Story(4, (3,)), 7: Story(7)})
    followed = follow(current, recorded)
    assert sorted(followed.stories) == [2, 3, 4, 7]  # GitHub's stories only
    assert followed.stories[3].deps == (2,) and followed.stories[3].files == ("b.py", "a.py")
    assert followed.stories[4].deps == (3,) and followed.stories[7].deps == ()


def test_the_seeds_dag_marker_is_read_as_written() -> None:
    dag = dag_from_payload(SEED_DAG)
    assert dag.epic == 123
    assert dag.stories[150].deps == (142, 143)
    assert dag.to_payload() == SEED_DAG  # round trip in the seeds' exact shape


def test_malformed_payload_is_invalid_data() -> None:
    with pytest.raises(InvalidData):
        dag_from_payload({"epic": "x", "stories": {}})
    with pytest.raises(InvalidData, match="not an issue number"):
        dag_from_payload({"epic": 1, "stories": {"abc": {"deps": []}}})


def test_descendants_of_an_unknown_story_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="#5 is not a story of epic #123"):
        descendants(dag_from_payload(SEED_DAG), 5)


# ---- properties ---------------------------------------------------------------------


@st.composite
def random_dags(draw: st.DrawFn, max_size: int = 25) -> Dag:
    """Acyclic by construction: a story only depends on lower-numbered ones.

    Hypothesis draws the size and a seed; the edges come from a seeded Random. Drawing every
    edge and file through Hypothesis cost ~300 draws per DAG and made these properties the
    slowest tests of the unit tier (about 20 s each); failures still shrink in size and replay.
    """
    size = draw(st.integers(1, max_size))
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    stories = {}
    for n in range(1, size + 1):
        deps = set(rnd.sample(range(1, n), rnd.randint(0, min(4, n - 1)))) if n > 1 else set()
        files = set(rnd.sample(["a.py", "b.py", "c.py", "d.py"], rnd.randint(0, 2)))
        stories[n] = Story(n, tuple(sorted(deps)), tuple(sorted(files)))
    return Dag(0, stories)


def closure(dag: Dag, start: int) -> set[int]:
    """Reference: fixpoint of 'depends on something already reached'."""
    reached = {start}
    changed = True
    while changed:
        changed = False
        for n, story in dag.stories.items():
            if n not in reached and reached.intersection(story.deps):
                reached.add(n)
                changed = True
    return reached - {start}


@given(random_dags())
def test_descendants_equal_the_transitive_closure(dag: Dag) -> None:
    for number in dag.stories:
        assert set(descendants(dag, number)) == closure(dag, number)


@given(random_dags(), st.data())
def test_any_back_edge_is_reported_as_a_cycle_with_its_members(
    dag: Dag, data: st.DataObject
) -> None:
    lower = data.draw(st.sampled_from(sorted(dag.stories)))
    reachers = sorted(closure(dag, lower))
    if not reachers:
        return
    upper = data.draw(st.sampled_from(reachers))
    # lower now depends on upper, which (transitively) depends on lower: a cycle
    stories = dict(dag.stories)
    stories[lower] = Story(lower, tuple(sorted({*stories[lower].deps, upper})))
    with pytest.raises(InvalidData) as err:
        dag_from_payload(Dag(0, stories).to_payload())
    assert "dependency cycle among" in err.value.message
    assert f"#{lower}" in err.value.message and f"#{upper}" in err.value.message
