"""The calls of the ref claim protocol: one read, a commit, one CAS, one projection write.

* ``read_claims`` — issues, their claim refs (tip oid, message, committer date), the label's
  and repository's node ids, our permission and whether the repository is empty: 1 request.
* ``create_commit`` — ``POST git/commits`` (empty tree, parent = tip read, no author so
  GitHub stamps its own time).
* ``update_refs`` — GraphQL ``updateRefs``: every CAS of a claim in one atomic request.
* ``post_claim`` / ``beat`` / ``release`` — one GraphQL document each.
* ``update_refs_rest`` — the same moves over REST where GitHub has no ``updateRefs`` (older
  Enterprise Servers): create ``POST git/refs`` (422 when it exists), move ``PATCH
  git/refs/{ref}`` with ``force: false`` (422 unless a fast-forward: every transition builds
  on the tip it read). Not atomic across a list: applied in ascending issue order, and what
  was applied is undone at the first refusal.

A failed ``beforeOid`` comes back as a generic error (GitHub names no reason), so a refused
CAS is ``RefUpdateFailed`` and callers re-read the refs to learn what happened.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from maverick_ext.core.claim_ref_names import issue_of_ref, ref_name
from maverick_ext.core.claim_refs import EMPTY_TREE, ZERO_OID, RefTip
from maverick_ext.core.payloads import parse_iso
from maverick_ext.errors import GitHubRejected, GitHubUnavailable, MaverickError, NotFound
from maverick_ext.github import documents
from maverick_ext.github.capabilities import lacks_field
from maverick_ext.github.client import GhClient, GhResponse
from maverick_ext.github.documents import COMMENT_FIELDS, TIP_FIELDS
from maverick_ext.github.issues import _snapshot
from maverick_ext.github.models import Comment, IssueSnapshot
from maverick_ext.records import dataclass, field


class RefsRefused(MaverickError):
    """GitHub will not let this token move refs (no contents write, or an empty repository)."""


class RefUpdateFailed(MaverickError):
    """``updateRefs`` was refused: some ``beforeOid`` no longer matched (or GitHub failed)."""


class UpdateRefsMissing(MaverickError):
    """This GitHub has no ``Mutation.updateRefs`` (an older Enterprise Server): use REST."""


def _check_update_refs(response: GhResponse) -> None:
    """A document naming ``updateRefs`` on a server without it is refused whole."""
    errors = (response.data or {}).get("errors") or []
    if lacks_field(errors, "updateRefs"):
        raise UpdateRefsMissing(str(errors[0].get("message")))


@dataclass
class ClaimRead:
    """One request's view of some issues and their claim refs."""

    snapshots: dict[int, IssueSnapshot]
    tips: dict[int, RefTip | None]
    repository_id: str | None
    label_id: str | None
    permission: str | None  # READ, TRIAGE, WRITE, MAINTAIN, ADMIN
    empty: bool
    server_time: datetime | None
    issue_ids: dict[int, str] = field(default_factory=dict)


def _tip(node: dict[str, Any] | None) -> RefTip | None:
    target = (node or {}).get("target")
    if not target or not target.get("oid"):
        return None
    return RefTip(
        target["oid"], target.get("message") or "", parse_iso(target.get("committedDate"))
    )


def read_claims(client: GhClient, numbers: Iterable[int], label: str) -> ClaimRead:
    """Issues with every comment, their claim refs and the repository facts, in 1 request."""
    repo = client.require_repo()
    wanted = sorted(set(numbers))
    body = documents.claim_read(repo.owner, repo.name, wanted, label)
    response = client.request("POST", "graphql", body=body, idempotent=True)
    data = (response.data or {}).get("data") or {}
    errors = [e for e in (response.data or {}).get("errors") or [] if e.get("type") != "NOT_FOUND"]
    if errors:
        raise GitHubRejected(f"GitHub rejected the query: {errors[0].get('message')}", 200)
    repository = data.get("repository")
    if repository is None:
        raise NotFound(f"repository {repo.full_name} not found", "check -R/--repo")
    viewer = (data.get("viewer") or {}).get("login")
    read = ClaimRead(
        snapshots={},
        tips={},
        repository_id=repository.get("id"),
        label_id=(repository.get("label") or {}).get("id"),
        permission=repository.get("viewerPermission"),
        empty=bool(repository.get("isEmpty")),
        server_time=response.server_time,
    )
    for n in wanted:
        node = repository.get(f"i{n}")
        if node is None:
            continue
        if node.get("__typename") != "Issue":
            read.snapshots[n] = IssueSnapshot(number=n, state="PULL_REQUEST")
            continue
        read.snapshots[n] = _snapshot(client, node, response, viewer)
        read.issue_ids[n] = node["id"]
        read.tips[n] = _tip(repository.get(f"r{n}"))
    return read


