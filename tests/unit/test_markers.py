"""The marker codec: what we write can be read back, and no comment body can crash a reader."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maverick_ext.core.markers import KINDS, MAX_COMMENT_CHARS, parse_body, render_comment
from maverick_ext.core.payloads import validate
from maverick_ext.errors import InvalidData

# Payload examples as the seed documents and the seeds' implementation write them.
SEED_DAG = {
    "epic": 123,
    "stories": {
        "140": {"deps": [], "files": ["app/src/boot.ts"]},
        "142": {"deps": ["140"], "files": ["app/src/admin/guard.ts"]},
    },
}
SEED_STATE = {
    "epic": 123,
    "stories": {"140": "merged", "142": "in_flight", "143": "ejected", "150": "blocked"},
    "updated_at": "2026-04-23T10:15:00Z",
}
SEED_CLAIM = {
    "instance_id": "abc123def0",
    "host": "ws-1",
    "scope": ["140"],
    "claimed_at": "2026-04-23T10:00:00Z",
}
SEED_LEASE = {
    "instance_id": "abc123def0",
    "heartbeat_at": "2026-04-23T10:00:00Z",
    "expires_at": "2026-04-23T10:10:00Z",
}
SEED_RELEASE = {
    "instance_id": "abc123def0",
    "released_at": "2026-04-23T10:20:00Z",
    "reason": "merged",
}
SEED_TASK_PROGRESS = {
    "phase": "implement",
    "instance_id": "abc123def0",
    "updated_at": "2026-07-02T10:20:00Z",
    "branch": "feat/42-add-export",
    "comments": {"design": 123},
}
SEED_BPROP = {
    "epic": 123,
    "ejected": 142,
    "descendants": [150, 151],
    "labelled": [150],
    "started_at": "2026-04-23T10:15:00Z",
    "updated_at": "2026-04-23T10:16:00Z",
}


def seed_comment(kind: str, payload: dict, preamble: str) -> str:
    """Byte-for-byte the layout of the seeds' writer: preamble, blank line, indented JSON."""
    return f"{preamble}\n\n```maverick-{kind}\n{json.dumps(payload, indent=2, sort_keys=True)}\n```"


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("dag", SEED_DAG),
        ("state", SEED_STATE),
        ("claim", SEED_CLAIM),
        ("lease", SEED_LEASE),
        ("lease", SEED_RELEASE),
        ("task-progress", SEED_TASK_PROGRESS),
        ("bprop", SEED_BPROP),
    ],
)
def test_seed_payloads_parse_and_validate(kind, payload):
    parsed = parse_body(seed_comment(kind, payload, f"<!-- maverick {kind} -->"), comment_id=5)
    assert [m.kind for m in parsed.markers] == [kind]
    assert parsed.markers[0].payload == payload
    assert not isinstance(validate(kind, payload), str)


def test_one_comment_can_carry_claim_and_lease_and_both_are_read():
    body = render_comment([("claim", SEED_CLAIM), ("lease", SEED_LEASE)], preamble="Claimed.")
    parsed = parse_body(body)
    assert [(m.kind, m.payload) for m in parsed.markers] == [
        ("claim", SEED_CLAIM),
        ("lease", SEED_LEASE),
    ]
    assert body.startswith("Claimed.\n\n```maverick-claim\n")


def test_a_malformed_marker_is_skipped_with_a_warning_and_does_not_hide_valid_ones():
    body = "```maverick-claim\n{not json\n```\n\ntext\n\n" + render_comment([("lease", SEED_LEASE)])
    parsed = parse_body(body, comment_id=9)
    assert [m.kind for m in parsed.markers] == ["lease"]
    assert "invalid JSON" in str(parsed.warnings[0]) and "comment 9" in str(parsed.warnings[0])


def test_a_marker_quoted_in_a_reply_is_not_honoured():
    quoted = "\n".join(f"> {line}" for line in render_comment([("claim", SEED_CLAIM)]).split("\n"))
    parsed = parse_body(f"I disagree with this:\n{quoted}")
    assert parsed.markers == []
    assert parsed.warnings[0].reason == "quoted in a reply"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("```maverick-claim\n[1, 2]\n```", "not a JSON object"),
        ('```maverick-dag\n{"epic": 1}\n', "never closed"),
        ("```maverick-state\n" + "[" * 5000 + "\n```", "nested too deeply"),
    ],
)
def test_unreadable_markers_become_warnings(body, reason):
    parsed = parse_body(body)
    assert parsed.markers == [] and reason in parsed.warnings[0].reason


def test_payloads_with_wrong_types_are_rejected_by_the_model_not_by_a_crash():
    assert "instance_id" in validate("claim", {"host": "x"})
    assert "epic" in validate("dag", {"epic": "not-a-number", "stories": {}})


def test_unknown_maverick_kinds_and_other_code_blocks_are_ignored_silently():
    parsed = parse_body("```python\nprint(1)\n```\n```maverick-future\n{}\n```")
    assert parsed.markers == [] and parsed.warnings == []


