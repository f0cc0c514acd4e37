"""Typed issue operations over ``GhClient``.

Reads use one GraphQL request per issue (labels, state and up to 100 comments together),
or one request per 50 issues when an epic needs many; more than 100 comments, labels,
sub-issues or blockers on one issue adds one request per further 100 of that connection —
never one per marker kind, and never a silent cut at 100.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from maverick_ext.core.markers import MAX_COMMENT_CHARS, comment_length
from maverick_ext.errors import GitHubRejected, InvalidData, NotFound, UsageError
from maverick_ext.github import capabilities, documents
from maverick_ext.github.client import GhClient, GhResponse
from maverick_ext.github.documents import (
    BATCH_SIZE,
    EPIC_QUERY,
    ISSUE_FIELDS,
    PAGE_INFO,
    PAGED_CONNECTIONS,
    SNAPSHOT_QUERY,
)
from maverick_ext.github.models import Comment, IssueSnapshot
from maverick_ext.records import dataclass

MORE_NODES_QUERY = """
query IssuePage($owner: String!, $name: String!, $number: Int!, $after: String) {{
  repository(owner: $owner, name: $name) {{
    issue(number: $number) {{
      {connection}(first: 100, after: $after) {{ {page_info} nodes {{ {node} }} }}
    }}
  }}
}}
"""


def _not_found(client: GhClient, number: int) -> NotFound:
    return NotFound(
        f"issue #{number} does not exist in {client.require_repo().full_name}",
        "check the number and -R/--repo",
    )


def _no_repository(client: GhClient) -> NotFound:
    return NotFound(
        f"repository {client.require_repo()} does not exist (or this token cannot see it)",
        "check -R/--repo (or GH_REPO) and `gh auth status`",
    )


def _repository_missing(data: Any) -> bool:
    """GitHub answers an unknown repository with ``repository: null`` plus a NOT_FOUND
    error whose path is ``["repository"]``."""
    if not isinstance(data, dict):
        return False
    return any(
        isinstance(e, dict) and e.get("type") == "NOT_FOUND" and e.get("path") == ["repository"]
        for e in data.get("errors") or []
    ) or (isinstance(data.get("data"), dict) and data["data"].get("repository", {}) is None)


def _more_nodes(
    client: GhClient, number: int, connection: str, page: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """The nodes of ``connection`` after its first page, one request per further 100.

    None when the server says mid-way that it has no such field (as the first page's
    retry does, the read then goes on without it).
    """
    repo = client.require_repo()
    query = MORE_NODES_QUERY.format(
        connection=connection, page_info=PAGE_INFO, node=PAGED_CONNECTIONS[connection]
    )
    nodes: list[dict[str, Any]] = []
    info = page.get("pageInfo") or {}
    while info.get("hasNextPage"):
        variables = {
            "owner": repo.owner, "name": repo.name, "number": number, "after": info["endCursor"]
        }  # fmt: skip
        response = None
        while response is None:
            if connection in client.missing_fields:
                return None
            response = _attempt_tolerating_missing(client, query, variables)
        issue = ((response.data.get("data") or {}).get("repository") or {}).get("issue")
        if issue is None:  # deleted (or moved) between two pages
            raise _not_found(client, number)
        page = issue[connection]
        nodes.extend(page["nodes"])
        info = page.get("pageInfo") or {}
    return nodes


def _snapshot(client: GhClient, node: dict[str, Any], response: GhResponse, viewer: str | None):
    complete = dict(node)
    for connection in PAGED_CONNECTIONS:
        page = node.get(connection) or {}
        extra = _more_nodes(client, node["number"], connection, page)
        if extra is None:
            del complete[connection]
        elif extra:
            complete[connection] = {**page, "nodes": [*page.get("nodes", []), *extra]}
    return IssueSnapshot.from_graphql(complete, viewer, response.server_time)


def fetch_issue(client: GhClient, number: int) -> IssueSnapshot:
    """The issue with labels and all comments; a PR number or a missing issue is a usage error."""
    node, response, viewer = _fetch_one(client, number, SNAPSHOT_QUERY)
    return _snapshot(client, node, response, viewer)


@dataclass(frozen=True)
class EpicRead:
    """The epic, its first 50 sub-issues and the claim refs, as one request saw them.

    ``claim_refs``: the refs' nodes (``name`` and tip) — None when the repository is empty
    (no ref can exist: claims fall back to comments) or the answer did not select them;
    ``more_claim_refs``: there are more than the first 100.
    """

    issue: IssueSnapshot
    stories: dict[int, IssueSnapshot]
    claim_refs: list[dict[str, Any]] | None
    more_claim_refs: bool


def fetch_epic(client: GhClient, number: int) -> EpicRead:
    """The epic like ``fetch_issue``, its first 50 sub-issues' snapshots and the claim
    refs, in one request."""
    node, response, viewer = _fetch_one(client, number, EPIC_QUERY)
    story_nodes = (node.pop("stories", None) or {}).get("nodes") or []
    stories = [_snapshot(client, story, response, viewer) for story in story_nodes]
    repository = (response.data.get("data") or {}).get("repository") or {}
    refs = repository.get("claimRefs")
    if not isinstance(refs, dict) or repository.get("isEmpty"):
        refs = None
    return EpicRead(
        _snapshot(client, node, response, viewer),
        {s.number: s for s in stories},
        list(refs.get("nodes") or []) if refs is not None else None,
        refs is not None and bool((refs.get("pageInfo") or {}).get("hasNextPage")),
    )


def _fetch_one(
    client: GhClient, number: int, query: str
) -> tuple[dict[str, Any], GhResponse, str | None]:
    repo = client.require_repo()
    body = documents.issue_read(query, repo.owner, repo.name, number)
    response = _graphql_tolerating_missing(client, body["query"], body["variables"])
    data = response.data.get("data") or {}
    node = (data.get("repository") or {}).get("issueOrPullRequest")
    if node is None:
        raise _not_found(client, number)
    if node.get("__typename") == "PullRequest":
        raise UsageError(
            f"#{number} in {repo.full_name} is a pull request, not an issue",
            "claims and epics work on issues; pass the issue the PR closes",
        )
    return node, response, (data.get("viewer") or {}).get("login")


def fetch_issues(client: GhClient, numbers: Iterable[int]) -> dict[int, IssueSnapshot]:
    """Many issues in ``ceil(n / 50)`` requests (aliased fields), for epic-wide reads.

    Numbers that do not exist are absent from the result; callers decide whether that is
    an error (an unknown story is one).
    """
    repo = client.require_repo()
    wanted = sorted(set(numbers))
    found: dict[int, IssueSnapshot] = {}
    for start in range(0, len(wanted), BATCH_SIZE):
        chunk = wanted[start : start + BATCH_SIZE]
        fields = "\n".join(
            f"i{n}: issueOrPullRequest(number: {n}) "
            f"{{ __typename ... on Issue {{ {ISSUE_FIELDS} }} }}"
            for n in chunk
        )
        query = (
            "query IssueBatch($owner: String!, $name: String!) { viewer { login } "
            f"repository(owner: $owner, name: $name) {{ {fields} }} }}"
        )
        response = _graphql_tolerating_missing(
            client, query, {"owner": repo.owner, "name": repo.name}
        )
        data = response.data.get("data") or {}
        viewer = (data.get("viewer") or {}).get("login")
        for n in chunk:
            node = (data.get("repository") or {}).get(f"i{n}")
            if node and node.get("__typename") == "Issue":
                found[n] = _snapshot(client, node, response, viewer)
    return found


def _graphql_tolerating_missing(
    client: GhClient, query: str, variables: dict[str, Any]
) -> GhResponse:
    """Issues may be missing: GitHub answers data plus NOT_FOUND errors for those. A missing
    repository is said as such, not as every issue missing. Fields the server lacks are
    left out (said once), and the query asked again."""
    while True:
        if client.missing_fields:
            query = capabilities.without_fields(query, client.missing_fields)
        response = _attempt_tolerating_missing(client, query, variables)
        if response is not None:
            return response


def _attempt_tolerating_missing(
    client: GhClient, query: str, variables: dict[str, Any]
) -> GhResponse | None:
    """One request: the response, or None when GitHub named optional fields it lacks
    (recorded in ``client.missing_fields``: ask again without them)."""
    response = client.request(
        "POST", "graphql", body={"query": query, "variables": variables}, idempotent=True
    )
    if _repository_missing(response.data):
        raise _no_repository(client)
    errors = [e for e in (response.data or {}).get("errors") or [] if e.get("type") != "NOT_FOUND"]
    if not errors:
        return response
    missing = capabilities.missing_fields(errors) - client.missing_fields
    if not missing:
        raise GitHubRejected(f"GitHub rejected the query: {errors[0].get('message')}", 200)
    capabilities.report_missing(client.missing_fields, missing)
    return None


def label_names(client: GhClient) -> list[str]:
    """Every label the repository defines."""
    listed, _ = client.paginate(client.repo_path("labels"))
    return [label["name"] for label in listed if isinstance(label, dict) and "name" in label]


def numbers_labelled(client: GhClient, label: str) -> list[int]:
    """Issues (open or closed, not pull requests) carrying ``label``."""
    from urllib.parse import quote  # with the ipaddress it imports, ~4 ms: REST paths only

    listed, _ = client.paginate(client.repo_path(f"issues?labels={quote(label)}&state=all"))
    return [item["number"] for item in listed if "pull_request" not in item]


def viewer_access(client: GhClient) -> tuple[str, str]:
    """The account gh is authenticated as and its permission on the repository
    (``ADMIN``, ``MAINTAIN``, ``WRITE``, ``TRIAGE``, ``READ``), in one GraphQL call."""
    repo = client.require_repo()
    data = client.graphql(
        "query Viewer($owner: String!, $name: String!) { viewer { login } "
        "repository(owner: $owner, name: $name) { viewerPermission } }",
        {"owner": repo.owner, "name": repo.name},
    ).data["data"]
    return data["viewer"]["login"], str((data.get("repository") or {}).get("viewerPermission"))


def core_rate_limit(client: GhClient) -> dict[str, Any]:
    """The REST ("core") rate-limit bucket: ``limit``, ``remaining``, ``reset``."""
    core: dict[str, Any] = client.get("rate_limit").data["resources"]["core"]
    return core


# ---- writes ---------------------------------------------------------------------------


def label_path(client: GhClient, number: int, label: str | None = None) -> str:
    """Label names contain ``#`` and ``:`` (``blocked-by:#12``): always URL-encode them."""
    base = client.repo_path(f"issues/{number}/labels")
    from urllib.parse import quote

    return f"{base}/{quote(label, safe='')}" if label is not None else base


