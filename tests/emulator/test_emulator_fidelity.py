"""Response shapes validated against githubkit's models generated from GitHub's OpenAPI.

githubkit's package ``__init__`` currently fails to import with hishel 2.0 (it wants
``hishel.CachePolicy``), so we load only the pure-pydantic schema modules: a stub parent
package keeps githubkit's ``__init__`` from running while its ``compat``/``typing``/``utils``
submodules load normally.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
import sys
import types
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from maverick_ext.emulator import Emulator

from .conftest import REPO, Client

SCHEMAS = "githubkit_schemas.v2026_03_10.models"


@cache
def model(name: str) -> type[BaseModel]:
    """The githubkit model class ``name``, found by grepping the generated groups."""
    if "githubkit" not in sys.modules:
        spec = importlib.util.find_spec("githubkit")
        if spec is None or spec.submodule_search_locations is None:
            pytest.skip("githubkit is not installed")
        stub = types.ModuleType("githubkit")
        stub.__path__ = list(spec.submodule_search_locations)
        sys.modules["githubkit"] = stub
    package = importlib.util.find_spec(SCHEMAS)
    if package is None or package.submodule_search_locations is None:
        pytest.skip("githubkit schemas are not installed")
    pattern = re.compile(rf"^class {name}\(", re.M)
    for info in pkgutil.iter_modules(package.submodule_search_locations):
        source = Path(package.submodule_search_locations[0], f"{info.name}.py")
        if source.exists() and pattern.search(source.read_text()):
            return getattr(importlib.import_module(f"{SCHEMAS}.{info.name}"), name)
    raise LookupError(name)


def check(name: str, body: Any, many: bool = False) -> None:
    cls = model(name)
    if many:
        assert isinstance(body, list)
        assert body, f"nothing to validate for {name}"
        TypeAdapter(list[cls]).validate_python(body)  # type: ignore[valid-type]
    else:
        cls.model_validate(body)


def ok(reply: Any, status: int = 200) -> Any:
    assert reply.status == status, reply.raw
    return reply.json


@pytest.fixture
def busy(emu: Emulator, client: Client) -> Client:
    """The demo repo plus a comment, a closed issue, an open and a merged PR, a label."""
    client.post(f"{REPO}/issues/2/comments", {"body": "hello"})
    client.patch(f"{REPO}/issues/8", {"state": "closed", "assignees": ["maverick-sandbox"]})
    client.post(f"{REPO}/pulls", {"title": "open", "head": "a", "base": "main"})
    merged = client.post(f"{REPO}/pulls", {"title": "merged", "head": "b", "base": "main"})
    client.put(f"{REPO}/pulls/{merged.json['number']}/merge", {})
    return client


def test_meta(busy: Client) -> None:
    check("Root", ok(busy.get("/")))
    check("PrivateUser", ok(busy.get("/user")))
    check("PublicUser", ok(busy.get("/users/maverick-sandbox")))
    check("RateLimitOverview", ok(busy.get("/rate_limit")))
    check("FullRepository", ok(busy.get(REPO)))


def test_issues(busy: Client) -> None:
    check("Issue", ok(busy.get(f"{REPO}/issues?state=all&per_page=100")), many=True)
    check("Issue", ok(busy.get(f"{REPO}/issues/8")))
    check("Issue", ok(busy.post(f"{REPO}/issues", {"title": "t"}), 201))
    check("Issue", ok(busy.patch(f"{REPO}/issues/2", {"title": "t2"})))


def test_comments(busy: Client) -> None:
    listed = ok(busy.get(f"{REPO}/issues/2/comments"))
    check("IssueComment", listed, many=True)
    made = ok(busy.post(f"{REPO}/issues/2/comments", {"body": "b"}), 201)
    check("IssueComment", made)
    check("IssueComment", ok(busy.get(f"{REPO}/issues/comments/{made['id']}")))
    check("IssueComment", ok(busy.patch(f"{REPO}/issues/comments/{made['id']}", {"body": "c"})))


def test_labels(busy: Client) -> None:
    check("Label", ok(busy.get(f"{REPO}/labels")), many=True)
    check("Label", ok(busy.post(f"{REPO}/labels", {"name": "n", "color": "ffffff"}), 201))
    check("Label", ok(busy.get(f"{REPO}/labels/n")))
    check("Label", ok(busy.patch(f"{REPO}/labels/n", {"description": "d"})))
    check("Label", ok(busy.post(f"{REPO}/issues/2/labels", {"labels": ["x"]})), many=True)
    check("Label", ok(busy.put(f"{REPO}/issues/2/labels", {"labels": ["y"]})), many=True)
    check("Label", ok(busy.get(f"{REPO}/issues/2/labels")), many=True)


def test_sub_issues_and_dependencies(busy: Client) -> None:
    check("Issue", ok(busy.get(f"{REPO}/issues/1/sub_issues")), many=True)
    check("Issue", ok(busy.get(f"{REPO}/issues/2/parent")))
    eight = ok(busy.get(f"{REPO}/issues/8"))["id"]
    check("Issue", ok(busy.post(f"{REPO}/issues/1/sub_issues", {"sub_issue_id": eight}), 201))
    check("Issue", ok(busy.delete(f"{REPO}/issues/1/sub_issue", {"sub_issue_id": eight})))
    check("Issue", ok(busy.get(f"{REPO}/issues/4/dependencies/blocked_by")), many=True)
    check("Issue", ok(busy.get(f"{REPO}/issues/4/dependencies/blocking")), many=True)
    made = busy.post(f"{REPO}/issues/5/dependencies/blocked_by", {"issue_id": eight})
    check("Issue", ok(made, 201))
    check("Issue", ok(busy.delete(f"{REPO}/issues/5/dependencies/blocked_by/{eight}")))


def test_pulls(busy: Client) -> None:
    check("PullRequestSimple", ok(busy.get(f"{REPO}/pulls?state=all")), many=True)
    for number in (9, 10):
        check("PullRequest", ok(busy.get(f"{REPO}/pulls/{number}")))
    check("PullRequest", ok(busy.patch(f"{REPO}/pulls/9", {"title": "retitled"})))
    check(
        "PullRequest", ok(busy.post(f"{REPO}/pulls", {"title": "c", "head": "c", "base": "a"}), 201)
    )
    check("PullRequestMergeResult", ok(busy.put(f"{REPO}/pulls/9/merge", {})))


def test_git_refs(busy: Client) -> None:
    main = ok(busy.get(f"{REPO}/git/ref/heads/main"))
    check("GitRef", main)
    check("GitRef", ok(busy.get(f"{REPO}/git/matching-refs/heads")), many=True)
    sha = main["object"]["sha"]
    check("GitRef", ok(busy.post(f"{REPO}/git/refs", {"ref": "refs/heads/z", "sha": sha}), 201))
    check("GitRef", ok(busy.patch(f"{REPO}/git/refs/heads/z", {"sha": sha})))


def test_errors(busy: Client) -> None:
    check("BasicError", busy.get(f"{REPO}/issues/999").json)
    check("ValidationError", busy.post(f"{REPO}/labels", {"name": "bug"}).json)
