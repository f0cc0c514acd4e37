"""`gh maverick guard ISSUE`: exit 0 only if this instance still holds the claim."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from maverick_ext.commands.claim import RESULTS_JSON
from maverick_ext.commands.params import INSTANCE, ISSUE, JSON, REPO
from maverick_ext.commands.spec import command
from maverick_ext.errors import EXIT_CODE_HELP

if TYPE_CHECKING:
    from maverick_ext.commands.app import App


@command(
    "guard",
    short_help="Exit 0 only if this instance still holds the claim.",
    epilog=f"{RESULTS_JSON}\n\n{EXIT_CODE_HELP}",
)
@ISSUE
@INSTANCE
@REPO
@JSON
def guard(app: App, issue: str, instance: str | None, repo: str | None, as_json: bool) -> None:
    """Exit 0 if this instance holds ISSUE's claim right now, 13 otherwise.

    One API call; usable as a pre-push hook so a stale agent pushes nothing.

    \b
    Examples:
      gh maverick guard 123 && git push
      printf 'exec gh maverick guard 123\\n' > .git/hooks/pre-push
    """
    from maverick_ext.commands.coordination import (
        finish,
        for_each_repo,
        issue_client,
        prefetch_claim_read,
    )
    from maverick_ext.errors import MaverickError

    with contextlib.suppress(MaverickError):  # what is wrong, for_each_repo says below
        prefetch_claim_read(*issue_client(app, repo, issue))  # answered while the claim code loads
    from maverick_ext.services.claims import each

    outcomes = for_each_repo(
        app,
        repo,
        (issue,),
        instance,
        lambda coordinator, numbers: each(numbers, coordinator.guard),
    )
    finish(outcomes, as_json)
