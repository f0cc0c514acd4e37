"""An epic's story DAG, built from plain story facts and validated.

Where stories and edges come from (all read from GitHub by ``services.epics``):

* stories: the epic's native sub-issues, plus ``#N`` references in its task table rows
  (``| #12 | ... |``) and task-list items (``- [ ] #12``);
* dependencies: native "blocked by" links, plus ``depends on #N`` / ``blocked by #N`` in a
  story's body (``Depends on: #2, #3`` and ``depends on #2 and #3`` work too);
* files: the ``Files:`` list of a story (inline or bullets), plus backticked paths inside a
  plan/implementation section.

A cycle, a self-dependency, or a dependency on an issue that is not a story of the epic is
``InvalidData`` naming every offender — never silently dropped. The wire form is the seeds'
``maverick-dag`` payload: ``{"epic": N, "stories": {"140": {"deps": ["139"], "files": []}}}``
(story ids and deps as strings; we add ``title``).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from maverick_ext.core.refs import issue_number
from maverick_ext.errors import InvalidData, UsageError
from maverick_ext.records import dataclass

if TYPE_CHECKING:
    from maverick_ext.core.payloads import Payload

FIX_HINT = "fix the 'depends on' lines or blocked-by links, then rerun `gh maverick dag build`"

_ISSUE_REF = re.compile(r"(?<![\w/])#(\d+)\b")
_TASK_ROW = re.compile(r"^\s*(?:\||[-*+]\s+\[[ xX]\]|\d+[.)]\s+\[[ xX]\])")
_DEPENDENCY = re.compile(
    r"\b(?:depends\s+on|blocked\s+by)\b\s*:?\s*(?P<refs>#\d+(?:\s*(?:,|;|&|\band\b)?\s*#\d+)*)",
    re.IGNORECASE,
)
_FENCE = re.compile(r"^\s*(```|~~~)")
_FILES_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?files(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*(?P<inline>.*)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<item>.+)$")
_HEADING = re.compile(r"^\s*(?P<level>#{1,6})\s+(?P<title>.*)$")
_PLAN_TITLE = re.compile(r"\b(plan|implementation)\b", re.IGNORECASE)
_BACKTICKED = re.compile(r"`([^`\s]+)`")
_PATH_LIKE = re.compile(r"^[\w.@-]+(?:/[\w.@-]+)*\.[A-Za-z0-9]+$|^[\w.@-]+(?:/[\w.@-]+)+/?$")


@dataclass(frozen=True)
class StoryIssue:
    """One story issue as GitHub gives it (title, body, blocked-by links): what its
    dependencies are read from. Not ``epic_state.StoryFacts``, which decide its status."""

    number: int
    title: str = ""
    body: str = ""
    blocked_by: tuple[int, ...] = ()


@dataclass(frozen=True)
class Story:
    number: int
    deps: tuple[int, ...] = ()
    files: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class Dag:
    epic: int
    stories: Mapping[int, Story]

    def dependents(self) -> dict[int, list[int]]:
        """Story -> the stories that depend on it directly (sorted)."""
        children: dict[int, list[int]] = {n: [] for n in self.stories}
        for number in sorted(self.stories):
            for dep in self.stories[number].deps:
                children[dep].append(number)
        return children

    def require(self, number: int) -> Story:
        if number not in self.stories:
            raise UsageError(
                f"#{number} is not a story of epic #{self.epic}",
                "see `gh maverick dag show` for the epic's stories",
            )
        return self.stories[number]

    def to_payload(self) -> dict[str, Any]:
        return {
            "epic": self.epic,
            "stories": {
                str(n): {
                    "deps": [str(d) for d in s.deps],
                    "files": list(s.files),
                    **({"title": s.title} if s.title else {}),
                }
                for n, s in sorted(self.stories.items())
            },
        }


# ---- reading GitHub prose --------------------------------------------------------------


def _prose_lines(body: str) -> Iterator[str]:
    """Lines outside fenced code blocks: an example in a code block is not a dependency."""
    fenced = False
    for line in (body or "").replace("\r\n", "\n").split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield line


def epic_story_refs(body: str) -> list[int]:
    """``#N`` references in the epic's task table rows and task-list items, in order."""
    found: list[int] = []
    for line in _prose_lines(body):
        if _TASK_ROW.match(line):
            found.extend(int(n) for n in _ISSUE_REF.findall(line))
    return _unique(found)


def text_dependencies(body: str) -> list[int]:
    """Issues named by ``depends on #N`` / ``blocked by #N`` phrases in a story body."""
    found: list[int] = []
    for line in _prose_lines(body):
        if line.lstrip().startswith(">"):
            continue  # quoting someone else's text does not declare a dependency
        for match in _DEPENDENCY.finditer(line):
            found.extend(int(n) for n in _ISSUE_REF.findall(match["refs"]))
    return _unique(found)


