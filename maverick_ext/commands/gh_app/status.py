"""``gh maverick gh-app status``."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import json_option, repo_option
from maverick_ext.commands.output import echo, emit_json
from maverick_ext.errors import MaverickError


@click.command(
    "status",
    epilog="""\b
Examples:
  gh maverick gh-app status
  gh maverick gh-app status --json | jq -r .app_slug

\b
Signs the App's JWT and asks GitHub who the App is (GET /app: one call); the token
expiry is the cached installation token's, if any (`gh-app token` mints one). The token
itself is never shown.
Exit codes: 0 configured and GitHub accepts the App, 1 not configured (the output says
which keys are missing), 4 GitHub refused the JWT, 15 the private key is missing or
unreadable, 14 GitHub unavailable.
--json prints: {"configured": true, "app_id": "123", "app_slug": "maverick",
  "installation_id": 42, "token_expires_at": "2026-11-21T13:00:00Z" | null,
  "act_as_app": false, "missing": []}""",
)
@repo_option
@json_option
@pass_app
def status(app: App, repo: str | None, as_json: bool) -> None:
    """Is the App configured? Slug, installation, token expiry."""
    from maverick_ext.commands.gh_app import app_session
    from maverick_ext.github import app as gh_app
    from maverick_ext.services.gh_app import app_jwt

    settings = app.github_app()
    report: dict[str, object] = {
        "configured": settings.configured,
        "app_id": settings.app_id or None,
        "app_slug": None,
        "installation_id": settings.installation_id,
        "token_expires_at": None,
        "act_as_app": app.acting_as_app(),
        "missing": settings.missing(),
    }
    if settings.configured:
        session = app_session(app, repo)
        jwt = app_jwt(settings, session.wall_clock())
        report["app_slug"] = gh_app.authenticated_app(session.client, jwt).get("slug")
        cached = session.cached()
        if cached is not None:
            report["token_expires_at"] = cached.to_json()["expires_at"]
    if as_json:
        emit_json(report)
    else:
        echo(f"configured: {str(settings.configured).lower()}")
        if settings.configured:
            echo(f"app: {report['app_slug']} (id {settings.app_id})")
            echo(f"installation: {settings.installation_id}")
            expiry = report["token_expires_at"] or "none cached (gh maverick gh-app token)"
            echo(f"token expires: {expiry}")
            echo(f"act as app: {str(report['act_as_app']).lower()}")
        else:
            echo(f"missing: {', '.join(settings.missing())}")
    if not settings.configured:
        raise MaverickError(
            "no GitHub App configured",
            "set github_app.app_id, .private_key_path and .installation_id (docs/gh-app.md)",
        )