# A repository that refuses the empty tree gets this tree instead: one small file, never
# the default branch's tree (its .github/workflows would run `on: push` for every claim).
CLAIM_TREE_FILE = "claim.json"
CLAIM_TREE_CONTENT = '{"maverick": "claim record: see the commit message"}\n'


def create_commit(client: GhClient, message: str, parent: str | None) -> str:
    """A claim commit on the empty tree; returns its oid. Retried: a duplicate is harmless.

    Where the empty tree is refused (422 ``Tree SHA does not exist``) the commit uses a tree
    holding only ``claim.json``, made once with ``POST git/trees``.
    """
    client.require_repo()
    for tree in dict.fromkeys([client.claim_tree or EMPTY_TREE, EMPTY_TREE]):
        try:
            return _commit(client, message, tree, parent)
        except GitHubRejected as exc:
            if exc.status != 422 or "tree" not in exc.message.lower():
                raise
            client.claim_tree = None
    tree = client.claim_tree = claim_tree(client)
    return _commit(client, message, tree, parent)


def _commit(client: GhClient, message: str, tree: str, parent: str | None) -> str:
    response = _refs_call(
        lambda: client.post(
            client.repo_path("git/commits"),
            {"message": message, "tree": tree, "parents": [parent] if parent else []},
            idempotent=True,  # an unreferenced duplicate commit is garbage, not a second claim
        )
    )
    return str(response.data["sha"])


def claim_tree(client: GhClient) -> str:
    """``POST git/trees`` with just ``claim.json`` (no base tree): content-addressed, so a
    retry makes the same tree."""
    body = {
        "tree": [
            {"path": CLAIM_TREE_FILE, "mode": "100644", "type": "blob",
             "content": CLAIM_TREE_CONTENT}
        ]
    }  # fmt: skip
    response = _refs_call(lambda: client.post(client.repo_path("git/trees"), body, idempotent=True))
    return str(response.data["sha"])


def _refs_call(send: Any) -> GhResponse:
    try:
        return send()
    except GitHubRejected as exc:
        if exc.status in (403, 409):
            raise RefsRefused(exc.message) from None
        raise
    except NotFound as exc:  # a private repository hides what we may not write
        raise RefsRefused(exc.message) from None


UPDATE_REFS = """
mutation ClaimRefs($input: UpdateRefsInput!) { updateRefs(input: $input) { clientMutationId } }
"""


def update_refs(
    client: GhClient, repository_id: str, moves: Sequence[tuple[int, str | None, str | None]]
) -> None:
    """CAS every ``(issue, before, after)`` at once (None = absent). Raises on refusal."""
    updates = [
        {"name": ref_name(n), "beforeOid": before or ZERO_OID, "afterOid": after or ZERO_OID}
        for n, before, after in moves
    ]
    response = _mutate(
        client, UPDATE_REFS, {"input": {"repositoryId": repository_id, "refUpdates": updates}}
    )
    _check_update_refs(response)
    errors = (response.data or {}).get("errors") or []
    if errors:
        if any(e.get("type") in ("FORBIDDEN", "UNPROCESSABLE") for e in errors):
            raise RefsRefused(str(errors[0].get("message")))
        raise RefUpdateFailed(str(errors[0].get("message")))


Move = tuple[int, str | None, str | None]  # (issue, before, after); None = absent


def update_refs_rest(client: GhClient, moves: Sequence[Move]) -> None:
    """The moves one by one over REST, in ascending issue order; at the first refusal undo
    the ones applied (newest first) and raise ``RefUpdateFailed``. An ambiguous answer
    (timeout, 5xx) also undoes what was applied, then raises it: the caller re-reads."""
    applied: list[Move] = []
    for move in sorted(moves, key=lambda m: m[0]):
        try:
            _move_rest(client, move)
        except (RefUpdateFailed, GitHubUnavailable):
            undo_rest(client, applied)
            raise
        applied.append(move)


