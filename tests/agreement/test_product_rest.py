"""Every REST request the product can send exists in GitHub's OpenAPI description.

Method, path, query parameters and literal body fields of every ``GhClient`` call site in
the product's source (``callsites.py``) are looked up in ``@octokit/openapi``. A call site
whose path cannot be read from the source fails too: then nobody would be checking it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .callsites import CallSite, all_call_sites, call_sites

_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _shape(template: str) -> str:
    return _PLACEHOLDER.sub("{}", template.strip("/"))


def deref(spec: dict[str, Any], node: Any) -> Any:
    """Follow ``$ref`` pointers (``#/components/...``) until a real object."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def body_properties(spec: dict[str, Any], schema: Any) -> set[str]:
    """Property names of a request body schema, across oneOf/anyOf/allOf alternatives."""
    schema = deref(spec, schema)
    if not isinstance(schema, dict):
        return set()
    names = set(schema.get("properties") or {})
    for key in ("oneOf", "anyOf", "allOf"):
        for alternative in schema.get(key) or ():
            names |= body_properties(spec, alternative)
    return names


def operations(openapi: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{shape: {METHOD: operation}}`` for every path template."""
    out: dict[str, dict[str, Any]] = {}
    for template, item in openapi["paths"].items():
        methods = out.setdefault(_shape(template), {})
        shared = item.get("parameters") or []
        for method, operation in item.items():
            if method.upper() in ("GET", "POST", "PATCH", "PUT", "DELETE"):
                methods[method.upper()] = {**operation, "_shared": shared}
    return out


def _ref_tail(bare: str, openapi: dict[str, Any], ops: dict[str, dict[str, Any]]) -> Any:
    """A git path whose template ends in ``{ref}``: GitHub's ref parameter spans slashes
    (``git/matching-refs/heads/feature``), so match the longest such template prefix."""
    segments = bare.split("/")
    for cut in range(len(segments) - 1, 0, -1):
        shape = _shape("/".join(segments[:cut]) + "/{ref}")
        templates = [t for t in openapi["paths"] if _shape(t) == shape and t.endswith("{ref}")]
        if templates:
            return ops[shape]
    return None


def problems(site: CallSite, openapi: dict[str, Any], ops: dict[str, dict[str, Any]]) -> list[str]:
    """What is wrong with one call site, per GitHub's description (empty when nothing)."""
    if site.problem or site.path is None:
        return [f"{site.where}: {site.problem}"]
    out = []
    for path in site.path.split("|"):
        bare, _, query = path.partition("?")
        methods = ops.get(_shape(bare)) or _ref_tail(bare.strip("/"), openapi, ops)
        if methods is None:
            out.append(f"{site.where}: GitHub has no path /{bare}")
            continue
        operation = methods.get(site.method)
        if operation is None:
            out.append(f"{site.where}: GitHub has no {site.method} /{bare}, only {sorted(methods)}")
            continue
        parameters = [deref(openapi, p) for p in operation.get("parameters", [])]
        parameters += [deref(openapi, p) for p in operation["_shared"]]
        known = {p["name"] for p in parameters if p.get("in") == "query"}
        # paginate() adds per_page; dynamic query strings ("pulls?{}") are not readable here.
        asked = {pair.partition("=")[0] for pair in query.split("&") if pair and pair != "{}"}
        if site.verb == "paginate":
            asked.add("per_page")
        out += [f"{site.where}: /{bare} takes no query parameter {q!r}" for q in asked - known]
        if site.fields and site.query is None:
            content = (deref(openapi, operation.get("requestBody")) or {}).get("content") or {}
            schema = (content.get("application/json") or {}).get("schema")
            allowed = body_properties(openapi, schema)
            extra = sorted(set(site.fields) - allowed)
            out += [f"{site.where}: {site.method} /{bare} has no body field {f!r}" for f in extra]
    return out


@pytest.fixture(scope="module")
def ops(openapi: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return operations(openapi)


def test_every_rest_call_the_product_makes_exists_on_github(
    openapi: dict[str, Any], ops: dict[str, dict[str, Any]]
) -> None:
    sites = [s for s in all_call_sites() if s.path != "graphql"]
    assert len(sites) >= 10  # the scan found the product's calls at all
    found = [p for site in sites for p in problems(site, openapi, ops)]
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('client.get(client.repo_path(f"isues/{n}"))', "no path /repos/{owner}/{repo}/isues/{}"),
        ('client.put(client.repo_path(f"issues/comments/{n}"), {"body": b})', "GitHub has no PUT"),
        ('client.post(client.repo_path("labels"), {"name": n, "colour": c})', "field 'colour'"),
        ('client.get(client.repo_path("issues?label=x"))', "takes no query parameter 'label'"),
        ("client.get(somewhere())", "cannot tell which method and path"),
    ],
)
def test_a_wrong_call_is_caught(
    openapi: dict[str, Any], ops: dict[str, dict[str, Any]], source: str, expected: str
) -> None:
    [site] = call_sites(f"def f(client, n, b, c):\n    {source}\n", "maverick_ext.fake")
    assert any(expected in p for p in problems(site, openapi, ops)), problems(site, openapi, ops)
