"""``gh maverick preflight``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import echo, emit_json
from maverick_ext.errors import MaverickError

_MARK = {"pass": "ok  ", "fail": "FAIL", "skip": "skip"}


@click.command(
    "preflight",
    epilog="""\b
Examples:
  gh maverick preflight do-epic || exit 1
  gh maverick preflight --json | jq '.checks[] | select(.status == "fail")'

\b
Checks, in order: gh (installed, >= 2.30), git (>= 2.31), repository (inside a clone),
worktrees (usable; do-epic only), remote (a GitHub repository: -R, GH_REPO or
the clone's remote), gh auth (for that host), config (.maverick/config.json and the
user config are valid), labels (claude-in-progress and needs-human exist, else run
`gh maverick init`; not for do-init/do-install/do-adopt, which create them), rate limit
(at least 200 REST calls left), github app (when one is configured: the private key
file, GitHub accepts the App's JWT, the installation exists). Checks that depend on a
failed one are skipped.

\b
SKILL is any skill name of the seeds (do-epic, do-issue-solo, do-init, ...).
Exit codes: 0 every check passed, 1 a check failed (each with its fix), 2 unknown
skill.
--json prints: {"workflow": "do-epic", "ok": false, "checks": [{"name": "gh auth",
  "status": "pass" | "fail" | "skip", "detail": "...", "fix": "gh auth login ..."}]}""",
)
@click.argument("workflow", metavar="[SKILL]", required=False)
@repo_option
@json_option
@pass_app
def preflight(app: App, workflow: str | None, repo: str | None, as_json: bool) -> None:
    """Check gh, git, labels, config and rate limit."""
    from maverick_ext.errors import UsageError
    from maverick_ext.services.preflight import WORKFLOWS, Preflight

    if workflow not in WORKFLOWS:
        known = sorted(name for name in WORKFLOWS if name)
        raise UsageError(f"unknown skill {workflow!r}", f"use one of: {', '.join(known)}")

    checks = Preflight(
        env=app.env,
        cwd=app.cwd,
        resolve_repo=lambda: app.resolve_repo(repo),
        make_client=app.client,
        github_app=app.github_app,
        make_gh_client=app.gh_client,
    )
    report = checks.run(workflow)
    if as_json:
        emit_json(report.to_json())
    else:
        for check in report.checks:
            echo(f"{_MARK[check.status]}  {check.name}: {check.detail}")
            if check.fix:
                echo(f"      fix: {check.fix}")
    if not report.ok:
        failed = [check.name for check in report.checks if check.status == "fail"]
        raise MaverickError(f"preflight failed: {', '.join(failed)}")
