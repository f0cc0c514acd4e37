"""Schema loading, validation and execution, with errors shaped like GitHub's."""

from __future__ import annotations

import functools
import json
import logging
import re
from datetime import datetime
from importlib import resources
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_location,
    parse,
    validate,
    visit,
)
from graphql import execute_sync as gql_execute

from maverick_ext.emulator.gitdb import RefUpdateRejected

# Importing each resource's module registers its resolvers.
from maverick_ext.emulator.graphql import (  # noqa: F401
    checks,
    comments,
    git,
    identity,
    issues,
    labels,
    mutations,
    pulls,
    repos,
)
from maverick_ext.emulator.graphql.connection import PaginationError
from maverick_ext.emulator.graphql.fields import FIELDS, field_resolver
from maverick_ext.emulator.graphql.resolvers import (
    RESOLVERS,
    Context,
    GitHubError,
    default_resolver,
    typename,
)
from maverick_ext.emulator.store import Store, StoreError, Viewer, isoformat

log = logging.getLogger(__name__)

_NO_QUERY = "A query attribute must be specified and must be a string."
_INTERNAL = (
    "Something went wrong while executing your query. This may be the result of a timeout, "
    "or it could be a GitHub bug."
)


@functools.cache
def schema(int32_database_id: bool = True, update_refs: bool = True) -> GraphQLSchema:
    """The subset schema with resolvers attached; built once per process and strictness.

    With ``int32_database_id`` ``databaseId`` keeps graphql-core's 32-bit Int check, as a
    real GraphQL server must: an id beyond 2**31-1 is a field error, not a value. Without
    ``update_refs`` the schema is an older GitHub Enterprise Server's: no
    ``Mutation.updateRefs``, so a document naming it fails validation as a whole.
    """
    sdl = resources.files(__package__).joinpath("schema.graphql").read_text(encoding="utf-8")
    built = build_schema(sdl)
    for type_name, fields in RESOLVERS.items():
        gql_type = built.type_map[type_name]
        assert isinstance(gql_type, GraphQLObjectType), type_name
        for field_name, fn in fields.items():
            # A resolver for a field the SDL lacks is a typo; fail at build, not per request.
            gql_type.fields[field_name].resolve = fn
    for type_name, rows in FIELDS.items():
        gql_type = built.type_map[type_name]
        assert isinstance(gql_type, GraphQLObjectType), type_name
        for field_name, source in rows.items():
            assert field_name not in RESOLVERS.get(type_name, {}), f"{type_name}.{field_name} twice"
            gql_type.fields[field_name].resolve = field_resolver(source)
    for gql_type in built.type_map.values():
        if isinstance(gql_type, GraphQLInterfaceType | GraphQLUnionType):
            gql_type.resolve_type = typename
        lax = not int32_database_id
        if lax and isinstance(gql_type, GraphQLObjectType) and "databaseId" in gql_type.fields:
            gql_type.fields["databaseId"].type = _DATABASE_ID
    for timestamp in ("DateTime", "GitTimestamp"):
        _set_output(built.type_map[timestamp], _datetime)
    if not update_refs:
        assert built.mutation_type is not None
        del built.mutation_type.fields["updateRefs"]
    return built


def _set_output(scalar: Any, coerce: Any) -> None:
    """Set a scalar's output coercion (``serialize`` in graphql-core 3.2, renamed in 3.3)."""
    for attr in ("coerce_output_value", "serialize"):
        if attr in vars(scalar):
            setattr(scalar, attr, coerce)


def _datetime(value: Any) -> Any:
    return isoformat(value) if isinstance(value, datetime) else value


# With the Faults knob ``int32_database_id`` off, ``databaseId`` carries ids past 2**31 (a
# lenient GitHub that never existed; for comparing against older clients). The scalar is
# renamed after construction because graphql-core forbids defining "Int" anew; introspection
# still shows these fields as Int, as GitHub does.
_DATABASE_ID = GraphQLScalarType("DatabaseIdInt", description=GraphQLInt.description)
_DATABASE_ID.name = "Int"
_set_output(_DATABASE_ID, int)


def _github_rules_filter(error: GraphQLError) -> bool:
    # GitHub (graphql-ruby) accepts same-named fields of different types in fragments on
    # mutually exclusive types; gh relies on it (Issue.state vs PullRequest.state).
    return "they return conflicting types" not in error.message