def declared_files(body: str) -> list[str]:
    """Paths from a ``Files:`` list (inline or bullets) and backticked paths in a plan section."""
    files: list[str] = []
    in_files_list = False
    plan_level: int | None = None
    for line in _prose_lines(body):
        heading = _HEADING.match(line)
        if heading and (plan_level is None or len(heading["level"]) <= plan_level):
            plan_level = len(heading["level"]) if _PLAN_TITLE.search(heading["title"]) else None
        files_line = _FILES_HEADING.match(line)
        if files_line:
            in_files_list = True
            files.extend(_path_items(files_line["inline"], split=True))
            continue
        bullet = _BULLET.match(line)
        if in_files_list and bullet:
            files.extend(_path_items(bullet["item"], split=False))
            continue
        if line.strip() or not in_files_list:
            in_files_list = False
        if plan_level is not None:
            files.extend(p for p in _BACKTICKED.findall(line) if _PATH_LIKE.match(p))
    return _unique(files)


def _path_items(text: str, *, split: bool) -> list[str]:
    """A bullet holds one path (maybe backticked, maybe followed by prose)."""
    text = text.strip()
    if not text:
        return []
    quoted = _BACKTICKED.findall(text)
    if quoted:
        return quoted if split else quoted[:1]
    if split:
        return [p for p in re.split(r"[,\s]+", text) if p]
    return [text.split()[0].rstrip(",;:")]


