"""`gh maverick release ISSUE... --reason R`: give back claims this instance holds."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.coord._shared import instance_option
from maverick_ext.commands.coord.claim import RESULTS_JSON
from maverick_ext.commands.options import issues_argument, json_option, repo_option
from maverick_ext.core.claims import RELEASE_REASONS
from maverick_ext.errors import EXIT_CODE_HELP, UsageError


@click.command("release", epilog=f"{RESULTS_JSON}\n\n{EXIT_CODE_HELP}")
@issues_argument(required=False)
@click.option(
    "--reason",
    required=True,
    type=click.Choice(RELEASE_REASONS),
    help="Why the claim ends (recorded on the claim comment).",
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
    from maverick_ext.commands.coord._shared import coordinator, finish, for_each_repo
    from maverick_ext.services.claims import each

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
