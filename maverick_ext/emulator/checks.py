"""Check runs, commit statuses, a commit's status rollup, and a pull request's mergeability.

Facts (docs/github-facts.md, "Checks and mergeability"), stricter than we hope GitHub is:

* ``POST repos/{o}/{r}/check-runs`` needs ``name`` and ``head_sha`` (a commit of the
  repository, else 422); ``status`` is queued unless given; a ``conclusion`` completes the
  run, and ``completed`` without a conclusion is 422 (OpenAPI). ``PATCH …/check-runs/{id}``
  edits one the same way. A re-run is a new run with the same name: both stay listed.
* ``POST repos/{o}/{r}/statuses/{sha}``: ``state`` one of error/failure/pending/success,
  ``context`` defaults to ``default``; the rollup shows the latest status per context.
* A pull request's ``mergeable`` is computed in the background: the first reading after its
  head or base moved is ``UNKNOWN``, the next one the result (MERGEABLE, or CONFLICTING when
  a test marked the PR so: the emulator keeps no file contents to merge). ``mergeStateStatus``
  follows: UNKNOWN while computing, DIRTY on conflicts, DRAFT, UNSTABLE with any check not
  passed, else CLEAN. Closed and merged PRs answer UNKNOWN.

GitHub lets only GitHub Apps create check runs (403 for other tokens); the emulator does
not enforce that yet (it has no App identity): the product only reads checks.
"""

from __future__ import annotations

import base64
import itertools
from datetime import datetime
from typing import Any

from maverick_ext.emulator import permissions
from maverick_ext.emulator.shapes import Json, Urls, simple_user
from maverick_ext.emulator.store import (
    NotFoundError,
    Pull,
    Repo,
    Store,
    User,
    ValidationFailed,
    parse_timestamp,
)
from maverick_ext.records import dataclass

RUN_STATUSES = ("queued", "in_progress", "completed", "waiting", "requested", "pending")
CREATE_STATUSES = ("queued", "in_progress", "completed")
CONCLUSIONS = ("action_required", "cancelled", "failure", "neutral", "success", "skipped",
               "stale", "timed_out")  # fmt: skip
STATUS_STATES = ("error", "failure", "pending", "success")
_IDS = itertools.count(7_000_001)
_PASSING_RUN = {"success", "neutral", "skipped"}


@dataclass(eq=False)
class CheckRun:
    id: int
    repo: Repo
    head_sha: str
    name: str
    status: str
    conclusion: str | None
    started_at: datetime | None
    completed_at: datetime | None
    details_url: str | None
    external_id: str | None
    created_at: datetime


@dataclass(eq=False)
class CommitStatus:
    id: int
    repo: Repo
    sha: str
    state: str
    context: str
    description: str | None
    target_url: str | None
    creator: User
    created_at: datetime


_NODE_PREFIX = {"CheckRun": "CR", "StatusContext": "SC"}


def node_id(kind: str, db_id: int) -> str:
    raw = base64.urlsafe_b64encode(f"{kind}:{db_id}".encode()).decode().rstrip("=")
    return f"{_NODE_PREFIX[kind]}_{raw}"


def _choice(data: dict[str, Any], key: str, allowed: tuple[str, ...], resource: str) -> Any:
    value = data.get(key)
    if value is not None and value not in allowed:
        raise ValidationFailed(resource, key, "invalid")
    return value


def _time(data: dict[str, Any], key: str, resource: str) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return parse_timestamp(str(value))
    except ValueError:
        raise ValidationFailed(resource, key, "invalid") from None


def _apply(store: Store, run: CheckRun, data: dict[str, Any], statuses: tuple[str, ...]) -> None:
    status = _choice(data, "status", statuses, "CheckRun")
    conclusion = _choice(data, "conclusion", CONCLUSIONS, "CheckRun")
    for key in ("name", "details_url", "external_id"):
        if key in data and data[key] is not None:
            if not isinstance(data[key], str) or (key == "name" and not data[key]):
                raise ValidationFailed("CheckRun", key, "invalid")
            setattr(run, key, data[key])
    run.started_at = _time(data, "started_at", "CheckRun") or run.started_at
    if conclusion is not None:
        status = "completed"  # OpenAPI: a conclusion sets the status to completed
    if status == "completed" and conclusion is None and run.conclusion is None:
        raise ValidationFailed("CheckRun", "conclusion", "missing_field")
    if status is not None:
        run.status = status
    if conclusion is not None:
        run.conclusion = conclusion
    if run.status == "completed":
        run.completed_at = _time(data, "completed_at", "CheckRun") or store.now()


def create_check_run(store: Store, repo: Repo, viewer: Any, data: dict[str, Any]) -> CheckRun:
    with store.lock:
        permissions.require(viewer, repo, permissions.CONTENTS)
        name, sha = data.get("name"), data.get("head_sha")
        if not isinstance(name, str) or not name:
            raise ValidationFailed("CheckRun", "name", "missing_field")
        if not isinstance(sha, str) or sha not in repo.commits:
            raise ValidationFailed(
                "CheckRun", "head_sha", "invalid", f"No commit found for SHA: {sha}"
            )
        now = store.now()
        run = CheckRun(next(_IDS), repo, sha, name, "queued", None, now, None, None, None, now)
        _apply(store, run, data, CREATE_STATUSES)
        repo.check_runs[run.id] = run
        return run


