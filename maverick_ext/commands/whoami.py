"""`gh maverick whoami`: this instance, its host, the gh account, and whether it counts."""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.options import instance_option, json_option, repo_option
from maverick_ext.commands.output import echo, emit_json
from maverick_ext.errors import EXIT_CODE_HELP


@click.command(
    "whoami", short_help="This instance's id, host and gh account.", epilog=EXIT_CODE_HELP
)
@instance_option
@repo_option
@json_option
@pass_app
def whoami(app: App, instance: str | None, repo: str | None, as_json: bool) -> None:
    """This instance's id and how it was resolved, the host, the gh account, and whether
    this repository honours that account's claim markers (it must be able to write).

    Cost: 1 call (the account and its permission on the repository together).

    \b
    Examples:
      gh maverick whoami
      export MAVERICK_INSTANCE_ID=$(gh maverick whoami --json | jq -r .instance_id)

    \b
    JSON: {"schema_version": 1, "instance_id": str, "source": str, "host": str,
           "repo": "OWNER/REPO", "account": str, "permission": str, "honoured": bool}
    """
    from maverick_ext.core.trust import can_write
    from maverick_ext.github.issues import viewer_access
    from maverick_ext.services.identity import resolve_identity

    identity = resolve_identity(app.env, instance, app.cwd)
    client = app.client(app.resolve_repo(repo))
    full_name = client.require_repo().full_name
    account, permission = viewer_access(client)
    honoured = can_write({"permission": permission})
    document = {
        "instance_id": identity.instance_id,
        "source": identity.source,
        "host": identity.host,
        "repo": full_name,
        "account": account,
        "permission": permission.lower(),
        "honoured": honoured,
    }
    if as_json:
        emit_json(document)
        return
    echo(f"instance  {identity.instance_id}  ({identity.source})")
    echo(f"host      {identity.host}")
    echo(f"account   {account} on {full_name} ({permission.lower()})")
    echo(
        "markers   honoured (the account can write)"
        if honoured
        else "markers   NOT honoured: the account cannot write to this repository, so other "
        "instances ignore its claims"
    )
