"""gh-maverick configuration: `.maverick/config.json` (project) over the user config.

The project file lives at the git top level and is shared with the seeds' tooling, which
keeps many other sections in it (aws, worker, llm, ...): unknown sections and keys are
kept, never rejected, and reading never rewrites the file. The user file is
``$XDG_CONFIG_HOME/gh-maverick/config.json`` (default ``~/.config/gh-maverick/config.json``).

Each file is validated on its own, so an invalid value is reported as one line naming the
file and the key (``InvalidData``, exit 15); then the project's sections are merged key by
key over the user's, the environment's overrides over both (``environment_overrides``),
and the result over the defaults.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)

from maverick_ext.config_files import (
    COORDINATION_DEFAULTS,
    GITHUB_APP_DEFAULTS,
    config_sources,
    environment_overrides,
)
from maverick_ext.errors import InvalidData

ClosePolicy = Literal["on_pr_merge", "on_default_branch_merge", "manual"]

# Issue label -> branch prefix; the same table as the seeds' mav-git-workflow skill.
DEFAULT_BRANCH_PREFIXES: dict[str, str] = {
    "bug": "fix",
    "fix": "fix",
    "defect": "fix",
    "feature": "feat",
    "enhancement": "feat",
    "docs": "docs",
    "documentation": "docs",
    "refactor": "refactor",
    "tech-debt": "refactor",
    "chore": "chore",
    "maintenance": "chore",
    "deps": "chore",
    "test": "test",
    "testing": "test",
}


class _Section(BaseModel):
    # Other tools (the seeds' CLI) add keys of their own: keep them, don't fail on them.
    model_config = ConfigDict(extra="allow", validate_default=True)


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must be a non-empty string")
    return value.strip()


class GitWorkflowConfig(_Section):
    story_base: str = "main"
    pr_target: str = "main"
    promotion_chain: list[str] = Field(default_factory=lambda: ["main"])
    # A file's entries are added to (and override) the default table.
    branch_prefixes: dict[str, str] = Field(default_factory=dict)

    @field_validator("story_base", "pr_target")
    @classmethod
    def _branch_given(cls, value: str) -> str:
        return _non_empty(value)

    @field_validator("promotion_chain")
    @classmethod
    def _chain_given(cls, value: list[str]) -> list[str]:
        return [_non_empty(branch) for branch in value]

    @field_validator("branch_prefixes")
    @classmethod
    def _over_defaults(cls, value: dict[str, str]) -> dict[str, str]:
        overrides = {label.strip().lower(): _non_empty(prefix) for label, prefix in value.items()}
        return {**DEFAULT_BRANCH_PREFIXES, **overrides}


class IssueLifecycleConfig(_Section):
    close_policy: ClosePolicy = "on_pr_merge"


class CoordinationConfig(_Section):
    # Defaults from one place: commands read them there when no file exists.
    max_concurrent_worktrees: int = Field(
        default=COORDINATION_DEFAULTS.max_concurrent_worktrees, ge=1
    )
    trusted_bots: list[str] = Field(default_factory=list)
    lease_ttl_s: int = Field(default=COORDINATION_DEFAULTS.lease_ttl_s, ge=1)
    # How long a claimer waits for competing claims to become visible before re-reading.
    settle_s: float = Field(default=COORDINATION_DEFAULTS.settle_s, ge=0)
    # All rate-limit waits of one GitHub request together (MAVERICK_MAX_RETRY_WAIT_S wins).
    max_retry_wait_s: float = Field(default=COORDINATION_DEFAULTS.max_retry_wait_s, ge=0)
    # The seeds' implementation claims the same issues (docs/claims.md, "Mixed fleets").
    mixed_fleet: bool = COORDINATION_DEFAULTS.mixed_fleet


class GitHubAppConfig(_Section):
    """The GitHub App commands may act as (docs/gh-app.md); env ``MAVERICK_APP_*`` wins."""

    # The JWT's `iss`: the App's numeric id or its client id ("Iv1.…"); numbers are read too.
    app_id: str = GITHUB_APP_DEFAULTS.app_id
    private_key_path: str = GITHUB_APP_DEFAULTS.private_key_path
    installation_id: int | None = Field(default=GITHUB_APP_DEFAULTS.installation_id, ge=1)
    act_as_app: bool = GITHUB_APP_DEFAULTS.act_as_app

    @field_validator("app_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class WorktreesConfig(_Section):
    root: str = ".maverick/worktrees"
    # argv run (no shell) after `worktree create`, with the worktree path appended.
    post_create: list[str] | None = None

    @field_validator("root")
    @classmethod
    def _root_given(cls, value: str) -> str:
        return _non_empty(value)

    @field_validator("post_create")
    @classmethod
    def _argv_given(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and (not value or not value[0].strip()):
            raise ValueError("must be a non-empty argv list (program first) or null")
        return value


class HooksConfig(_Section):
    """The seeds' hook section: a script path run after worktree creation."""

    worktree_post_create: str = ""