def _unique(items: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


# ---- building and validating -----------------------------------------------------------


def story_numbers(epic: int, epic_body: str, sub_issues: Iterable[int]) -> list[int]:
    """The epic's stories: native sub-issues first, then task-table references."""
    return [n for n in _unique([*sub_issues, *epic_story_refs(epic_body)]) if n != epic]


@dataclass(frozen=True)
class Problem:
    """One reason a DAG is invalid, and the stories it is about (to mark them)."""

    stories: tuple[int, ...]
    message: str


def assemble(
    epic: int, numbers: Iterable[int], facts: Mapping[int, StoryIssue]
) -> tuple[Dag, list[Problem]]:
    """The DAG of ``numbers`` (unvalidated) and the stories it had to leave out: ``facts``
    lacks the stories GitHub does not know. ``problems(dag)`` finds the rest."""
    numbers = list(numbers)
    unknown = [n for n in numbers if n not in facts]
    found: list[Problem] = []
    if unknown:
        found.append(
            Problem(
                tuple(unknown),
                f"epic #{epic} lists {_refs(unknown)}, which "
                f"{'does' if len(unknown) == 1 else 'do'} not exist (or are pull requests)",
            )
        )
    stories = {}
    for n in numbers:
        if n in facts:
            story = facts[n]
            deps = sorted({*story.blocked_by, *text_dependencies(story.body)})
            stories[n] = Story(n, tuple(deps), tuple(declared_files(story.body)), story.title)
    return Dag(epic, stories), found


def build_dag(epic: int, numbers: Iterable[int], facts: Mapping[int, StoryIssue]) -> Dag:
    """The validated DAG of ``numbers``; InvalidData naming every offender at once."""
    dag, missing = assemble(epic, numbers, facts)
    raise_for(dag.epic, missing + problems(dag))
    return dag


def problems(dag: Dag) -> list[Problem]:
    """Every self-dependency, dependency outside the epic, and cycle."""
    found: list[Problem] = []
    for number, story in sorted(dag.stories.items()):
        if number in story.deps:
            found.append(Problem((number,), f"#{number} depends on itself"))
        unknown = [d for d in story.deps if d not in dag.stories]
        if unknown:
            found.append(
                Problem(
                    (number,),
                    f"#{number} depends on {_refs(unknown)}, not a story of epic #{dag.epic}",
                )
            )
    found += [
        Problem(tuple(members), f"dependency cycle among {_refs(members)}")
        for members in cycles(dag)
    ]
    return found


def raise_for(epic: int, found: list[Problem]) -> None:
    if found:
        messages = [p.message for p in found]
        shown = messages[:10] + ([f"... and {len(messages) - 10} more"] if messages[10:] else [])
        raise InvalidData(f"invalid DAG for epic #{epic}: {'; '.join(shown)}", FIX_HINT)


def validate(dag: Dag) -> None:
    """Raise InvalidData naming every self-dependency, unknown dependency and cycle."""
    raise_for(dag.epic, problems(dag))


def plannable(dag: Dag) -> Dag:
    """``dag`` without the edges that make it invalid, so an invalid epic can still be shown:
    dependencies on itself or outside the epic, and edges inside a cycle, are dropped."""
    in_cycle = {n: i for i, members in enumerate(cycles(dag)) for n in members}

    def kept(number: int, dep: int) -> bool:
        same_cycle = number in in_cycle and in_cycle.get(dep) == in_cycle[number]
        return dep != number and dep in dag.stories and not same_cycle

    return Dag(
        dag.epic,
        {
            n: Story(n, tuple(d for d in s.deps if kept(n, d)), s.files, s.title)
            for n, s in dag.stories.items()
        },
    )


# ---- drift: the recorded marker against what GitHub says now ----------------------------


@dataclass(frozen=True)
class Drift:
    """How the recorded ``maverick-dag`` differs from the DAG GitHub implies."""

    new_stories: tuple[int, ...]  # on GitHub, not recorded
    gone_stories: tuple[int, ...]  # recorded, no longer listed by the epic
    new_deps: tuple[tuple[int, int], ...]  # (story, dep) on GitHub, not recorded
    recorded_only_deps: tuple[tuple[int, int], ...]  # (story, dep) only in the marker

    def describe(self) -> list[str]:
        parts = []
        if self.new_stories:
            parts.append(f"new stories {_refs(self.new_stories)}")
        if self.gone_stories:
            parts.append(f"stories no longer in the epic {_refs(self.gone_stories)}")
        if self.new_deps:
            parts.append("new dependencies " + _edges(self.new_deps))
        if self.recorded_only_deps:
            parts.append("dependencies only in the marker " + _edges(self.recorded_only_deps))
        return parts


def drift(recorded: Dag, current: Dag) -> Drift | None:
    """None when the marker says what GitHub says (stories and dependencies)."""

    def edges(dag: Dag) -> set[tuple[int, int]]:
        return {(n, d) for n, s in dag.stories.items() for d in s.deps}

    found = Drift(
        tuple(sorted(set(current.stories) - set(recorded.stories))),
        tuple(sorted(set(recorded.stories) - set(current.stories))),
        tuple(sorted(edges(current) - edges(recorded))),
        tuple(
            sorted(
                (n, d)
                for n, d in edges(recorded) - edges(current)
                if n in current.stories and d in current.stories
            )
        ),
    )
    return found if found.describe() else None


def follow(current: Dag, recorded: Dag) -> Dag:
    """The DAG to act on: GitHub's stories and dependencies, plus the dependencies recorded
    between those stories in the marker (a planner's judgement, such as a shared data
    model, that GitHub's text does not carry). Never drops an ordering either side asks for."""
    stories = {}
    for n, story in current.stories.items():
        old = recorded.stories.get(n)
        extra = [d for d in (old.deps if old else ()) if d in current.stories]
        files = _unique([*story.files, *(old.files if old else ())])
        stories[n] = Story(n, tuple(sorted({*story.deps, *extra})), tuple(files), story.title)
    return Dag(current.epic, stories)


def _edges(edges: Iterable[tuple[int, int]]) -> str:
    return ", ".join(f"#{n} on #{d}" for n, d in edges)


def cycles(dag: Dag) -> list[list[int]]:
    """The members of every dependency cycle (strongly connected components of size > 1).

    Iterative Tarjan: a 100k-story chain must not hit Python's recursion limit.
    """
    graph = {n: [d for d in s.deps if d in dag.stories and d != n] for n, s in dag.stories.items()}
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    found: list[list[int]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, edge = work.pop()
            if edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if edge < len(graph[node]):
                work.append((node, edge + 1))
                nxt = graph[node][edge]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1:
                    found.append(sorted(members))
    return sorted(found)


def dag_from_payload(
    payload: Mapping[str, Any], epic: int | None = None, *, check: bool = True
) -> Dag:
    """A DAG from a raw ``maverick-dag`` payload (an agent's file, a seed fixture): the
    payload's check first, then ``dag_from_checked``."""
    from maverick_ext.core.payloads import validate as validate_payload

    typed = validate_payload("dag", dict(payload))
    if isinstance(typed, str):
        raise InvalidData(f"malformed maverick-dag payload: {typed}")
    return dag_from_checked(typed, epic, check=check)


def dag_from_checked(typed: Payload, epic: int | None = None, *, check: bool = True) -> Dag:
    """A DAG from a payload that passed the ``dag`` check (a trusted marker's ``typed``),
    its graph validated unless ``check`` is False (comparing a marker with GitHub needs no
    valid graph)."""
    stories: dict[int, Story] = {}
    for key, node in typed.stories.items():
        number = _as_number(key)
        title = node.extra.get("title")
        title = title if isinstance(title, str) else ""
        stories[number] = Story(
            number, tuple(sorted({_as_number(d) for d in node.deps})), tuple(node.files), title
        )
    dag = Dag(epic if epic is not None else typed.epic, stories)
    if check:
        validate(dag)
    return dag


def _as_number(text: str) -> int:
    number = issue_number(text)
    if number is None:
        raise InvalidData(f"malformed maverick-dag payload: {text!r} is not an issue number")
    return number


def descendants(dag: Dag, number: int) -> list[int]:
    """Every story that depends on ``number`` directly or transitively (sorted)."""
    dag.require(number)
    children = dag.dependents()
    seen: set[int] = set()
    queue = deque(children[number])
    while queue:
        current = queue.popleft()
        if current not in seen:
            seen.add(current)
            queue.extend(children[current])
    return sorted(seen)


def _refs(numbers: Iterable[int]) -> str:
    return ", ".join(f"#{n}" for n in numbers)
