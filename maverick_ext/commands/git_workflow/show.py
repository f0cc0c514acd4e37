"""``gh maverick git-workflow show``."""

from __future__ import annotations

from typing import Any

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option
from maverick_ext.commands.output import echo, emit_json, table


@click.command(
    "show",
    epilog="""\b
Example:
  gh maverick git-workflow show

\b
--json prints:
  {"story_base": {"branch": "main", "source": "config"},
   "pr_target": {"branch": "main", "source": "config"},
   "promotion_chain": ["main"], "branch_prefixes": {"bug": "fix", ...},
   "close_policy": "on_pr_merge", "worktree_root": ".maverick/worktrees",
   "max_concurrent_worktrees": 4, "sources": ["/repo/.maverick/config.json"]}""",
)
@json_option
@pass_app
def show(app: App, as_json: bool) -> None:
    """Show the whole git workflow configuration."""
    from maverick_ext.services.git_workflow import pr_target, story_base, workflow_context

    config, repo_dir = workflow_context(app.cwd, app.env)
    base = story_base(config, repo_dir)
    document: dict[str, Any] = {
        "story_base": base.to_json(),
        "pr_target": pr_target(config, repo_dir, base).to_json(),
        "promotion_chain": config.git_workflow.promotion_chain,
        "branch_prefixes": config.git_workflow.branch_prefixes,
        "close_policy": config.issue_lifecycle.close_policy,
        "worktree_root": config.worktrees.root,
        "max_concurrent_worktrees": config.coordination.max_concurrent_worktrees,
        "sources": [str(path) for path in config.sources],
    }
    if as_json:
        emit_json(document)
        return
    base, target = document["story_base"], document["pr_target"]
    prefixes = config.git_workflow.branch_prefixes
    rows = [
        ("story base", f"{base['branch']} ({base['source']})"),
        ("PR target", f"{target['branch']} ({target['source']})"),
        ("promotion chain", " -> ".join(config.git_workflow.promotion_chain)),
        ("branch prefixes", ", ".join(f"{k}={v}" for k, v in sorted(prefixes.items()))),
        ("close policy", config.issue_lifecycle.close_policy),
        ("worktree root", config.worktrees.root),
        ("worktree cap", config.coordination.max_concurrent_worktrees),
        ("config files", ", ".join(document["sources"]) or "(none: defaults)"),
    ]
    echo(table(["SETTING", "VALUE"], rows))