def test_large_payloads_fall_back_to_compact_json_and_oversized_ones_are_refused():
    stories = {str(n): {"deps": [str(n - 1)], "files": []} for n in range(1, 1200)}
    body = render_comment([("dag", {"epic": 1, "stories": stories})])
    assert len(body) <= MAX_COMMENT_CHARS
    assert parse_body(body).markers[0].payload["stories"]["1199"]["deps"] == ["1198"]
    huge = {str(n): {"deps": [], "files": ["x" * 80]} for n in range(2000)}
    with pytest.raises(InvalidData, match="too large"):
        render_comment([("dag", {"epic": 1, "stories": huge})])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(
    kind=st.sampled_from(KINDS),
    payload=st.dictionaries(st.text(max_size=10), json_values, max_size=6),
    preamble=st.text(max_size=80),
)
def test_render_then_parse_round_trips(kind, payload, preamble):
    parsed = parse_body(render_comment([(kind, payload)], preamble=preamble))
    assert parsed.markers[-1].payload == payload


@given(st.text(max_size=400))
def test_arbitrary_comment_bodies_never_raise(body):
    parse_body(body)


@given(
    st.lists(
        st.sampled_from(
            [
                "```maverick-claim",
                "```",
                "> ```maverick-lease",
                "{",
                "}",
                '{"instance_id": "a"}',
                "~~~maverick-dag",
                "~~~",
                "text",
                "",
            ]
        ),
        max_size=30,
    )
)
def test_fence_soup_never_raises_and_only_yields_objects(lines):
    for marker in parse_body("\n".join(lines)).markers:
        assert isinstance(marker.payload, dict)


def test_payload_checks_coerce_what_other_writers_send_and_keep_their_extra_fields():
    claim = validate("claim", {"instance_id": "a", "scope": [140, "141"], "ttl_s": "600", "x": 1})
    assert not isinstance(claim, str)
    assert claim.scope == ["140", "141"] and claim.ttl_s == 600 and claim.data["x"] == 1
    assert claim.host is None and claim.supersedes is None  # declared, absent: the default
    dag = validate("dag", {"epic": 1.0, "stories": {"2": {"deps": ["#3", 4], "title": "T"}}})
    assert not isinstance(dag, str)
    assert dag.epic == 1 and dag.stories["2"].deps == ["3", "4"]
    assert dag.stories["2"].files == [] and dag.stories["2"].data["title"] == "T"


@pytest.mark.parametrize(
    ("kind", "payload", "reason"),
    [
        ("claim", {"instance_id": 7}, "instance_id: expected a string, got an integer"),
        ("claim", {"instance_id": "a", "state": "gone"}, "state: expected one of active, released"),
        ("claim", {"instance_id": "a", "ttl_s": True}, "ttl_s: expected an integer"),
        (
            "dag",
            {"epic": 1, "stories": {"2": {"files": [3]}}},
            "stories.2.files.0: expected a string",
        ),
        ("state", {"epic": 1, "stories": {"2": "done"}}, "stories.2: expected one of pending"),
        ("bprop", {"descendants": []}, "ejected: field required"),
        ("lease", {"expires_at": 5}, "expires_at: expected a string"),
    ],
)
def test_payload_check_failures_name_the_field_and_what_is_wrong(kind, payload, reason):
    result = validate(kind, payload)
    assert isinstance(result, str) and result.startswith(reason)


# ---- every body we post fits GitHub's 65,536 characters --------------------------------


def test_a_body_that_fits_is_posted_unchanged() -> None:
    from maverick_ext.core.markers import fit_comment

    assert fit_comment("short\nbody", "see x") == "short\nbody"


@pytest.mark.parametrize("line", ["| #12 | merged | Story title |", "🚀" * 30, "x" * 70_000])
def test_a_long_body_is_cut_at_a_line_with_a_pointer_and_fits(line: str) -> None:
    from maverick_ext.core.markers import MAX_COMMENT_CHARS, comment_length, fit_comment

    body = "\n".join([line] * 5000)
    fitted = fit_comment(body, "the full summary: `gh maverick epic summary 1`")
    assert comment_length(fitted) <= MAX_COMMENT_CHARS
    assert fitted.rstrip().endswith("`gh maverick epic summary 1`")
    assert body.startswith(fitted.split("\n\n… truncated")[0])


def test_astral_characters_count_as_github_counts_them() -> None:
    from maverick_ext.core.markers import comment_length

    assert comment_length("🚀") == 2 and comment_length("é") == 1


def test_a_digit_that_is_not_a_decimal_digit_is_invalid_not_a_crash():
    """``"³".isdigit()`` is true, yet ``int("³")`` raises: found by tests/torture/test_fuzz.py
    (a state marker's epic of ``"³"`` made `state show` exit 1)."""
    assert isinstance(validate("state", {"epic": "³", "stories": {}}), str)
    checked = validate("state", {"epic": "٣", "stories": {}})  # Arabic-Indic 3: int() reads it
    assert not isinstance(checked, str) and checked.data["epic"] == 3