@functools.lru_cache(maxsize=256)
def _prepare(
    query: str, update_refs: bool = True
) -> tuple[DocumentNode | None, tuple[GraphQLError, ...]]:
    """Parse and validate a query once; gh sends the same few documents over and over."""
    try:
        document = parse(query)
    except GraphQLError as err:
        return None, (err,)
    # Positional, as in ``_run``: functools.cache keys on how it is called, and a second
    # build of the schema costs about a second of CPU per process.
    checked = schema(True, update_refs)
    errors = tuple(e for e in validate(checked, document) if _github_rules_filter(e))
    return (None, errors) if errors else (document, ())


@functools.lru_cache(maxsize=256)
def _absent_fields_named(
    document: DocumentNode, absent: frozenset[str]
) -> tuple[dict[str, Any], ...]:
    """GitHub's static-validation errors for selections of ``Issue`` fields this server lacks
    (the ``absent_issue_fields`` knob: older servers have no blockedBy or sub-issues)."""
    type_info = TypeInfo(schema())
    found: list[dict[str, Any]] = []

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            name = node.name.value
            if parent is None or parent.name != "Issue" or name not in absent:
                return
            error: dict[str, Any] = {
                "message": f"Field '{name}' doesn't exist on type 'Issue'",
                "extensions": {"code": "undefinedField", "typeName": "Issue", "fieldName": name},
            }
            if node.loc is not None:
                where = get_location(node.loc.source, node.loc.start)
                error["locations"] = [{"line": where.line, "column": where.column}]
            found.append(error)

    visit(document, TypeInfoVisitor(type_info, Finder()))
    return tuple(found)


_RENAMES = (
    (
        re.compile(r"^Cannot query field '(\w+)' on type '(\w+)'\..*$", re.S),
        r"Field '\1' doesn't exist on type '\2'",
        lambda m: {"code": "undefinedField", "typeName": m[2], "fieldName": m[1]},
    ),
    (
        re.compile(r"^Unknown argument '(\w+)' on field '(\w+)\.(\w+)'\..*$", re.S),
        r"Field '\3' doesn't accept argument '\1'",
        lambda m: {
            "code": "argumentNotAccepted",
            "name": m[3],
            "typeName": "Field",
            "argumentName": m[1],
        },
    ),
)


def _format(error: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {}
    message = error.message
    original = error.original_error
    if isinstance(original, GitHubError | PaginationError):
        out["type"] = original.type
    elif isinstance(original, RefUpdateRejected):
        message = _INTERNAL  # GitHub says nothing about which check failed
    elif isinstance(original, StoreError):
        out["type"] = "NOT_FOUND" if original.status == 404 else "UNPROCESSABLE"
    elif isinstance(original, GraphQLError):
        message = original.message  # a value the field's type cannot carry (Int overflow)
    elif original is not None:
        log.error("GraphQL resolver failed", exc_info=original)
        message = _INTERNAL
    else:
        for pattern, replacement, extensions in _RENAMES:
            m = pattern.match(message)
            if m:
                message = m.expand(replacement)
                out["extensions"] = extensions(m)
                break
    if error.path:
        out["path"] = list(error.path)
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    out["message"] = message
    return out


def run(store: Store, viewer: Viewer, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        return _run(store, viewer, payload)
    except Exception:  # the server must answer, whatever a resolver bug does
        log.exception("GraphQL request failed")
        return {"errors": [{"message": _INTERNAL}]}


def _run(store: Store, viewer: Viewer, payload: dict[str, Any]) -> dict[str, Any]:
    query = payload.get("query") if isinstance(payload, dict) else None
    if not isinstance(query, str):
        return {"errors": [{"message": _NO_QUERY}]}
    variables = payload.get("variables")
    if isinstance(variables, str):  # some clients send the variables JSON-encoded
        variables = json.loads(variables) if variables.strip() else None
    if variables is not None and not isinstance(variables, dict):
        return {"errors": [{"message": "Variables are invalid JSON."}]}
    update_refs = not store.faults.update_refs_missing
    document, errors = _prepare(query, update_refs)
    if document is None:
        return {"errors": [_format(e) for e in errors]}
    absent = store.faults.absent_issue_field_set()
    if absent and (undefined := _absent_fields_named(document, absent)):
        return {"errors": list(undefined)}
    result = gql_execute(
        schema(store.faults.int32_database_id, update_refs),
        document,
        context_value=Context(store, viewer, store.visibility_clock()),
        variable_values=variables,
        operation_name=payload.get("operationName") or None,
        field_resolver=default_resolver,
    )
    out: dict[str, Any] = {}
    if result.data is not None:
        out["data"] = result.data
    if result.errors:
        out["errors"] = [_format(e) for e in result.errors]
    return out
