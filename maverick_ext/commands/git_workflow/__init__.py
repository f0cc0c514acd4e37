"""``gh maverick git-workflow``: the branches stories start from and PRs go to."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from maverick_ext.commands import tree
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.commands.output import echo
from maverick_ext.errors import EXIT_CODE_HELP

if TYPE_CHECKING:
    from maverick_ext.commands.app import App


@click.group(
    "git-workflow",
    cls=LazyGroup,
    epilog=EXIT_CODE_HELP,
    lazy=tree.GIT_WORKFLOW,
)
def git_workflow() -> None:
    """Story base and PR target from config.

    \b
    Example:
      STORY_BASE=$(gh maverick git-workflow story-base)
      gh pr create --base "$(gh maverick git-workflow pr-target)"
    """


def print_resolved(app: App, which: str, as_json: bool) -> None:
    """Print one resolved branch: the name alone, or {"branch", "source"} with --json."""
    from maverick_ext.commands.output import emit_json
    from maverick_ext.services import git_workflow as workflow

    config, repo_dir = workflow.workflow_context(app.cwd, app.env)
    resolved = getattr(workflow, which)(config, repo_dir)
    if as_json:
        emit_json(resolved.to_json())
    else:
        echo(resolved.name)
