"""`gh maverick issue close-on-merge ISSUE --pr N --target BRANCH`."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import echo, emit_json
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "close-on-merge",
    short_help="After a PR merged: audit comment, label, close by policy.",
    epilog=EXIT_CODE_HELP,
)
@click.argument("issue", metavar="ISSUE")
@click.option("--pr", "pr", type=click.IntRange(min=1), required=True, help="The merged PR.")
@click.option("--target", required=True, metavar="BRANCH", help="The branch it merged into.")
@click.option(
    "--default-branch", metavar="BRANCH", help="The repository's default branch (else asked)."
)
@repo_option
@json_option
@pass_app
def close_on_merge(
    app: App,
    issue: str,
    pr: int,
    target: str,
    default_branch: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """After PR merged into BRANCH: audit comment, merged-to-BRANCH label, close by policy.

    The issue closes as `issue policy` says: on_pr_merge always, on_default_branch_merge
    only when BRANCH is the default branch, manual never. Re-running is harmless: the
    audit comment is posted once, the label added once, a closed issue stays closed.

    \b
    Examples:
      gh maverick issue close-on-merge 42 --pr 57 --target main

    \b
    JSON: {"issue", "pr", "target", "label", "policy", "closed": bool,
           "audit_comment_id": N|null}
    """
    from maverick_ext.commands.coordination import issue_client
    from maverick_ext.config import load_config
    from maverick_ext.core import close_policy
    from maverick_ext.core.labels import has_label, merged_label
    from maverick_ext.github import issues as gh

    policy = load_config(app.cwd, env=app.env).issue_lifecycle.close_policy
    client, number = issue_client(app, repo, issue)
    snapshot = gh.fetch_issue(client, number)
    if policy == "on_default_branch_merge" and default_branch is None:
        default_branch = gh.default_branch(client)
    closing = close_policy.closes(policy, target, default_branch)
    label = merged_label(target)
    tag = close_policy.AUDIT_TAG.format(pr=pr)
    audit = next((c.id for c in snapshot.comments if c.body and c.body.startswith(tag)), None)
    if audit is None:
        body = close_policy.audit_body(pr, target, label, closing, policy)
        audit = gh.create_comment(client, number, body)[0].id
    if not has_label(snapshot.labels, label):
        gh.add_labels(client, number, [label])
    closed = snapshot.state.upper() == "CLOSED"
    if closing and not closed:
        gh.close_issue(client, number)
        closed = True
    if as_json:
        emit_json(
            {
                "issue": number,
                "pr": pr,
                "target": target,
                "label": label,
                "policy": policy,
                "closed": closed,
                "audit_comment_id": audit,
            }
        )
    else:
        echo(f"#{number}: {label}, {'closed' if closed else f'left open ({policy})'}")
