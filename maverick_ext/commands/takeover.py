"""`gh maverick takeover ISSUE`: claim an issue whose holder's lease went stale."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.claim import RESULTS_JSON
from maverick_ext.commands.options import claiming_options
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "takeover",
    short_help="Take over an issue whose holder's lease went stale.",
    epilog=f"{RESULTS_JSON}\n\n{EXIT_CODE_HELP}",
)
@click.argument("issue", metavar="ISSUE")
@click.option("--reason", metavar="TEXT", help="Why, recorded on the new claim for humans.")
@claiming_options
@pass_app
def takeover(
    app: App,
    issue: str,
    reason: str | None,
    ttl: str | None,
    settle: float | None,
    instance: str | None,
    repo: str | None,
    as_json: bool,
) -> None:
    """Take over ISSUE when its holder's lease is stale (GitHub's clock says so).

    Posts a new claim naming the stale one (`supersedes: <comment id>`), then races like
    any claim. A live holder is never displaced (11). The prior holder's next heartbeat
    exits 13. An unclaimed issue is simply claimed.

    \b
    Examples:
      gh maverick takeover 123 --reason "holder's VM died"
    """
    from maverick_ext.commands.coordination import claim_settings, finish, for_each_repo

    settings = claim_settings(app, ttl, settle)
    outcomes = for_each_repo(
        app,
        repo,
        (issue,),
        instance,
        lambda coordinator, numbers: coordinator.claim(
            numbers, settings, takeover=True, reason=reason
        ),
    )
    finish(outcomes, as_json)
