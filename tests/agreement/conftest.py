"""GitHub's published descriptions, fetched with npm at test time and cached.

The GraphQL schema (``@octokit/graphql-schema``) and the REST description
(``@octokit/openapi``) are pinned so a run is reproducible; bump a version here to check
against a newer GitHub (and drop overlay entries the package then carries). They are fetched
with ``npm pack`` into the test cache (``tests.registries``),
never into the repository, and parsed once per session. Only when npm itself cannot be
reached are the tests skipped, with the reason.
"""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.registries import NPM_OFFLINE, cache_dir, download

# The SDL, not the package's schema.json: that introspection dump lags behind it (15.26.1's
# lacks sub-issues and the DUPLICATE close reason that its schema.graphql has).
GRAPHQL_PACKAGE = ("@octokit/graphql-schema", "15.26.1", "package/schema.graphql")
OPENAPI_PACKAGE = ("@octokit/openapi", "23.0.2", "package/generated/api.github.com.json")
OVERLAY = Path(__file__).with_name("overlay.graphql")


def fetch(package: tuple[str, str, str]) -> Path:
    """The one file of an npm package the tests need, extracted into the cache."""
    name, version, member = package
    target = cache_dir() / "npm" / f"{name.replace('/', '+')}-{version}" / Path(member).name
    if target.exists():
        return target
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed: cannot fetch {name}@{version}")
    with tempfile.TemporaryDirectory() as tmp:
        download(
            [npm, "pack", f"{name}@{version}", "--pack-destination", tmp, "--silent"],
            registry="npm registry",
            what=f"{name}@{version}",
            offline=NPM_OFFLINE,
            cwd=tmp,
        )
        [tarball] = Path(tmp).glob("*.tgz")
        with tarfile.open(tarball) as archive:
            source = archive.extractfile(member)
            assert source is not None, f"{member} missing from {name}@{version}"
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            partial.write_bytes(source.read())
            partial.replace(target)  # atomic: a parallel run never reads half a file
    return target


@pytest.fixture(scope="session")
def package_schema() -> Any:
    """GitHub's GraphQL schema exactly as the package publishes it (no overlay).

    Lexing 1.2 MB of SDL takes seconds, so the first run stores the built schema's
    introspection next to it; later runs rebuild from that JSON, several times faster.
    """
    from graphql import build_ast_schema, build_client_schema, introspection_from_schema, parse

    sdl = fetch(GRAPHQL_PACKAGE)
    built = sdl.with_name("schema.introspection.json")
    if built.exists():
        return build_client_schema(json.loads(built.read_text(encoding="utf-8")), assume_valid=True)
    # The published SDL defines a few fields twice (EnterpriseOwnerInfo) and deprecates some
    # interface implementations, against graphql-core's rules: take it as GitHub serves it.
    document = parse(sdl.read_text(encoding="utf-8"), no_location=True)
    schema = build_ast_schema(document, assume_valid=True, assume_valid_sdl=True)
    partial = built.with_suffix(".partial")
    partial.write_text(json.dumps(introspection_from_schema(schema)), encoding="utf-8")
    partial.replace(built)
    return schema


@pytest.fixture(scope="session")
def github_schema(package_schema: Any) -> Any:
    """GitHub's GraphQL schema plus the committed overlay of newer fields."""
    from graphql import extend_schema, parse

    overlay = parse(OVERLAY.read_text(encoding="utf-8"))
    return extend_schema(package_schema, overlay, assume_valid=True)


@pytest.fixture(scope="session")
def openapi() -> dict[str, Any]:
    """GitHub's REST description for api.github.com."""
    return json.loads(fetch(OPENAPI_PACKAGE).read_text(encoding="utf-8"))
