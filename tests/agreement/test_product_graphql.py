"""Every GraphQL document the product can send validates against GitHub's schema.

Documents come from the product itself: each ``client.graphql(...)`` / ``POST graphql``
call site in the source (``callsites.py``) names either a module constant (read from the
imported module) or a document built at run time — those are built by running the
product's own function (a ``DRIVERS`` entry) against an in-process emulator and recording
what it sends. A new dynamic call site without a driver fails this test.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from graphql import GraphQLSchema, parse, validate

from maverick_ext.core.refs import RepoRef
from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.github.client import GhClient
from maverick_ext.process import ProcessResult

from .callsites import CallSite, all_call_sites


class EmulatorRun:
    """A ``process.run`` for ``gh api`` that answers from an in-process emulator, recording."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.sent: list[tuple[str, str, Any]] = []

    def __call__(self, argv: list[str], *, input: str | None = None, **_: Any) -> ProcessResult:
        method, path = argv[argv.index("--method") + 1], argv[-1]
        body = json.loads(input) if input else None
        self.sent.append((method, path, body))
        headers = {"Authorization": "token agreement", "Host": "api.github.localhost"}
        answer = self.emulator.handle(method, f"/{path}", headers, (input or "").encode())
        head = "".join(f"{k}: {v}\r\n" for k, v in answer.headers.items())
        stdout = f"HTTP/1.1 {answer.status} X\r\n{head}\r\n{answer.encoded().decode()}"
        return ProcessResult(tuple(argv), 0 if answer.status < 400 else 1, stdout, "")

    def documents(self) -> list[str]:
        return [b["query"] for m, p, b in self.sent if p == "graphql" and isinstance(b, dict)]


def recording_client() -> tuple[GhClient, EmulatorRun]:
    run = EmulatorRun(Emulator(seed="demo"))
    return GhClient(repo=RepoRef(OWNER, REPO), run=run, sleep=lambda _: None), run


@functools.cache
def _issue_batches() -> list[str]:
    from maverick_ext.github import issues

    client, run = recording_client()
    issues.fetch_issues(client, range(1, 2 + issues.BATCH_SIZE))  # two batches, some missing
    issues.fetch_issue(client, 2)  # the issue snapshot
    issues.fetch_epic(client, 1)  # the epic with its stories and the claim refs
    return run.documents()


@functools.cache
def _connection_pages() -> list[str]:
    """The follow-up page query of every paged connection of an issue snapshot."""
    from maverick_ext.errors import MaverickError
    from maverick_ext.github import issues

    client, run = recording_client()
    first_page = {"pageInfo": {"hasNextPage": True, "endCursor": "Y3Vyc29yOnYyOlswXQ=="}}
    for connection in issues.PAGED_CONNECTIONS:
        # Only the document matters here, not what the emulator answers to it.
        with contextlib.suppress(MaverickError, KeyError, TypeError):
            issues._more_nodes(client, 2, connection, first_page)
    return run.documents()


@functools.cache
def _claim_lifecycle() -> list[str]:
    """Every document of the ref claim protocol: read, CAS, comment, beat, release, list."""
    from maverick_ext.services.claims import ClaimSettings, Coordinator
    from maverick_ext.services.identity import Identity

    client, run = recording_client()
    agent = Coordinator(client, Identity("agreement", "test-host"), lambda _: None, lambda: 0.0)
    agent.claim([2], ClaimSettings())
    agent.heartbeat(2)
    agent.release(2, "complete")
    agent.claim([3], ClaimSettings())
    agent.release_all("session-end")
    return run.documents()


# "module:function" of a call site whose document is built at run time -> how to build it.
DRIVERS: dict[str, Callable[[], list[str]]] = {
    "maverick_ext.github.issues:_attempt_tolerating_missing": _issue_batches,
    "maverick_ext.github.issues:_more_nodes": _connection_pages,
    "maverick_ext.github.claim_refs:read_claims": _claim_lifecycle,
    "maverick_ext.github.claim_refs:_mutate": _claim_lifecycle,
    "maverick_ext.github.claim_refs:beat": _claim_lifecycle,
    "maverick_ext.github.claim_refs:list_claim_refs": _claim_lifecycle,
}


def documents_of(site: CallSite) -> list[str] | str:
    """The documents one call site sends, or why they cannot be known."""
    query = site.query
    if isinstance(query, ast.Constant) and isinstance(query.value, str):
        return [query.value]  # written inline
    if isinstance(query, ast.Name):
        value = getattr(importlib.import_module(site.module), query.id, None)
        if isinstance(value, str):
            return [value]
    driver = DRIVERS.get(f"{site.module}:{site.function}")
    if driver is None:
        return (
            f"{site.where}: the GraphQL document is built at run time; add a DRIVERS entry "
            f"for {site.module}:{site.function} in tests/agreement/test_product_graphql.py"
        )
    built = driver()
    return built or f"{site.where}: its driver sent no GraphQL document"


def invalid(schema: GraphQLSchema, document: str) -> list[str]:
    return [error.message for error in validate(schema, parse(document))]


def test_every_graphql_document_the_product_sends_is_valid_on_github(
    github_schema: GraphQLSchema,
) -> None:
    sites = [s for s in all_call_sites() if s.query is not None]
    assert len(sites) >= 3
    found: list[str] = []
    checked = 0
    for site in sites:
        documents = documents_of(site)
        if isinstance(documents, str):
            found.append(documents)
            continue
        for document in documents:
            checked += 1
            found += [f"{site.where}: {message}" for message in invalid(github_schema, document)]
    assert found == []
    assert checked >= len(sites)


def test_dynamic_documents_are_built_for_real() -> None:
    from maverick_ext.github.issues import PAGED_CONNECTIONS

    batches = _issue_batches()
    assert len(batches) == 4  # two batches, the snapshot, the epic
    assert "i1: issueOrPullRequest(number: 1)" in batches[0]
    assert 'claimRefs: refs(refPrefix: "refs/maverick/claims/"' in batches[3]
    pages = _connection_pages()
    assert len(pages) >= len(PAGED_CONNECTIONS)
    for connection in PAGED_CONNECTIONS:
        assert any(f"{connection}(first: 100, after: $after)" in page for page in pages)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("{ viewer { login nickname } }", "Cannot query field 'nickname' on type 'User'"),
        (
            '{ repository(owner: "o", name: "r") { issue(number: 1) { comments { nodes { id } } } } }',
            None,  # schema-valid; the missing `first` is a run-time error on GitHub
        ),
        (
            'mutation { addLabelsToLabelable(input: {labelableId: "x"}) { clientMutationId } }',
            "labelIds",
        ),
    ],
)
def test_the_check_rejects_what_github_rejects(
    github_schema: GraphQLSchema, document: str, expected: str | None
) -> None:
    messages = " ".join(invalid(github_schema, document))
    if expected is None:
        assert messages == ""
    else:
        assert expected in messages