def update_check_run(
    store: Store, repo: Repo, viewer: Any, run_id: int, data: dict[str, Any]
) -> CheckRun:
    with store.lock:
        permissions.require(viewer, repo, permissions.CONTENTS)
        run = repo.check_runs.get(run_id)
        if run is None:
            raise NotFoundError()
        _apply(store, run, data, RUN_STATUSES)
        return run


def create_status(
    store: Store, repo: Repo, viewer: Any, sha: str, data: dict[str, Any]
) -> CommitStatus:
    with store.lock:
        permissions.require(viewer, repo, permissions.CONTENTS)
        if sha not in repo.commits:
            raise ValidationFailed("Status", "sha", "invalid", f"No commit found for SHA: {sha}")
        state = data.get("state")
        if state not in STATUS_STATES:
            code = "missing_field" if state is None else "invalid"
            raise ValidationFailed("Status", "state", code)
        context = data.get("context") or "default"
        status = CommitStatus(next(_IDS), repo, sha, str(state), str(context),
                              data.get("description"), data.get("target_url"), viewer.user,
                              store.now())  # fmt: skip
        repo.statuses.append(status)
        return status


def contexts(repo: Repo, sha: str) -> list[CheckRun | CommitStatus]:
    """A commit's rollup: every check run, and the latest status of each context."""
    runs = [r for r in repo.check_runs.values() if r.head_sha == sha]
    latest: dict[str, CommitStatus] = {}
    for status in repo.statuses:
        if status.sha == sha:
            latest[status.context] = status
    return [*sorted(runs, key=lambda r: r.id), *sorted(latest.values(), key=lambda s: s.id)]


def _passing(item: CheckRun | CommitStatus) -> bool | None:
    """True passed, False failed, None still pending."""
    if isinstance(item, CommitStatus):
        return {"success": True, "pending": None}.get(item.state, False)
    if item.status != "completed":
        return None
    return item.conclusion in _PASSING_RUN


def rollup_state(items: list[CheckRun | CommitStatus]) -> str:
    results = [_passing(i) for i in items]
    if False in results:
        return "FAILURE"
    return "PENDING" if None in results else "SUCCESS"


def mergeable(store: Store, pull: Pull) -> str:
    """UNKNOWN on the first reading after the head or base moved, then the result."""
    with store.lock:
        if pull.merged or pull.issue.state != "open":
            return "UNKNOWN"
        basis = (pull.head_sha, pull.base_sha)
        if pull.mergeability_for != basis:
            pull.mergeability_for = basis
            return "UNKNOWN"
        return "CONFLICTING" if pull.conflicting else "MERGEABLE"


def merge_state_status(store: Store, pull: Pull, known: str) -> str:
    if known == "UNKNOWN":
        return "UNKNOWN"
    if known == "CONFLICTING":
        return "DIRTY"
    if pull.draft:
        return "DRAFT"
    items = contexts(pull.repo, pull.head_sha)
    return "CLEAN" if all(_passing(i) for i in items) else "UNSTABLE"


# -- shapes ------------------------------------------------------------------------------


def _iso(when: datetime | None) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


def check_run_json(u: Urls, run: CheckRun) -> Json:
    repo_api = f"{u.api}/repos/{run.repo.owner.login}/{run.repo.name}"
    url = f"{repo_api}/check-runs/{run.id}"
    return {
        "id": run.id,
        "node_id": node_id("CheckRun", run.id),
        "head_sha": run.head_sha,
        "external_id": run.external_id,
        "url": url,
        "html_url": f"{u.web}/{run.repo.owner.login}/{run.repo.name}/runs/{run.id}",
        "details_url": run.details_url,
        "status": run.status,
        "conclusion": run.conclusion,
        "started_at": _iso(run.started_at),
        "completed_at": _iso(run.completed_at),
        "output": {
            "title": None,
            "summary": None,
            "text": None,
            "annotations_count": 0,
            "annotations_url": f"{url}/annotations",
        },
        "name": run.name,
        "check_suite": None,
        "app": None,
        "pull_requests": [],
    }


def status_json(u: Urls, status: CommitStatus) -> Json:
    repo_api = f"{u.api}/repos/{status.repo.owner.login}/{status.repo.name}"
    return {
        "url": f"{repo_api}/statuses/{status.sha}",
        "avatar_url": f"{u.web}/avatars/u/{status.creator.id}?v=4",
        "id": status.id,
        "node_id": node_id("StatusContext", status.id),
        "state": status.state,
        "description": status.description,
        "target_url": status.target_url,
        "context": status.context,
        "created_at": _iso(status.created_at),
        "updated_at": _iso(status.created_at),
        "creator": simple_user(u, status.creator),
    }


def graphql_context(item: CheckRun | CommitStatus) -> dict[str, Any]:
    """One StatusCheckRollupContext node, as the GraphQL resolvers return it."""
    if isinstance(item, CommitStatus):
        return {
            "__typename": "StatusContext",
            "id": node_id("StatusContext", item.id),
            "context": item.context,
            "state": item.state.upper(),
            "targetUrl": item.target_url,
            "createdAt": item.created_at,
            "description": item.description,
        }
    return {
        "__typename": "CheckRun",
        "id": node_id("CheckRun", item.id),
        "name": item.name,
        "status": item.status.upper(),
        "conclusion": item.conclusion.upper() if item.conclusion else None,
        "startedAt": item.started_at,
        "completedAt": item.completed_at,
        "detailsUrl": item.details_url,
        # REST-created runs belong to no workflow run (GitHub Actions' do).
        "checkSuite": {"id": f"CS_{item.id}", "workflowRun": None},
    }
