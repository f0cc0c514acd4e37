"""The emulator's GraphQL endpoint: graphql-core over a subset of GitHub's schema.

graphql-core is imported only when the first GraphQL request arrives, so REST-only runs
(and ``gh maverick`` start-up) never pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from maverick_ext.emulator.store import Store, Viewer


def execute(store: Store, viewer: Viewer, payload: dict[str, Any]) -> dict[str, Any]:
    """Run one GraphQL request (``query``, ``variables``, ``operationName``) as ``viewer``.

    Returns GitHub's response document: ``data`` and/or ``errors``. Never raises; the caller
    holds the store lock and answers HTTP 200 with the result.
    """
    from maverick_ext.emulator.graphql.engine import run

    return run(store, viewer, payload)


__all__ = ["execute"]
