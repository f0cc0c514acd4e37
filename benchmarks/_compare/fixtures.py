"""What both implementations find on GitHub before they run: the same issues, DAG markers.

Written straight into the emulator's store (not through the API), so setting up costs
neither side any counted calls.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from maverick_ext.emulator import Store
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.emulator.store import Issue, Viewer

DEMO_EPIC = 1
_DEPENDS = re.compile(r"^depends on #(\d+)\s*$", re.MULTILINE | re.IGNORECASE)
_FILE = re.compile(r"^- (\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Fixtures:
    claim_issues: list[int]  # one per repetition: claim, read, heartbeat, release
    takeover_issues: list[int]  # one per repetition: a stale holder, then takeover
    state_stories: list[int]  # one per repetition: `state set` on the demo epic
    bprop_epics: list[tuple[int, int]]  # (epic, ejected story) per repetition
    descendants: int


def prepare(store: Store, reps: int, descendants: int) -> Fixtures:
    """Issues for `reps` repetitions of every operation, and DAG markers on each epic."""
    post_dag_marker(store, DEMO_EPIC)
    stories = [child.number for child in _issue(store, DEMO_EPIC).sub_issues]
    claims = [_plain_issue(store, f"Claim target {i + 1}").number for i in range(reps)]
    takeovers = [_plain_issue(store, f"Takeover target {i + 1}").number for i in range(reps)]
    epics = [_bprop_epic(store, descendants) for _ in range(reps)]
    # Leaves first: recording a status on them disturbs the rest of the demo epic least.
    return Fixtures(claims, takeovers, stories[::-1][:reps], epics, descendants)


def race_targets(store: Store, rounds: int) -> list[int]:
    return [_plain_issue(store, f"Race target {i + 1}").number for i in range(rounds)]


def blocked(store: Store, epic: int, ejected: int) -> str:
    """How many of the epic's other stories carry `blocked-by:#<ejected>` (the fixture
    makes all but the last, unrelated one, descendants)."""
    label = f"blocked-by:#{ejected}"
    others = [c for c in _issue(store, epic).sub_issues if c.number != ejected]
    hit = [c for c in others[:-1] if any(lbl.name == label for lbl in c.labels)]
    stray = any(lbl.name == label for lbl in others[-1].labels)
    return f"{len(hit)}/{len(others) - 1} labelled" + (", unrelated labelled too" if stray else "")


def post_dag_marker(store: Store, epic: int) -> None:
    """A `maverick-dag` comment in the seeds' shape, derived from the epic's sub-issues.

    Dependencies are the stories' "depends on #N" lines plus native blocked-by links;
    files are the "- path" lines of their "Files:" list. The layout is what the seeds'
    `format_marker` writes (two-space indent, sorted keys), so both parsers read it.
    """
    stories = {}
    for child in _issue(store, epic).sub_issues:
        body = child.body or ""
        deps = {int(n) for n in _DEPENDS.findall(body)} | {b.number for b in child.blocked_by}
        stories[str(child.number)] = {
            "deps": [str(n) for n in sorted(deps)],
            "files": _FILE.findall(body.partition("Files:")[2]),
        }
    payload = {"epic": epic, "stories": stories}
    body = f"```maverick-dag\n{json.dumps(payload, indent=2, sort_keys=True)}\n```"
    store.add_comment(_issue(store, epic), _owner(store), body)


def _bprop_epic(store: Store, descendants: int) -> tuple[int, int]:
    """An epic whose story E has exactly `descendants` transitive dependants, plus one
    unrelated story that must stay unblocked.

    Shape: E fans out to three chains that cross-link every third story, so the walk
    meets both fan-out and joins.
    """
    repo = store.repo(OWNER, REPO)
    owner = _owner(store)
    epic = store.create_issue(repo, owner, f"Epic: block propagation over {descendants}")
    ejected = _story(store, epic, "Ejected story", [], "src/root.py")
    chain: list[int] = []
    for i in range(descendants):
        deps = [ejected.number] if i < 3 else [chain[i - 3]]
        if i >= 3 and i % 3 == 0:
            deps.append(chain[i - 1])
        chain.append(_story(store, epic, f"Descendant {i + 1}", deps, f"src/d{i + 1}.py").number)
    _story(store, epic, "Unrelated story", [], "src/other.py")
    table = "\n".join(f"| #{c.number} | {c.title} |" for c in epic.sub_issues)
    body = f"## Stories\n\n| Story | Title |\n| --- | --- |\n{table}\n"
    store.update_issue(epic, owner, body=body)
    post_dag_marker(store, epic.number)
    return epic.number, ejected.number


def _story(store: Store, epic: Issue, title: str, deps: list[int], path: str) -> Issue:
    lines = [f"depends on #{n}" for n in deps] + ["", "Files:", f"- {path}"]
    story = store.create_issue(epic.repo, _owner(store), title, "\n".join(lines) + "\n")
    store.add_sub_issue(epic, story)
    return story


def _plain_issue(store: Store, title: str) -> Issue:
    repo = store.repo(OWNER, REPO)
    return store.create_issue(repo, _owner(store), title, "A plain issue to claim.\n")


def _issue(store: Store, number: int) -> Issue:
    return store.issue(store.repo(OWNER, REPO), number)


def _owner(store: Store) -> Viewer:
    return store.identify(f"as:{OWNER}:OWNER")
