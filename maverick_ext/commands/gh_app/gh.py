"""``gh maverick gh-app gh -- ARGS...``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app


@click.command(
    "gh",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
    epilog="""\b
Examples:
  gh maverick gh-app gh -- issue comment 7 --body-file /tmp/dag-marker.md
  gh maverick gh-app gh -- api user            # who the App acts as

\b
Runs gh with the App's installation token (cached, or minted as `gh-app token` does) in
the child's environment only (GH_TOKEN, GH_ENTERPRISE_TOKEN); gh's own stdin, stdout and
stderr are the terminal's. Put `--` before gh's arguments.
Exit codes: gh's own, or 2 no App configured / installation not found, 4 GitHub refused
the JWT, 15 the private key is missing or unreadable, 14 GitHub unavailable.""",
)
@click.argument("gh_args", nargs=-1, required=True, type=click.UNPROCESSED, metavar="ARGS...")
@pass_app
def gh(app: App, gh_args: tuple[str, ...]) -> int:
    """Run gh as the App (gh-app gh -- ARGS)."""
    from maverick_ext.commands.gh_app import app_session
    from maverick_ext.github.app import run_gh

    minted = app_session(app).token()
    return run_gh(list(gh_args), app.env, minted.token)