def add_labels(client: GhClient, number: int, labels: Sequence[str]) -> list[str]:
    """Add labels; returns all the issue's labels afterwards (GitHub's answer)."""
    response = client.post(label_path(client, number), {"labels": list(labels)}, idempotent=True)
    return [label["name"] for label in response.data or [] if isinstance(label, dict)]


def remove_label(client: GhClient, number: int, label: str) -> bool:
    """Remove one label; False when it was not there (not an error: removal is idempotent)."""
    try:
        client.delete(label_path(client, number, label))
    except NotFound:
        return False
    return True


def _checked_body(body: str) -> str:
    """Refuse here what GitHub would refuse with 422 "Body is too long" (callers fit bodies
    with ``core.markers.fit_comment`` / ``render_comment``; this is the last guard)."""
    if comment_length(body) > MAX_COMMENT_CHARS:
        raise InvalidData(
            f"comment body of {comment_length(body)} characters exceeds GitHub's "
            f"{MAX_COMMENT_CHARS}",
            "this is a bug in gh-maverick: please report it",
        )
    return body


def create_comment(client: GhClient, number: int, body: str) -> tuple[Comment, GhResponse]:
    """POST a comment. Not retried on ambiguous failure: callers look for their nonce first."""
    _checked_body(body)
    response = client.post(client.repo_path(f"issues/{number}/comments"), {"body": body})
    return Comment.from_rest(response.data), response