def undo_rest(client: GhClient, applied: Sequence[Move]) -> None:
    """Put refs back where ``applied`` found them. Not a CAS, and it needs none: each ref
    points at our own commit made seconds ago, whose lease nobody may take over."""
    for number, before, _after in reversed(applied):
        with contextlib.suppress(MaverickError):  # else it expires: commit date + TTL
            if before is None:
                _refs_call(lambda n=number: client.delete(_ref_path(client, n)))
            else:
                _refs_call(lambda n=number, b=before: client.patch(
                    _ref_path(client, n), {"sha": b, "force": True}
                ))  # fmt: skip


def _ref_path(client: GhClient, number: int) -> str:
    return client.repo_path(f"git/refs/{ref_name(number).removeprefix('refs/')}")


def _move_rest(client: GhClient, move: Move) -> None:
    number, before, after = move
    try:
        if before is None and after is not None:
            _refs_call(lambda: client.post(
                client.repo_path("git/refs"), {"ref": ref_name(number), "sha": after},
                idempotent=False,
            ))  # fmt: skip
        elif after is not None:
            _refs_call(lambda: client.patch(
                _ref_path(client, number), {"sha": after, "force": False}, idempotent=False
            ))  # fmt: skip
        else:  # only our own ref, read a moment ago (release moves it on instead)
            _refs_call(lambda: client.delete(_ref_path(client, number), idempotent=False))
    except GitHubRejected as exc:
        if exc.status != 422:
            raise
        raise RefUpdateFailed(exc.message) from None  # exists / not a fast-forward / gone
    except NotFound as exc:
        raise RefUpdateFailed(exc.message) from None


def _mutate(client: GhClient, query: str, variables: dict[str, Any]) -> GhResponse:
    """A GraphQL mutation: never blindly retried (a 5xx may have applied it)."""
    return client.request(
        "POST", "graphql", body={"query": query, "variables": variables}, idempotent=False
    )


@dataclass(frozen=True)
class Posted:
    comment: Comment
    server_time: datetime | None


def post_claim(
    client: GhClient,
    issue_id: str,
    body: str,
    label_id: str | None,
) -> Posted:
    """The claim comment and the label in one request (the label only when it exists)."""
    label = (
        "label: addLabelsToLabelable(input: {labelableId: $issue, labelIds: [$label]}) "
        "{ clientMutationId }"
        if label_id
        else ""
    )
    query = (
        f"mutation ClaimComment($issue: ID!, $body: String!"
        f"{', $label: ID!' if label_id else ''}) {{"
        f" add: addComment(input: {{subjectId: $issue, body: $body}}) "
        f"{{ commentEdge {{ node {{ {COMMENT_FIELDS} }} }} }} {label} }}"
    )
    variables: dict[str, Any] = {"issue": issue_id, "body": body}
    if label_id:
        variables["label"] = label_id
    response = _mutate(client, query, variables)
    data = (response.data or {}).get("data") or {}
    node = ((data.get("add") or {}).get("commentEdge") or {}).get("node")
    if node is None:
        errors = (response.data or {}).get("errors") or [{}]
        raise GitHubRejected(f"GitHub refused the claim comment: {errors[0].get('message')}", 200)
    return Posted(Comment.from_graphql(node), response.server_time)


@dataclass(frozen=True)
class Beat:
    updated_at: datetime | None
    tip_oid: str | None
    labels: list[str]
    server_time: datetime | None
    tip_message: str | None = None  # the tip commit's claim record, as written


def beat(client: GhClient, comment_node_id: str, body: str, issue: int) -> Beat:
    """Edit the claim comment and, in the same answer, read the claim ref's tip and labels."""
    query = (
        "mutation Heartbeat($id: ID!, $body: String!) { updateIssueComment(input: {id: $id, "
        "body: $body}) { issueComment { updatedAt issue { labels(first: 100) { nodes { name } } }"
        f' repository {{ ref(qualifiedName: "{ref_name(issue)}") {{ {TIP_FIELDS} }} }} }} }} }}'
    )
    response = client.request(
        "POST",
        "graphql",
        body={"query": query, "variables": {"id": comment_node_id, "body": body}},
        idempotent=True,  # rewriting the same body again is harmless
    )
    payload = (response.data or {}).get("data") or {}
    comment = (payload.get("updateIssueComment") or {}).get("issueComment")
    if comment is None:
        errors = (response.data or {}).get("errors") or [{}]
        raise GitHubRejected(f"GitHub refused the heartbeat: {errors[0].get('message')}", 200)
    target = ((comment.get("repository") or {}).get("ref") or {}).get("target") or {}
    return Beat(
        parse_iso(comment.get("updatedAt")),
        target.get("oid"),
        [n["name"] for n in ((comment.get("issue") or {}).get("labels") or {}).get("nodes", [])],
        response.server_time,
        target.get("message"),
    )


