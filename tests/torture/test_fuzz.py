"""Fuzzed comment bodies and claim commits: 1,000 hypothesis-generated bodies on ten issues,
from trusted and untrusted authors, and on each issue a claim ref whose commits carry
fuzzed messages; every reader still answers with a documented exit code.

Bodies: random unicode text, fence soup, truncated and oversized JSON, quoted markers, and
well-formed fences of every marker kind whose known fields hold values of the wrong type
(far-off dates, huge or negative numbers, NaN, unicode digits, nested junk). Some claim with
our own instance id, so heartbeat and release meet malformed records they would own.

They go straight into the emulator's store (fast), 100 per issue on the demo epic (#1), its
stories (#2-#7), the standalone bug (#8) and two fresh issues — in two independent halves
of five issues and 500 bodies (two hypothesis seeds), so two workers share the cost — and
the commands run in this process (tests/inprocess.py), a few dozen CLI runs per half: `read` and `heartbeat` per issue, `claim` and `release` over all ten,
and `dag build`, `state show`, `epic status`, `bprop resume` on the epic — those again once
the fuzzed journals are a minute old, which makes epic commands act on them.

Claim commits (ref mode, docs/claims.md): each issue's `refs/maverick/claims/<issue>` points
at a chain of up to three commits whose messages are random text, a record fence holding
broken or non-object JSON, or a well-formed record (ours or another instance's) with up to
three fields replaced by junk: what a hostile writer with push access could leave.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from maverick_ext.emulator import Emulator, gitdb
from maverick_ext.emulator.seeds import AGENT_APP, OWNER, REPO
from maverick_ext.emulator.store import BODY_MAX
from tests.commands.conftest import CliResult, FakeClock, InProcessEmulator
from tests.inprocess import Instances
from tests.torture.oracle import new_story, story

pytestmark = pytest.mark.torture

BODIES, PER_ISSUE = 1000, 100
RECORDS_PER_REF = 3  # commits per fuzzed claim ref, at most
DOCUMENTED = {0, 2, 10, 11, 12, 13, 14, 15}
ME = "agent-a"
AUTHORS = (
    f"bot:{AGENT_APP}:NONE",  # the account the CLI runs as (a Bot; AGENT_TOKEN)
    "as:maverick-sandbox:OWNER",
    "as:teammate:MEMBER",
    "as:helper:COLLABORATOR",
    "as:fan:CONTRIBUTOR",
    "as:stranger:NONE",
)
NOW, LATER = "2026-01-01T00:00:00Z", "2026-01-01T00:10:00Z"
# A realistic payload per kind: the fuzz corrupts a few of its fields, so most markers pass
# the first checks and reach the code that computes with their values.
VALID = {
    "claim": {
        "instance_id": ME,
        "host": "vm",
        "scope": ["3"],
        "claimed_at": NOW,
        "nonce": "0f0f",
        "state": "active",
        "ttl_s": 600,
    },
    "lease": {"instance_id": ME, "heartbeat_at": NOW, "expires_at": LATER},
    "dag": {  # the demo epic's real DAG
        "epic": 1,
        "stories": {
            "2": {"deps": [], "files": ["app/config.py"]},
            "3": {"deps": [], "files": ["app/db.py"]},
            "4": {"deps": ["2", "3"], "files": ["app/api.py"]},
            "5": {"deps": ["2"], "files": ["app/cli.py"]},
            "6": {"deps": ["4"], "files": ["app/admin.py"]},
            "7": {"deps": ["5", "6"], "files": ["docs/index.md"]},
        },
    },
    "state": {"epic": 1, "stories": {"2": "merged", "3": "pending"}, "updated_at": NOW},
    "bprop": {
        "epic": 1,
        "ejected": 3,
        "descendants": [4, 6, 7],
        "labelled": [4],
        "commented": [],
        "started_at": NOW,
        "updated_at": NOW,
    },
    "task-progress": {"epic": 1, "story": 2, "tasks": ["a", "b"], "done": ["a"], "updated_at": NOW},
}
EXTRA_FIELDS = ("supersedes", "takeover_of", "released_at", "reason", "deps", "files", "epic")
KINDS = tuple(VALID)

nasty = st.sampled_from(
    [
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-45T99:99:99Z", "yesterday",
        "", " ", "٣", "³", "-1", "1e309", 10**30, -(10**30), 2**63, -1, 0, 1e308, math.nan,
        math.inf, True, None, [], {}, ["2", 2, None], {"2": None}, ME, "agent-b", "#2",
        "released", "active", "superseded", "\u202e\u0000", "🙂" * 50,
    ]
)  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | nasty,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


@st.composite
def typed_marker(draw: st.DrawFn) -> str:
    """A fence of a known kind: a valid payload with a few fields holding whatever came up."""
    kind = draw(st.sampled_from(KINDS))
    payload = dict(VALID[kind])
    fields = st.sampled_from([*VALID[kind], *EXTRA_FIELDS])
    for key in draw(st.lists(fields, max_size=3)):
        payload[key] = draw(nasty | json_values)
    if kind in ("claim", "lease"):
        payload["instance_id"] = draw(st.sampled_from([ME, "agent-b", 7, None]))
    text = json.dumps(payload, allow_nan=True, ensure_ascii=draw(st.booleans()))
    return f"{draw(st.text(max_size=30))}\n```maverick-{kind}\n{text}\n```\n"


@st.composite
def truncated(draw: st.DrawFn) -> str:
    """Valid marker JSON cut anywhere, with or without its closing fence."""
    whole = draw(typed_marker())
    return whole[: draw(st.integers(0, len(whole)))]


@st.composite
def oversized(draw: st.DrawFn) -> str:
    """Up to GitHub's 65,536 characters (it refuses longer comments), or nested far past the
    recursion limit."""
    kind = draw(st.sampled_from(KINDS))
    if draw(st.booleans()):
        filler = "x" * draw(st.integers(60_000, BODY_MAX))
        inner = json.dumps({"instance_id": ME, "state": "active", "junk": filler})
    else:
        depth = draw(st.integers(500, 32_000))
        inner = '{"stories": ' + "[" * depth + "]" * depth * draw(st.sampled_from([0, 1])) + "}"
    return f"```maverick-{kind}\n{inner}\n```"[:BODY_MAX]


@st.composite
def quoted(draw: st.DrawFn) -> str:
    """A reply quoting a real-looking marker (`> ` before every line)."""
    return "\n".join("> " + line for line in draw(typed_marker()).splitlines())


fence_soup = st.lists(
    st.sampled_from(
        ["```", "````", "~~~", "```maverick-claim", "```maverick-lease", "~~~maverick-dag",
         "   ```maverick-bprop", "    ```maverick-state", "```maverick-", "```maverick-Claim",
         "```maverick-task-progress", "> ```maverick-claim", ">> ~~~maverick-lease", "{", "}",
         "[", '{"state": "active"}', '{"instance_id": "agent-a", "ttl_s": 600}', "\r", ""]
    )
    | st.text(max_size=20),
    max_size=20,
).map("\n".join)  # fmt: skip

bodies = st.one_of(
    st.text(min_size=1, max_size=300),
    fence_soup,
    typed_marker(),
    truncated(),
    oversized(),
    quoted(),
    st.lists(typed_marker() | quoted() | truncated(), min_size=2, max_size=4).map("\n".join),
).filter(str.strip)  # GitHub refuses an empty comment


RECORD = {  # a claim commit's record as the product writes it (docs/claims.md)
    "v": 1,
    "issue": 2,
    "instance_id": ME,
    "login": "maverick-sandbox",
    "nonce": "0f0f",
    "epoch": 1,
    "ttl_s": 600,
    "host": "vm",
    "scope": [],
}


@st.composite
def record_message(draw: st.DrawFn) -> str:
    """A claim commit's message: a record with junk fields, broken JSON, or no record."""
    payload = dict(RECORD)
    fields = st.sampled_from([*RECORD, "comment_id", "supersedes"])
    for key in draw(st.lists(fields, max_size=3)):
        payload[key] = draw(nasty | json_values)
    payload["instance_id"] = draw(st.sampled_from([ME, "agent-b", 7, None, ""]))
    text = json.dumps(payload, allow_nan=True, ensure_ascii=draw(st.booleans()))
    inner = draw(
        st.sampled_from([text, text[: len(text) // 2], "[1, 2]", '"record"', "", "{" * 5000])
    )
    headline = draw(st.text(max_size=30))
    return draw(
        st.sampled_from(
            [
                f"{headline}\n\n```maverick-claim-record\n{inner}\n```\n",
                f"```maverick-claim-record\n{inner}",  # no closing fence
                f"{headline}\n\n```maverick-claim\n{inner}\n```\n",  # the comment's fence
                headline or "x",
            ]
        )
    )


def generate(
    count: int, strategy: st.SearchStrategy = bodies, run: int = 0
) -> list[tuple[str, str]]:
    """``count`` (author token, text) pairs, reproducibly (hypothesis as a generator seeded
    with ``run``: different runs, different pairs)."""
    found: list[tuple[str, str]] = []

    @seed(run)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # nothing fails in here: no replay, no shrinking
        suppress_health_check=list(HealthCheck),
    )
    @given(author=st.sampled_from(AUTHORS), body=strategy)
    def collect(author: str, body: str) -> None:
        found.append((author, body))

    collect()
    assert len(found) == count
    return found


def check(result: CliResult, what: str) -> None:
    assert "Traceback" not in result.stderr, f"{what}:\n{result.stderr}"
    assert "unexpected error" not in result.stderr, f"{what}:\n{result.stderr}"
    assert result.exit_code in DOCUMENTED, f"{what}: exit {result.exit_code}\n{result.stderr}"


@pytest.fixture
def gh_maverick(github: Emulator, instances: Callable[..., Instances]) -> Callable[..., CliResult]:
    """`gh maverick ARGS` as an in-process instance on a fake clock (tests/inprocess.py):
    junk reaches the same parsers whether gh or a function call delivers it."""
    return instances(github, clock=FakeClock(InProcessEmulator(github))).run


def plant_claim_refs(emulator: Emulator, numbers: list[int], run: int = 0) -> None:
    """Point each issue's claim ref at a chain of fuzzed claim commits, made through the git
    database API's own code (so they are real commits on the empty tree)."""
    store = emulator.store
    repo = store.repo(OWNER, REPO)
    messages = iter(generate(len(numbers) * RECORDS_PER_REF, record_message(), run))
    for index, number in enumerate(numbers):
        parents: list[str] = []
        for _ in range(index % RECORDS_PER_REF + 1):
            author, message = next(messages)
            commit = gitdb.create_commit(
                store, repo, store.identify(author + ":write"), message, gitdb.EMPTY_TREE, parents
            )
            parents = [commit.sha]
        repo.refs[f"refs/maverick/claims/{number}"] = parents[0]


# The ten issues in two independent halves (generating the bodies is most of the cost, so
# two workers share it); the epic's commands run in both, over half of its stories each.
HALVES = {"epic-and-2-5": (1, 2, 3, 4, 5), "6-8-and-fresh": (6, 7, 8)}


@pytest.mark.parametrize("half", HALVES, ids=HALVES)
def test_fuzzed_comments_and_claim_commits_never_crash_a_reader(
    github: Emulator, gh_maverick, half: str
) -> None:
    emulator = github
    issues = [story(emulator, n) for n in HALVES[half]]
    issues += [new_story(emulator, f"Fuzz target {n}") for n in range(5 - len(issues))]
    run_seed = list(HALVES).index(half)
    pairs = generate(BODIES // 2, run=run_seed)
    store = emulator.store
    for index, (author, body) in enumerate(pairs):
        store.add_comment(issues[index // PER_ISSUE], store.identify(author), body)
    plant_claim_refs(emulator, [issue.number for issue in issues], run_seed)
    numbers = [str(issue.number) for issue in issues]

    def run(*args: str) -> CliResult:
        result = gh_maverick(*args, instance=ME)
        check(result, " ".join(args))
        return result

    for number in numbers:
        shown = run("read", number, "--json")
        # Reading never fails on junk: malformed markers are skipped with a warning.
        assert shown.exit_code == 0, f"read {number}: {shown.stderr}"
        assert json.loads(shown.stdout)["issue"] == int(number)
    run("claim", *numbers, "--json")
    for number in numbers:
        run("heartbeat", number)
    run("release", *numbers, "--reason", "abort")
    epic = ("dag build 1 --json", "state show 1 --json", "epic status 1 --json", "bprop resume 1")
    for line in epic:
        run(*line.split())
    emulator.advance_clock(61)  # fuzzed bprop journals now look abandoned: epic commands act
    for line in epic:
        run(*line.split())


OVERFLOWS = {
    "member claim with ttl_s 10**30": {
        "claim": {"instance_id": "agent-b", "state": "active", "ttl_s": 10**30}
    },
    "seed lease from year 1 to 9999": {
        "claim": {"instance_id": "agent-b", "claimed_at": NOW},
        "lease": {
            "instance_id": "agent-b",
            "heartbeat_at": "0001-01-01T00:00:00Z",
            "expires_at": "9999-12-31T23:59:59Z",
        },
    },
}


@pytest.mark.parametrize("fences", OVERFLOWS.values(), ids=OVERFLOWS.keys())
def test_a_lease_beyond_the_calendar_is_capped_not_fatal(github, gh_maverick, fences) -> None:
    """A trusted marker may claim a lease of millennia; it gets a day at most, and every
    reader of the issue (and of its epic) keeps working."""
    store = github.store
    body = "\n\n".join(f"```maverick-{kind}\n{json.dumps(p)}\n```" for kind, p in fences.items())
    store.add_comment(story(github, 3), store.identify("as:teammate:MEMBER"), body)
    shown = gh_maverick("read", "3", "--json")
    assert shown.exit_code == 0, shown.stderr
    holder = json.loads(shown.stdout)["holder"]
    assert holder is None or holder["seconds_left"] <= 24 * 3600
    for command in (("state", "show", "1"), ("epic", "status", "1")):
        assert gh_maverick(*command).exit_code == 0
