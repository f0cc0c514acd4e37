"""``gh maverick branch name``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import echo, emit_json


@click.command(
    "name",
    short_help="Print the branch name for an issue (<prefix>/<N>-<slug>).",
    epilog="""\b
Examples:
  gh maverick branch name 12                      # -> fix/12-crash-empty-config
  gh maverick branch name 12 --title "Add login" --label enhancement   # offline

\b
<prefix> comes from the first issue label found in git_workflow.branch_prefixes
(bug/fix/defect -> fix, feature/enhancement -> feat, docs/documentation -> docs,
refactor/tech-debt -> refactor, chore/maintenance/deps -> chore, test/testing -> test;
"type: bug" counts as "bug"), else feat. The slug is 2-5 lowercase ASCII words of the
title: quotes, $(...), ;, newlines and other characters a shell or git reads specially
never survive.
--json prints: {"issue": 12, "title": "...", "labels": ["bug"], "branch": "fix/12-..."}""",
)
@click.argument("issue", metavar="ISSUE")
@click.option("--title", help="Use this title instead of reading the issue (no API call).")
@click.option("--label", "labels", multiple=True, help="Label for the offline form (repeat).")
@repo_option
@json_option
@pass_app
def name(
    app: App,
    issue: str,
    title: str | None,
    labels: tuple[str, ...],
    repo: str | None,
    as_json: bool,
) -> None:
    """Print the branch name for an issue (<prefix>/<issue>-<slug>)."""
    from maverick_ext.core.names import branch_name
    from maverick_ext.core.refs import parse_issue_ref

    ref = parse_issue_ref(issue)
    if title is None:
        from maverick_ext.github.issues import fetch_issue

        snapshot = fetch_issue(app.client(ref.repo or app.resolve_repo(repo)), ref.number)
        title, labels = snapshot.title, tuple(snapshot.labels)
    prefixes = app.config.git_workflow.branch_prefixes
    branch = branch_name(ref.number, title, labels, prefixes)
    if as_json:
        emit_json({"issue": ref.number, "title": title, "labels": list(labels), "branch": branch})
    else:
        echo(branch)