def update_comment(client: GhClient, comment_id: int, body: str) -> tuple[Comment, GhResponse]:
    _checked_body(body)
    response = client.patch(client.repo_path(f"issues/comments/{comment_id}"), {"body": body})
    return Comment.from_rest(response.data), response


def delete_comment(client: GhClient, comment_id: int) -> bool:
    try:
        client.delete(client.repo_path(f"issues/comments/{comment_id}"))
    except NotFound:
        return False
    return True


def close_issue(client: GhClient, number: int, reason: str = "completed") -> None:
    """Close an issue with a ``state_reason`` (completed | not_planned)."""
    client.patch(client.repo_path(f"issues/{number}"), {"state": "closed", "state_reason": reason})


def ensure_label(client: GhClient, name: str, color: str, description: str) -> bool:
    """Create a repository label; False when it already exists (422 already_exists)."""
    try:
        client.post(
            client.repo_path("labels"),
            {"name": name, "color": color, "description": description},
            idempotent=True,
        )
    except GitHubRejected as exc:
        if exc.status == 422 and "already_exists" in exc.message:
            return False
        raise
    return True


PARENT_QUERY = """
query IssueParent($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) { issue(number: $number) { parent { number } } }
}
"""


def parent_issue(client: GhClient, number: int) -> int | None:
    """The issue ``number`` is a sub-issue of (its epic), or None."""
    repo = client.require_repo()
    try:
        data = client.graphql(
            PARENT_QUERY, {"owner": repo.owner, "name": repo.name, "number": number}
        ).data["data"]
    except NotFound:
        raise _not_found(client, number) from None
    issue = (data.get("repository") or {}).get("issue")
    if issue is None:
        raise _not_found(client, number)
    parent = issue.get("parent")
    return parent["number"] if parent else None


def default_branch(client: GhClient) -> str:
    """The repository's default branch, as GitHub reports it."""
    return str(client.get(client.repo_path()).data["default_branch"])
