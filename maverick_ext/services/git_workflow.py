"""Which branch stories start from and PRs target: config first, else the remote's default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from maverick_ext.config import MaverickConfig
from maverick_ext.records import dataclass

FALLBACK_BRANCH = "main"


@dataclass(frozen=True)
class ResolvedBranch:
    name: str
    source: str  # "config" | "remote default branch" | "fallback"

    def to_json(self) -> dict[str, str]:
        return {"branch": self.name, "source": self.source}


def _remote_default(repo_dir: Path | None, remote: str | None) -> str | None:
    if repo_dir is None:
        return None
    from maverick_ext.git.runner import default_branch
    from maverick_ext.git.worktrees import pick_remote_name

    remote = remote or pick_remote_name(repo_dir)
    return default_branch(remote, cwd=repo_dir) if remote else None


def story_base(
    config: MaverickConfig, repo_dir: Path | None, remote: str | None = None
) -> ResolvedBranch:
    """Where story branches start: ``git_workflow.story_base``, else the default branch of
    ``remote`` (default: the clone's usual remote)."""
    # The model always holds a value; only one a file actually set counts as configured.
    if "story_base" in config.git_workflow.model_fields_set:
        return ResolvedBranch(config.git_workflow.story_base, "config")
    remote_default = _remote_default(repo_dir, remote)
    if remote_default:
        return ResolvedBranch(remote_default, "remote default branch")
    return ResolvedBranch(FALLBACK_BRANCH, "fallback")


def pr_target(
    config: MaverickConfig, repo_dir: Path | None, base: ResolvedBranch | None = None
) -> ResolvedBranch:
    """Where story PRs go: ``git_workflow.pr_target``, else the story base (``base`` when
    the caller already resolved it)."""
    if "pr_target" in config.git_workflow.model_fields_set:
        return ResolvedBranch(config.git_workflow.pr_target, "config")
    return base or story_base(config, repo_dir)


def workflow_context(
    cwd: str | os.PathLike[str] | None, env: Mapping[str, str] | None
) -> tuple[MaverickConfig, Path | None]:
    """The configuration for ``cwd`` and its repository (None outside one)."""
    from maverick_ext.config import load_config
    from maverick_ext.git.runner import git

    top = git("rev-parse", "--show-toplevel", cwd=cwd)
    repo_dir = Path(top.stdout.strip()) if top.exit_code == 0 else None
    return load_config(cwd, env=env), repo_dir
