"""The `gh maverick` command tree. Only names and one-line help live here."""

from __future__ import annotations

import click

from maverick_ext import __version__
from maverick_ext.commands import tree
from maverick_ext.commands.app import App
from maverick_ext.commands.lazy import LazyGroup
from maverick_ext.errors import EXIT_CODE_HELP


@click.group(
    cls=LazyGroup,
    lazy=tree.ROOT,
    epilog=EXIT_CODE_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="gh-maverick")
# GH_DEBUG is read by cli.main with gh's rule (any value but "", 0, false, no; `api` too):
# click's boolean parsing would refuse gh's own documented `GH_DEBUG=api`.
@click.option("--debug", is_flag=True, help="Print every gh call on stderr (or set GH_DEBUG).")
@click.option(
    "--as-app",
    is_flag=True,
    help="Act as the configured GitHub App (its installation token; see gh-app).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, as_app: bool) -> None:
    """Coordinate many coding agents on one GitHub repository.

    \b
    Examples:
      gh maverick claim 123                 # exit 0 = you own #123
      gh maverick heartbeat 123 --loop &    # keep the lease alive
      gh maverick release 123 --reason merged
      gh maverick epic next 100 --json | jq -r '.stories[].number' | xargs -n1 gh maverick claim
    """
    app = ctx.ensure_object(App)
    app.debug = app.debug or debug
    app.as_app = app.as_app or as_app
