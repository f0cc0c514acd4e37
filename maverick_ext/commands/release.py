"""`gh maverick release ISSUE... --reason R`: give back claims this instance holds."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.claim import RESULTS_JSON
from maverick_ext.commands.options import instance_option, issues_argument, json_option, repo_option
from maverick_ext.core.claims import RELEASE_REASONS
from maverick_ext.errors import EXIT_CODE_HELP, UsageError


@click.command(
    "release",
    short_help="Release this instance's claim with a reason.",
    epilog=f"{RESULTS_JSON}\n\n{EXIT_CODE_HELP}",
)
@issues_argument(required=False)
@click.option(
    "--reason",
    required=True,
    metavar="TEXT",
    help=f"Why the claim ends, recorded on the claim comment: {', '.join(RELEASE_REASONS)} "
    "or any short text (e.g. session-end).",
)
@click.option(
    "--all",
    "release_every",
    is_flag=True,
    help="Release every claim this instance holds in the repository (found on GitHub).",
)
@instance_option
@repo_option
@json_option
@pass_app
def release(
    app: App,
    issues: tuple[str, ...],
    reason: str,
    release_every: bool,
    instance: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Release this instance's claim on ISSUE... (only the holder may; others get 13).

    Edits the claim comment in place to `released` with the reason (no new comment) and
    removes the claude-in-progress label only when no other live claim remains. Releasing
    twice is harmless (0).

    \b
    Examples:
      gh maverick release 123 --reason merged
      gh maverick release --all --reason abort      # e.g. in an exit trap
    """
    from maverick_ext.commands.coordination import coordinator, finish, for_each_repo
    from maverick_ext.services.claims import each

    reason = _checked_reason(reason)
    if release_every:
        if issues:
            raise UsageError("give issues or --all, not both")
        outcomes = coordinator(app, app.resolve_repo(repo), instance).release_all(reason)
    else:
        outcomes = for_each_repo(
            app,
            repo,
            issues,
            instance,
            lambda coordinator, numbers: each(numbers, lambda n: coordinator.release(n, reason)),
        )
    finish(outcomes, as_json)


MAX_REASON_CHARS = 200


def _checked_reason(reason: str) -> str:
    """Free text, as the seeds pass it; one line and short, since it lands in a marker."""
    text = " ".join(reason.split())
    if not text:
        raise UsageError("empty --reason", f"say why, e.g. {' or '.join(RELEASE_REASONS)}")
    if len(text) > MAX_REASON_CHARS:
        raise UsageError(f"--reason is {len(text)} characters", f"keep it to {MAX_REASON_CHARS}")
    return text
