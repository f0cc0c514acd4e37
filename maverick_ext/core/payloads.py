"""Pydantic models for the six marker payloads.

Field names follow the seeds; we add fields but never rename. ``extra="allow"`` keeps fields
written by other implementations when we read and rewrite a payload. Timestamps stay ISO
strings on the wire (``2026-04-23T10:15:00Z``), exactly as the seeds write them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from maverick_ext.core.epic_state import Status as StoryStatus
from maverick_ext.core.refs import issue_number


def _checked_issue_number(value: Any) -> int:
    number = issue_number(value)
    if number is None:
        raise ValueError(f"{value!r} is not an issue number")
    return number


# Issue numbers in payloads follow core.refs.issue_number (one rule for every reader); a
# payload with any other value is skipped with a warning, never half-read.
IssueNumber = Annotated[int, BeforeValidator(_checked_issue_number)]


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


class Payload(BaseModel):
    # defer_build: a command builds only the validators it uses (start-up time).
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class ClaimPayload(Payload):
    instance_id: str
    host: str | None = None
    scope: list[str] = Field(default_factory=list)
    claimed_at: str | None = None
    # Ours (docs/claims.md, The protocol): the nonce finds our own comment after an ambiguous POST;
    # state/released_at/reason record a release in place; supersedes names a taken-over claim.
    nonce: str | None = None
    state: Literal["active", "released"] | None = None
    released_at: str | None = None
    reason: str | None = None
    supersedes: int | None = None
    takeover_of: str | None = None
    ttl_s: int | None = None

    @field_validator("scope", mode="before")
    @classmethod
    def _scope_as_strings(cls, value: Any) -> Any:
        # Seeds write ["140"]; hand-written markers sometimes say [140].
        if isinstance(value, list):
            return [str(item) for item in value]
        return value


class LeasePayload(Payload):
    instance_id: str | None = None
    heartbeat_at: str | None = None
    expires_at: str | None = None
    released_at: str | None = None
    reason: str | None = None


class DagStory(Payload):
    deps: list[str] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)

    @field_validator("deps", mode="before")
    @classmethod
    def _deps_as_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(item).lstrip("#") for item in value]
        return value


class DagPayload(Payload):
    epic: int
    stories: dict[str, DagStory] = Field(default_factory=dict)


class StatePayload(Payload):
    epic: int
    stories: dict[str, StoryStatus] = Field(default_factory=dict)
    updated_at: str | None = None


class BpropPayload(Payload):
    # The seeds' journal omits the epic (it sits on the epic issue): optional so it still reads.
    epic: IssueNumber | None = None
    ejected: IssueNumber
    descendants: list[IssueNumber] = Field(default_factory=list)
    labelled: list[IssueNumber] = Field(default_factory=list)
    # Ours: which descendants already got their one explanatory comment.
    commented: list[IssueNumber] = Field(default_factory=list)
    started_at: str | None = None
    updated_at: str | None = None


class TaskProgressPayload(Payload):
    phase: str
    instance_id: str | None = None
    updated_at: str | None = None


MODELS: dict[str, type[Payload]] = {
    "claim": ClaimPayload,
    "lease": LeasePayload,
    "dag": DagPayload,
    "state": StatePayload,
    "bprop": BpropPayload,
    "task-progress": TaskProgressPayload,
}


def validate(kind: str, payload: dict[str, Any]) -> Payload | str:
    """The typed payload, or a one-line reason why it does not fit the kind's model."""
    try:
        return MODELS[kind].model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        return f"{where}: {first['msg']}"