class MaverickConfig(BaseModel):
    model_config = ConfigDict(extra="allow", validate_default=True)

    git_workflow: GitWorkflowConfig = Field(default_factory=GitWorkflowConfig)
    issue_lifecycle: IssueLifecycleConfig = Field(default_factory=IssueLifecycleConfig)
    coordination: CoordinationConfig = Field(default_factory=CoordinationConfig)
    worktrees: WorktreesConfig = Field(default_factory=WorktreesConfig)
    github_app: GitHubAppConfig = Field(default_factory=GitHubAppConfig)
    hooks: HooksConfig = Field(default_factory=HooksConfig)

    _sources: tuple[Path, ...] = PrivateAttr(default=())

    @property
    def sources(self) -> tuple[Path, ...]:
        """The files this configuration was read from, lowest precedence first."""
        return self._sources

    def post_create_argv(self) -> list[str] | None:
        """The post-create hook: ours, else the seeds' `hooks.worktree_post_create` script."""
        if self.worktrees.post_create:
            return list(self.worktrees.post_create)
        if self.hooks.worktree_post_create.strip():
            return [self.hooks.worktree_post_create.strip()]
        return None


def _read_file(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidData(f"{path}: cannot be read: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidData(f"{path}: not valid JSON: {exc}", "fix the file's syntax") from None
    if not isinstance(raw, dict):
        raise InvalidData(f"{path}: must hold a JSON object", "fix the file's syntax")
    _validate(raw, path)
    return raw


def _validate(raw: dict[str, Any], path: Path | None) -> MaverickConfig:
    try:
        return MaverickConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        where = f"{path}: " if path else ""
        raise InvalidData(
            f"{where}{key}: {first['msg']} (got {first.get('input')!r})",
            "fix or remove that key",
        ) from None


def _merge(lower: dict[str, Any], higher: dict[str, Any]) -> dict[str, Any]:
    """Sections merge key by key, so a project can set one key and keep the user's others."""
    merged = dict(lower)
    for section, value in higher.items():
        if isinstance(value, dict) and isinstance(merged.get(section), dict):
            merged[section] = {**merged[section], **value}
        else:
            merged[section] = value
    return merged


def load_config(
    cwd: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None
) -> MaverickConfig:
    """The effective configuration for ``cwd`` (default: the current directory).

    Missing files mean defaults. Raises ``InvalidData`` naming the file and key of the
    first invalid value, ``UsageError`` naming an invalid environment variable.
    """
    sources = tuple(Path(source) for source in config_sources(cwd, env=env))
    merged: dict[str, Any] = {}
    for path in sources:
        merged = _merge(merged, _read_file(path))
    merged = _merge(merged, environment_overrides(os.environ if env is None else env))
    config = _validate(merged, None)
    config._sources = sources
    return config
