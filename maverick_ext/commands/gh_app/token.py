"""``gh maverick gh-app token``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import echo, emit_json


@click.command(
    "token",
    epilog="""\b
Examples:
  gh maverick gh-app token                       # mint or reuse; prints the expiry
  GH_TOKEN="$(gh maverick gh-app token --print)" git push ...

\b
Signs a JWT with the App's private key (RS256; iat 60 s back, exp 9 min ahead) and
exchanges it for an installation access token (GET /app, then POST
/app/installations/{id}/access_tokens: two calls). The token is cached in
$XDG_STATE_HOME/gh-maverick/gh-app/ (mode 0600) and reused until five minutes before it
expires (no call at all). Only --print writes the token itself, to stdout.
Exit codes: 0 a usable token, 2 no App configured or installation not found, 4 GitHub
refused the JWT, 15 the private key is missing or unreadable, 14 GitHub unavailable.
--json prints: {"app_slug": "maverick", "installation_id": 42,
  "expires_at": "2026-11-21T13:00:00Z", "cached": true}""",
)
@click.option("--renew", is_flag=True, help="Mint a new token even if the cached one is usable.")
@click.option("--print", "print_token", is_flag=True, help="Print only the token, on stdout.")
@repo_option
@json_option
@pass_app
def token(app: App, renew: bool, print_token: bool, repo: str | None, as_json: bool) -> None:
    """Mint (or reuse the cached) installation access token."""
    from maverick_ext.commands.gh_app import app_session

    session = app_session(app, repo)
    reused = None if renew else session.cached()
    minted = reused or session.token(renew=True)
    if print_token:
        echo(minted.token)
        return
    document = {
        "app_slug": minted.app_slug,
        "installation_id": minted.installation_id,
        "expires_at": minted.to_json()["expires_at"],
        "cached": reused is not None,
    }
    if as_json:
        emit_json(document)
    else:
        how = "cached" if reused is not None else "minted"
        echo(
            f"{how} a token for {minted.app_slug or 'the App'} (installation "
            f"{minted.installation_id}), valid until {document['expires_at']}"
        )
