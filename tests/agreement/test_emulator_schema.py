"""The emulator's GraphQL SDL agrees with GitHub's published schema (overlay aside).

Every type, field, argument, interface, enum value and union member the emulator declares
exists on GitHub with the same type; GitHub's deprecations are marked; and nothing GitHub
requires (a non-null argument or input field without default) is missing, so the emulator
never accepts a request GitHub would refuse for want of it.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    is_required_argument,
    is_required_input_field,
    parse,
)
from graphql.language import TypeExtensionNode

from .conftest import OVERLAY


@pytest.fixture(scope="module")
def emulator_schema() -> GraphQLSchema:
    sdl = resources.files("maverick_ext.emulator.graphql").joinpath("schema.graphql")
    return build_schema(sdl.read_text(encoding="utf-8"))


def _required(fields: dict[str, Any], check: Any) -> set[str]:
    return {name for name, f in fields.items() if check(f)}


def disagreements(emulator: GraphQLSchema, github: GraphQLSchema) -> list[str]:
    """Every way ``emulator`` declares something ``github`` does not, one line each."""
    out: list[str] = []
    for name, ours in emulator.type_map.items():
        if name.startswith("__"):
            continue
        theirs = github.type_map.get(name)
        if theirs is None:
            out.append(f"type {name} does not exist on GitHub")
            continue
        if type(theirs) is not type(ours):
            out.append(f"{name} is a {type(ours).__name__} here, {type(theirs).__name__} there")
            continue
        if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType):
            extra = {i.name for i in ours.interfaces} - {i.name for i in theirs.interfaces}
            out += [f"{name} implements {i}, GitHub's does not" for i in sorted(extra)]
        if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            out += _field_disagreements(name, ours, theirs)
        if isinstance(ours, GraphQLEnumType):
            extra = set(ours.values) - set(theirs.values)
            out += [f"enum {name} has no value {v} on GitHub" for v in sorted(extra)]
        if isinstance(ours, GraphQLUnionType):
            extra = {t.name for t in ours.types} - {t.name for t in theirs.types}
            out += [f"union {name} has no member {t} on GitHub" for t in sorted(extra)]
    return out


def _field_disagreements(name: str, ours: Any, theirs: Any) -> list[str]:
    out: list[str] = []
    if isinstance(ours, GraphQLInputObjectType):
        missing = _required(theirs.fields, is_required_input_field) - set(ours.fields)
        out += [f"input {name}.{f} is required on GitHub but missing here" for f in missing]
    for field_name, field in ours.fields.items():
        where = f"{name}.{field_name}"
        other = theirs.fields.get(field_name)
        if other is None:
            out.append(f"{where} does not exist on GitHub")
            continue
        if str(field.type) != str(other.type):
            out.append(f"{where} is {field.type} here, {other.type} on GitHub")
        if getattr(other, "deprecation_reason", None) and not field.deprecation_reason:
            out.append(f"{where} is deprecated on GitHub: {other.deprecation_reason}")
        if not hasattr(field, "args"):
            continue
        missing = _required(other.args, is_required_argument) - set(field.args)
        out += [f"{where}({a}:) is required on GitHub but missing here" for a in missing]
        for arg_name, arg in field.args.items():
            other_arg = other.args.get(arg_name)
            if other_arg is None:
                out.append(f"{where}({arg_name}:) does not exist on GitHub")
            elif str(arg.type) != str(other_arg.type):
                out.append(f"{where}({arg_name}:) is {arg.type} here, {other_arg.type} on GitHub")
    return out


def test_emulator_sdl_agrees_with_github(
    emulator_schema: GraphQLSchema, github_schema: GraphQLSchema
) -> None:
    assert disagreements(emulator_schema, github_schema) == []


def test_overlay_adds_only_what_the_package_lacks(package_schema: GraphQLSchema) -> None:
    """An overlay entry the package now carries must go (the package is the authority)."""
    redundant = []
    for definition in parse(OVERLAY.read_text(encoding="utf-8")).definitions:
        name = definition.name.value  # type: ignore[attr-defined]
        existing = package_schema.type_map.get(name)
        if isinstance(definition, TypeExtensionNode):
            fields = [f.name.value for f in definition.fields or ()]  # type: ignore[attr-defined]
            redundant += [f"{name}.{f}" for f in fields if f in existing.fields]  # type: ignore[union-attr]
        elif existing is not None:
            redundant.append(name)
    assert redundant == []


def test_the_check_catches_drift(github_schema: GraphQLSchema) -> None:
    """The comparison itself: each kind of drift issue #10 found is reported."""
    drifted = build_schema(
        """
        type Query { viewer: User! }
        interface Node { id: ID! }
        interface UniformResourceLocatable { url: URI! }
        scalar URI
        scalar DateTime
        type User implements Node { id: ID! login: String! invented: Int }
        type IssueComment implements Node & UniformResourceLocatable { id: ID! url: URI! }
        type GitActor { date: DateTime }
        input AddLabelsToLabelableInput { labelIds: [ID!] labelableId: ID! }
        input CreateIssueInput { title: String! }
        type ReactionGroup { users(first: Int): ReactingUserConnection! }
        type ReactingUserConnection { totalCount: Int! }
        """
    )
    found = "\n".join(disagreements(drifted, github_schema))
    for expected in (
        "User.invented does not exist on GitHub",
        "IssueComment implements UniformResourceLocatable",
        "GitActor.date is DateTime here, GitTimestamp on GitHub",
        "AddLabelsToLabelableInput.labelIds is [ID!] here, [ID!]! on GitHub",
        "input CreateIssueInput.repositoryId is required on GitHub but missing here",
        "ReactionGroup.users is deprecated on GitHub",
    ):
        assert expected in found
    assert isinstance(github_schema.type_map["Int"], type(github_schema.type_map["Float"]))
    assert not isinstance(github_schema.type_map["Issue"], GraphQLNonNull)