def release(
    client: GhClient,
    repository_id: str,
    issue: int,
    our_oid: str | None,
    comment_node_id: str | None,
    body: str | None,
    issue_id: str,
    label_id: str | None,
    after_oid: str = ZERO_OID,
) -> bool:
    """Move the ref from our commit to ``after_oid`` (the released record's commit; zero
    deletes it), mark the comment released, drop the label: 1 request.

    Returns whether the ref CAS applied (GraphQL runs the fields in order and goes on after
    a failed one; the caller puts the label back when the ref was not ours any more).
    ``our_oid`` None leaves the ref alone (over REST the release moved it already).
    """
    parts: list[str] = []
    variables: dict[str, Any] = {}
    declared: list[str] = []
    if our_oid is not None:
        parts.append(
            "ref: updateRefs(input: {repositoryId: $repo, refUpdates: [{name: $name, "
            "beforeOid: $oid, afterOid: $after}]}) { clientMutationId }"
        )
        variables |= {
            "repo": repository_id,
            "name": ref_name(issue),
            "oid": our_oid,
            "after": after_oid,
        }
        declared += [
            "$repo: ID!", "$name: GitRefname!", "$oid: GitObjectID!", "$after: GitObjectID!"
        ]  # fmt: skip
    if comment_node_id and body:
        parts.append(
            "comment: updateIssueComment(input: {id: $comment, body: $body}) { clientMutationId }"
        )
        declared += ["$comment: ID!", "$body: String!"]
        variables |= {"comment": comment_node_id, "body": body}
    if label_id:
        parts.append(
            "label: removeLabelsFromLabelable(input: {labelableId: $issue, labelIds: [$label]}) "
            "{ clientMutationId }"
        )
        declared += ["$issue: ID!", "$label: ID!"]
        variables |= {"issue": issue_id, "label": label_id}
    if not parts:
        return True
    query = f"mutation Release({', '.join(declared)}) {{ {' '.join(parts)} }}"
    response = _mutate(client, query, variables)
    _check_update_refs(response)
    data = (response.data or {}).get("data") or {}
    errors = (response.data or {}).get("errors") or []
    if any(e.get("type") == "FORBIDDEN" for e in errors):
        raise RefsRefused(str(errors[0].get("message")))
    return our_oid is None or data.get("ref") is not None


def list_claim_refs(client: GhClient) -> dict[int, RefTip]:
    """Every claim ref with its record, in one request per 100 refs."""
    repo = client.require_repo()
    query = (
        "query ClaimRefs($owner: String!, $name: String!, $after: String) { repository(owner: "
        '$owner, name: $name) { refs(refPrefix: "refs/maverick/claims/", first: 100, '
        f"after: $after) {{ pageInfo {{ hasNextPage endCursor }} "
        f"nodes {{ name {TIP_FIELDS} }} }} }} }}"
    )
    found: dict[int, RefTip] = {}
    after: str | None = None
    while True:
        data = client.graphql(query, {"owner": repo.owner, "name": repo.name, "after": after}).data
        refs = ((data.get("data") or {}).get("repository") or {}).get("refs") or {}
        found.update(claim_tips(refs.get("nodes") or []))
        info = refs.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return found
        after = info.get("endCursor")


def claim_tips(nodes: Iterable[dict[str, Any]]) -> dict[int, RefTip]:
    """Issue -> claim-ref tip, from ``refs(refPrefix: "refs/maverick/claims/")`` nodes."""
    found: dict[int, RefTip] = {}
    for node in nodes:
        number = issue_of_ref(str(node.get("name")))
        tip = _tip(node)
        if number is not None and tip is not None:
            found[number] = tip
    return found


def delete_refs(client: GhClient, repository_id: str, tips: dict[int, str]) -> None:
    """Delete claim refs, each only if still at the oid we saw (one atomic request); over
    REST (no ``updateRefs``) one DELETE each, unconditional."""
    moves: list[Move] = [(n, oid, None) for n, oid in sorted(tips.items())]
    try:
        update_refs(client, repository_id, moves)
    except UpdateRefsMissing:
        for move in moves:
            with contextlib.suppress(RefUpdateFailed):  # already gone
                _move_rest(client, move)
