"""``gh maverick gh-app``: act as the configured GitHub App."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from maverick_ext.commands import tree
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP

if TYPE_CHECKING:
    from maverick_ext.commands.app import App
    from maverick_ext.services.gh_app import AppSession


@click.group(
    "gh-app",
    cls=LazyGroup,
    epilog=EXIT_CODE_HELP,
    lazy=tree.GH_APP,
)
def gh_app() -> None:
    """Act as the GitHub App: status, token, gh -- ARGS.

    \b
    Configure once (docs/gh-app.md): github_app.app_id, .private_key_path and
    .installation_id in the config file, or MAVERICK_APP_ID,
    MAVERICK_APP_PRIVATE_KEY_PATH, MAVERICK_APP_INSTALLATION_ID. Any command runs as the
    App with --as-app (or github_app.act_as_app / MAVERICK_AS_APP=1).

    \b
    Example:
      gh maverick gh-app status && gh maverick gh-app gh -- issue comment 7 --body done
    """


def app_session(app: App, repo: str | None = None) -> AppSession:
    """The App's session on the host of ``-R``, GH_REPO or the clone (else GH_HOST)."""
    from maverick_ext.errors import MaverickError
    from maverick_ext.services.gh_app import AppSession

    try:
        resolved = app.resolve_repo(repo)
    except MaverickError:
        if repo:
            raise
        resolved = None  # no repository here: gh's own host choice (GH_HOST, github.com)
    return AppSession(app.github_app(), app.gh_client(resolved), app.env, app.wall_clock)
