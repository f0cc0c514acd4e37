"""An emulator that counts what each command costs: API calls, writes, comments created."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from maverick_ext.emulator import Emulator, Faults
from maverick_ext.emulator.rest import Request, Response
from maverick_ext.emulator.server import ADMIN_PREFIX


@dataclass(frozen=True)
class Counts:
    calls: int = 0
    writes: int = 0
    comments: int = 0

    def __sub__(self, other: Counts) -> Counts:
        return Counts(
            self.calls - other.calls, self.writes - other.writes, self.comments - other.comments
        )


class MeteredEmulator(Emulator):
    """The loopback emulator plus running totals.

    Its request log has method, path and GraphQL operation name but not the query text,
    and gh's porcelain sends reads and mutations alike as POST /graphql: telling them
    apart needs the body, so `handle` classifies each request as it passes. Comments are
    counted where the store creates them, whichever front end (REST or GraphQL) asked.
    """

    def __init__(self, seed: str = "demo", faults: Faults | None = None) -> None:
        super().__init__(seed=seed, faults=faults)
        self._meter_lock = threading.Lock()
        self._calls = 0
        self._writes = 0
        self._comments = 0
        create = self.store.add_comment

        def add_comment(*args: Any, **kwargs: Any) -> Any:
            comment = create(*args, **kwargs)
            with self._meter_lock:
                self._comments += 1
            return comment

        self.store.add_comment = add_comment  # type: ignore[method-assign]

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        response = super().handle(method, target, headers, body)
        req = Request.parse(method, target, headers, body)
        if not req.path.startswith(ADMIN_PREFIX.rstrip("/")):
            write = _is_write(req)
            with self._meter_lock:
                self._calls += 1
                self._writes += write
        return response

    def counts(self) -> Counts:
        with self._meter_lock:
            return Counts(self._calls, self._writes, self._comments)


def _is_write(req: Request) -> bool:
    if req.method in ("GET", "HEAD"):
        return False
    if req.path in ("/graphql", "/api/graphql"):
        return _is_mutation(req.body)
    return True


def _is_mutation(body: bytes) -> bool:
    """Whether a GraphQL request runs a mutation (unparseable bodies count as writes)."""
    from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse

    try:
        payload = json.loads(body)
        document = parse(payload["query"])
    except (ValueError, KeyError, TypeError, GraphQLError):
        return True
    name = payload.get("operationName")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [op for op in operations if name is None or (op.name and op.name.value == name)]
    return any(op.operation == OperationType.MUTATION for op in chosen[:1])
