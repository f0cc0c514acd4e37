"""The six marker payloads: which fields each kind has, and the check every reader applies.

Field names follow the seeds; we add fields but never rename. Unknown fields are kept
(another implementation's additions survive a read and rewrite), and timestamps stay ISO
strings on the wire (``2026-04-23T10:15:00Z``), exactly as the seeds write them.

Markers are written by people and other tools as well as by us, so every reader checks
them. The checks are declared below and run by a few lines of plain Python rather than
pydantic: every `read`, `guard` and `heartbeat` validates the claim markers of an issue, and
importing pydantic alone costs more than the `gh api` call those commands wrap
(docs/ARCHITECTURE.md, Dependencies). The coercions are pydantic's lax ones that matter
here: ``"12"`` or ``12.0`` for an integer, and numbers in a list of story references.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from maverick_ext.core.epic_state import STATUSES
from maverick_ext.core.refs import issue_number


def iso(moment: datetime) -> str:
    """The seeds' timestamp format: UTC, second resolution, ``Z`` suffix."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: Any) -> datetime | None:
    """Lenient ISO-8601 reader for timestamps written by any implementation."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Payload:
    """A payload that passed its kind's check: declared fields (normalised, defaults filled
    in) and any other keys the writer added, as attributes and in ``data``."""

    __slots__ = ("data", "declared")

    def __init__(self, data: dict[str, Any], declared: frozenset[str] = frozenset()) -> None:
        self.data = data
        self.declared = declared

    @property
    def extra(self) -> dict[str, Any]:
        """The keys this kind does not declare (another writer's additions), as written."""
        return {k: v for k, v in self.data.items() if k not in self.declared}

    def __getattr__(self, name: str) -> Any:
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"Payload({self.data!r})"


class _Invalid(Exception):
    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")


Check = Callable[[Any, str], Any]  # (value, where) -> the normalised value, or raise _Invalid
REQUIRED = object()
# field -> (check, default): REQUIRED, a value, or a factory (list, dict) for a fresh one.
Fields = Mapping[str, tuple[Check, Any]]

_JSON_NAMES = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
               list: "an array", dict: "an object", type(None): "null"}  # fmt: skip


def _got(value: Any) -> str:
    return _JSON_NAMES.get(type(value), type(value).__name__)


def text(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    raise _Invalid(where, f"expected a string, got {_got(value)}")


def integer(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdecimal():
        return int(value)
    raise _Invalid(where, f"expected an integer, got {_got(value)} {value!r:.40}")


def issue(value: Any, where: str) -> int:
    """An issue number by ``core.refs.issue_number``, the one rule every reader applies."""
    number = issue_number(value)
    if number is None:
        raise _Invalid(where, f"{value!r:.40} is not an issue number")
    return number


def optional(check: Check) -> Check:
    return lambda value, where: None if value is None else check(value, where)


def one_of(*allowed: str) -> Check:
    def check(value: Any, where: str) -> str:
        if value in allowed and isinstance(value, str):
            return value
        raise _Invalid(where, f"expected one of {', '.join(allowed)}, got {value!r:.40}")

    return check


def list_of(check: Check) -> Check:
    def each(value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise _Invalid(where, f"expected an array, got {_got(value)}")
        return [check(item, f"{where}.{i}") for i, item in enumerate(value)]

    return each


def references(strip: str = "") -> Check:
    """Story or issue references as strings: the seeds write ``["140"]``, hand-written
    markers sometimes ``[140]`` or ``["#140"]``."""

    def each(value: Any, where: str) -> list[str]:
        if not isinstance(value, list):
            raise _Invalid(where, f"expected an array, got {_got(value)}")
        return [str(item).lstrip(strip) for item in value]

    return each


def mapping_of(check: Check) -> Check:
    def each(value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Invalid(where, f"expected an object, got {_got(value)}")
        return {str(key): check(item, f"{where}.{key}") for key, item in value.items()}

    return each


def model(fields: Fields) -> Check:
    """An object with these fields; other keys are kept as written."""

    def check(value: Any, where: str) -> Payload:
        if not isinstance(value, dict):
            raise _Invalid(where or "payload", f"expected an object, got {_got(value)}")
        data = dict(value)
        for name, (field_check, default) in fields.items():
            at = f"{where}.{name}" if where else name
            if name in value:
                data[name] = field_check(value[name], at)
            elif default is REQUIRED:
                raise _Invalid(at, "field required")
            else:
                data[name] = default() if callable(default) else default
        return Payload(data, declared)

    declared = frozenset(fields)
    return check


_TEXT = (optional(text), None)

CLAIM: Fields = {
    "instance_id": (text, REQUIRED),
    "host": _TEXT,
    "scope": (references(), list),
    "claimed_at": _TEXT,
    # Ours (docs/claims.md, The protocol): the nonce finds our own comment after an ambiguous POST;
    # state/released_at/reason record a release in place; supersedes names a taken-over claim.
    "nonce": _TEXT,
    "state": (optional(one_of("active", "released")), None),
    "released_at": _TEXT,
    "reason": _TEXT,
    "supersedes": (optional(integer), None),
    "takeover_of": _TEXT,
    "ttl_s": (optional(integer), None),
}
LEASE: Fields = {
    "instance_id": _TEXT,
    "heartbeat_at": _TEXT,
    "expires_at": _TEXT,
    "released_at": _TEXT,
    "reason": _TEXT,
}
DAG_STORY: Fields = {"deps": (references(strip="#"), list), "files": (list_of(text), list)}
DAG: Fields = {"epic": (integer, REQUIRED), "stories": (mapping_of(model(DAG_STORY)), dict)}
STATE: Fields = {
    "epic": (integer, REQUIRED),
    "stories": (mapping_of(one_of(*STATUSES)), dict),
    "updated_at": _TEXT,
}
BPROP: Fields = {
    # The seeds' journal omits the epic (it sits on the epic issue): optional so it still reads.
    # Issue numbers follow core.refs.issue_number; a journal with any other value is
    # skipped with a warning, never half-read.
    "epic": (optional(issue), None),
    "ejected": (issue, REQUIRED),
    "descendants": (list_of(issue), list),
    "labelled": (list_of(issue), list),
    # Ours: which descendants already got their one explanatory comment.
    "commented": (list_of(issue), list),
    "started_at": _TEXT,
    "updated_at": _TEXT,
}
TASK_PROGRESS: Fields = {
    # The seeds' writers may leave `phase` out (a payload holding only comment ids).
    "phase": _TEXT,
    "instance_id": _TEXT,
    "updated_at": _TEXT,
    "branch": _TEXT,
    "comments": (optional(mapping_of(integer)), None),
    "tasks_done": (optional(list_of(integer)), None),
}

MODELS: dict[str, Check] = {
    "claim": model(CLAIM),
    "lease": model(LEASE),
    "dag": model(DAG),
    "state": model(STATE),
    "bprop": model(BPROP),
    "task-progress": model(TASK_PROGRESS),
}


def validate(kind: str, payload: dict[str, Any]) -> Payload | str:
    """The checked payload, or a one-line reason (``field: what is wrong``) why it does not
    fit the kind."""
    try:
        checked: Payload = MODELS[kind](payload, "")
    except _Invalid as exc:
        return str(exc)
    return checked
