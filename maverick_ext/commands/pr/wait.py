"""``gh maverick pr wait PR``: wait, bounded, for a PR's checks and mergeability."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import echo
from maverick_ext.errors import EXIT_CODE_HELP, Exit

WAIT_JSON = """\b
JSON: {"pr", "result": "passed"|"merged"|"failed"|"conflicting"|"closed"|"timed_out",
       "exit_code", "message", "state", "is_draft", "mergeable", "merge_state_status",
       "head_ref", "head_sha", "polls", "waited_s",
       "counts": {"pass", "fail", "pending", "skipping", "cancel"},
       "checks": [{"name", "state", "bucket", "link", "workflow", "event",
                   "started_at", "completed_at", "description"}]}"""


@click.command("wait", epilog=f"{WAIT_JSON}\n\n{EXIT_CODE_HELP}")
@click.argument("pr", metavar="PR")
@click.option("--checks", "checks_only", is_flag=True, help="Wait for the checks only.")
@click.option("--merged", is_flag=True, help="Wait until the PR is merged (e.g. by auto-merge).")
@click.option(
    "--timeout",
    default="30m",
    show_default=True,
    metavar="DURATION",
    help="Give up after this long (90s, 30m, 2h; at most 24h; 0 reads once).",
)
@click.option(
    "--interval",
    type=click.FloatRange(1, 300),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Seconds between readings (one GraphQL request each).",
)
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed check.")
@click.option(
    "--allow-no-checks",
    is_flag=True,
    help="A head commit without any check or status passes (repositories without CI).",
)
@repo_option
@json_option
@pass_app
def wait(
    app: App,
    pr: str,
    checks_only: bool,
    merged: bool,
    timeout: str,
    interval: float,
    fail_fast: bool,
    allow_no_checks: bool,
    repo: str | None,
    as_json: bool,
) -> None:
    """Wait, bounded, until a PR's checks pass and it can merge.

    Reads the PR's head commit checks (check runs and commit statuses) and its
    mergeability with one GraphQL request every --interval seconds, until: every check
    passed or was skipped and GitHub computed the PR MERGEABLE (0); no check is pending
    and one failed or was cancelled (18; --fail-fast: at the first failure); the PR has
    merge conflicts or was closed without merging (19); or --timeout ran out with checks
    or mergeability still pending (8, as `gh pr checks`). A merged PR answers 0 at once.
    A head commit without any check counts as pending (CI may not have reported yet)
    unless --allow-no-checks. Checks are bucketed as `gh pr checks` does (its JSON
    `bucket`), with a re-run check counted once; a cancelled check fails here.

    --checks ignores mergeability; --merged waits for the merge itself (auto-merge, a
    merge queue, a person), answering 19 on conflicts or a close. A transient GitHub
    failure is read again at the next poll; not one good reading by the deadline is 14.
    The repository may come first, as the newest seed skills write it.

    \b
    Examples:
      gh maverick pr wait 12
      gh maverick pr wait 12 --checks --timeout 30m --json | jq -r .result
      gh maverick pr wait OWNER/REPO 12 --merged --timeout 1h
    """
    from maverick_ext.commands.output import emit_json, info, table
    from maverick_ext.core.checks import counts, parse_timeout
    from maverick_ext.core.refs import parse_pull_ref
    from maverick_ext.errors import UsageError
    from maverick_ext.services.pr_wait import wait_for_pr

    if checks_only and merged:
        raise UsageError("--checks and --merged exclude each other", "pick what to wait for")
    timeout_s = parse_timeout(timeout)
    ref = parse_pull_ref(pr)
    client = app.client(ref.repo or app.resolve_repo(repo))
    client.require_repo()
    done = wait_for_pr(
        client,
        ref.number,
        mode="checks" if checks_only else "merged" if merged else "mergeable",
        timeout_s=timeout_s,
        interval_s=interval,
        sleep=app.sleep,
        monotonic=app.monotonic,
        allow_no_checks=allow_no_checks,
        fail_fast=fail_fast,
        notify=info,
    )
    state, verdict, code = done.pr, done.verdict, int(done.exit_code)
    if as_json:
        emit_json(
            {
                "pr": state.number,
                "result": verdict.result,
                "exit_code": code,
                "message": verdict.reason,
                "state": state.state,
                "is_draft": state.is_draft,
                "mergeable": state.mergeable,
                "merge_state_status": state.merge_state_status,
                "head_ref": state.head_ref,
                "head_sha": state.head_sha,
                "polls": done.polls,
                "waited_s": round(done.waited_s, 1),
                "counts": counts(state.checks),
                "checks": [c.to_json() for c in state.checks],
            }
        )
    else:
        if state.checks:
            rows = [(c.bucket, c.name, c.state, c.workflow or "", c.link or "")
                    for c in state.checks]  # fmt: skip
            echo(table(("BUCKET", "NAME", "STATE", "WORKFLOW", "LINK"), rows))
        if not code:
            echo(verdict.reason)
    if code:
        echo(f"gh-maverick: {verdict.reason}", err=True)
        raise Exit(code)
