"""Marker codec: fenced ```` ```maverick-<kind> ```` blocks with a JSON payload.

Parsing never raises. A malformed block (bad JSON, not an object, unterminated, quoted in a
reply) becomes a ``MarkerWarning`` and cannot hide the valid markers around it. Rendering
follows the seeds' layout (optional preamble, blank line, fence, indented JSON with sorted
keys, fence) so seed-format readers can read what we write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from maverick_ext.errors import InvalidData
from maverick_ext.records import dataclass, field

KINDS = ("claim", "lease", "dag", "state", "bprop", "task-progress")
# GitHub refuses comment (and issue) bodies longer than this many characters (422 "Body is
# too long"). Counted in UTF-16 code units, as a JavaScript length would: never fewer than
# Python's characters, so what fits here fits GitHub however it counts.
MAX_COMMENT_CHARS = 65536


def comment_length(body: str) -> int:
    return len(body.encode("utf-16-le")) // 2


def fit_comment(body: str, pointer: str) -> str:
    """``body`` cut to GitHub's limit at a line boundary, ending with ``pointer`` (where the
    rest can be read); unchanged when it fits. The one helper for free-text bodies we post."""
    if comment_length(body) <= MAX_COMMENT_CHARS:
        return body
    tail = f"\n\n… truncated to GitHub's {MAX_COMMENT_CHARS}-character limit; {pointer}\n"
    budget = MAX_COMMENT_CHARS - comment_length(tail)
    kept = body[:budget]
    while comment_length(kept) > budget:  # astral characters count twice
        kept = kept[: len(kept) - (comment_length(kept) - budget)]
    if "\n" in kept:
        kept = kept[: kept.rindex("\n")]
    return kept + tail


_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})maverick-(?P<kind>[a-z][a-z-]*)\s*$")
_QUOTED_OPEN = re.compile(r"^\s*>[\s>]*(`{3,}|~{3,})maverick-(?P<kind>[a-z][a-z-]*)\s*$")


@dataclass(frozen=True)
class MarkerWarning:
    kind: str
    reason: str
    comment_id: int | None = None

    def __str__(self) -> str:
        where = f" in comment {self.comment_id}" if self.comment_id is not None else ""
        return f"skipped maverick-{self.kind} marker{where}: {self.reason}"


@dataclass(frozen=True)
class Marker:
    """One decoded marker, unchecked, and the comment that carries it (when parsed from one).

    Decisions take ``core.trust.TrustedMarker`` instead: an author who counts, a checked
    payload and the comment id for certain."""

    kind: str
    payload: dict[str, Any]
    comment_id: int | None = None


@dataclass(frozen=True)
class ParsedBody:
    markers: list[Marker] = field(default_factory=list)
    warnings: list[MarkerWarning] = field(default_factory=list)


def parse_body(body: str | None, comment_id: int | None = None) -> ParsedBody:
    """Every marker in one comment body, in order, with warnings for the unreadable ones."""
    markers: list[Marker] = []
    warnings: list[MarkerWarning] = []
    lines = (body or "").replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        quoted = _QUOTED_OPEN.match(line)
        if quoted and quoted["kind"] in KINDS:
            warnings.append(MarkerWarning(quoted["kind"], "quoted in a reply", comment_id))
            index += 1
            continue
        opened = _OPEN.match(line)
        if not opened:
            index += 1
            continue
        kind, fence = opened["kind"], opened["fence"]
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next((j for j in range(index + 1, len(lines)) if closing.match(lines[j])), None)
        if kind not in KINDS:
            index = (end if end is not None else index) + 1
            continue
        if end is None:
            warnings.append(MarkerWarning(kind, "fence is never closed", comment_id))
            break
        raw = "\n".join(lines[index + 1 : end])
        index = end + 1
        try:
            payload = json.loads(raw)
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = (
                f"invalid JSON ({exc.msg})"
                if isinstance(exc, json.JSONDecodeError)
                else ("JSON nested too deeply")
            )
            warnings.append(MarkerWarning(kind, reason, comment_id))
            continue
        if not isinstance(payload, dict):
            warnings.append(MarkerWarning(kind, "payload is not a JSON object", comment_id))
            continue
        markers.append(Marker(kind, payload, comment_id))
    return ParsedBody(markers, warnings)


# The seeds' reader (maverick-harness) finds markers with a backtick-only pattern, so a
# tilde fence is a marker we read and it does not: how a record we no longer hold stays out
# of its "latest claim / latest lease" and out of its lease upserts (docs/claims.md, Mixed
# fleets).
FENCE = "```"
SEED_INVISIBLE_FENCE = "~~~"


def render_block(kind: str, payload: Mapping[str, Any], fence: str = FENCE) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown marker kind {kind!r}")
    text = json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False)
    return f"{fence}maverick-{kind}\n{text}\n{fence}"


def render_comment(
    blocks: Iterable[tuple[str, Mapping[str, Any]]], preamble: str = "", fence: str = FENCE
) -> str:
    """A comment body carrying one or more marker blocks under an optional preamble.

    Falls back to compact JSON when the indented form would exceed GitHub's comment limit,
    and raises InvalidData when even that does not fit.
    """
    blocks = list(blocks)
    head = f"{preamble.rstrip()}\n\n" if preamble.strip() else ""
    body = head + "\n\n".join(render_block(kind, payload, fence) for kind, payload in blocks)
    if comment_length(body) <= MAX_COMMENT_CHARS:
        return body
    compact = head + "\n\n".join(
        f"{fence}maverick-{kind}\n{json.dumps(payload, separators=(',', ':'), sort_keys=True)}"
        f"\n{fence}"
        for kind, payload in blocks
    )
    if comment_length(compact) > MAX_COMMENT_CHARS:
        raise InvalidData(
            f"marker too large for one GitHub comment ({len(compact)} > {MAX_COMMENT_CHARS} chars)",
            "split the epic into smaller epics",
        )
    return compact
