"""The git database API and permission model, as the claim protocol relies on them."""

from __future__ import annotations

from typing import Any

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.gitdb import EMPTY_TREE, ZERO_OID, make_empty

from .conftest import REPO, Client

CLAIM_REF = "refs/maverick/claims/1"
STRANGER = "as:stranger:NONE"


def _commit(client: Client, message: str = "claim", parents: list[str] | None = None) -> str:
    reply = client.post(
        f"{REPO}/git/commits", {"message": message, "tree": EMPTY_TREE, "parents": parents or []}
    )
    assert reply.status == 201, reply.json
    return reply.json["sha"]


def _repo_id(client: Client) -> str:
    reply = client.post(
        "/graphql",
        {"query": 'query { repository(owner: "maverick-sandbox", name: "demo") { id } }'},
    )
    return reply.json["data"]["repository"]["id"]


def _update_refs(client: Client, updates: list[dict[str, Any]]) -> dict[str, Any]:
    query = "mutation($input: UpdateRefsInput!) { updateRefs(input: $input) { clientMutationId } }"
    body = {
        "query": query,
        "variables": {"input": {"repositoryId": _repo_id(client), "refUpdates": updates}},
    }
    reply = client.post("/graphql", body)
    assert reply.status == 200
    return reply.json


def _tip(client: Client, ref: str = CLAIM_REF) -> str | None:
    reply = client.get(f"{REPO}/git/ref/{ref.removeprefix('refs/')}")
    return reply.json["object"]["sha"] if reply.status == 200 else None


def test_commit_has_server_dates_parents_and_round_trips(client: Client) -> None:
    first = _commit(client, "first")
    second = _commit(client, "second\n\nbody", [first])
    reply = client.get(f"{REPO}/git/commits/{second}")
    assert reply.status == 200
    data = reply.json
    assert data["message"] == "second\n\nbody"
    assert data["tree"]["sha"] == EMPTY_TREE
    assert [p["sha"] for p in data["parents"]] == [first]
    assert data["committer"]["date"].endswith("Z")
    assert data["author"]["name"] == "maverick-sandbox"


def test_unknown_tree_or_parent_is_422(client: Client) -> None:
    reply = client.post(f"{REPO}/git/commits", {"message": "m", "tree": "1" * 40, "parents": []})
    assert (reply.status, reply.json["message"]) == (422, "Tree SHA does not exist")
    reply = client.post(
        f"{REPO}/git/commits", {"message": "m", "tree": EMPTY_TREE, "parents": ["2" * 40]}
    )
    assert reply.status == 422
    assert reply.json["message"] == "Parent SHA does not exist or is not a commit object"
    assert client.get(f"{REPO}/git/commits/{'3' * 40}").status == 404


def test_update_refs_is_a_compare_and_swap(client: Client) -> None:
    one, two = _commit(client, "one"), _commit(client, "two")
    assert "errors" not in _update_refs(
        client, [{"name": CLAIM_REF, "beforeOid": ZERO_OID, "afterOid": one}]
    )
    # Must-not-exist fails once it exists; the error names no reason, like GitHub's.
    lost = _update_refs(client, [{"name": CLAIM_REF, "beforeOid": ZERO_OID, "afterOid": two}])
    assert lost["errors"] and "type" not in lost["errors"][0]
    assert _tip(client) == one
    # A wrong beforeOid fails, the right one (with force for a non-descendant) wins.
    assert _update_refs(
        client, [{"name": CLAIM_REF, "beforeOid": two, "afterOid": two, "force": True}]
    )["errors"]
    assert "errors" not in _update_refs(
        client, [{"name": CLAIM_REF, "beforeOid": one, "afterOid": two, "force": True}]
    )
    assert _tip(client) == two
    # Not a fast-forward without force.
    assert _update_refs(client, [{"name": CLAIM_REF, "beforeOid": two, "afterOid": one}])["errors"]
    # Delete with afterOid zeros, from the exact tip only.
    assert _update_refs(client, [{"name": CLAIM_REF, "beforeOid": one, "afterOid": ZERO_OID}])[
        "errors"
    ]
    assert "errors" not in _update_refs(
        client, [{"name": CLAIM_REF, "beforeOid": two, "afterOid": ZERO_OID}]
    )
    assert _tip(client) is None


def test_update_refs_applies_all_or_nothing(client: Client) -> None:
    one = _commit(client)
    _update_refs(
        client, [{"name": "refs/maverick/claims/5", "beforeOid": ZERO_OID, "afterOid": one}]
    )
    result = _update_refs(
        client,
        [
            {"name": "refs/maverick/claims/3", "beforeOid": ZERO_OID, "afterOid": one},
            {"name": "refs/maverick/claims/4", "beforeOid": ZERO_OID, "afterOid": one},
            {"name": "refs/maverick/claims/5", "beforeOid": ZERO_OID, "afterOid": one},
        ],
    )
    assert result["errors"]
    assert _tip(client, "refs/maverick/claims/3") is None
    assert _tip(client, "refs/maverick/claims/4") is None


def test_rest_refs_create_is_exclusive_and_patch_fast_forward_only(client: Client) -> None:
    one = _commit(client)
    two = _commit(client, "two", [one])
    assert client.post(f"{REPO}/git/refs", {"ref": CLAIM_REF, "sha": one}).status == 201
    assert client.post(f"{REPO}/git/refs", {"ref": CLAIM_REF, "sha": two}).status == 422
    path = f"{REPO}/git/refs/maverick/claims/1"
    assert client.patch(path, {"sha": two, "force": False}).status == 200
    refused = client.patch(path, {"sha": one, "force": False})
    assert (refused.status, refused.json["errors"][0]["message"]) == (
        422,
        "Update is not a fast forward",
    )
    listed = client.get(f"{REPO}/git/matching-refs/maverick/claims")
    assert [r["ref"] for r in listed.json] == [CLAIM_REF]
    assert client.get(f"{REPO}/git/refs/maverick/claims").json[0]["object"]["sha"] == two
    assert client.delete(path).status == 204
    assert client.get(f"{REPO}/git/matching-refs/maverick/claims").json == []


def test_graphql_reads_ref_target_and_lists_refs(client: Client) -> None:
    one = _commit(client, "record one")
    _update_refs(client, [{"name": CLAIM_REF, "beforeOid": ZERO_OID, "afterOid": one}])
    query = """query { repository(owner: "maverick-sandbox", name: "demo") {
      ref(qualifiedName: "refs/maverick/claims/1") { name prefix target { oid ... on Commit { message committedDate } } }
      missing: ref(qualifiedName: "refs/maverick/claims/2") { name }
      refs(refPrefix: "refs/maverick/claims/", first: 100) { nodes { name target { oid } } }
    } }"""
    data = client.post("/graphql", {"query": query}).json["data"]["repository"]
    assert data["ref"]["target"]["oid"] == one
    assert data["ref"]["target"]["message"] == "record one"
    assert (data["ref"]["prefix"], data["ref"]["name"]) == ("refs/maverick/claims/", "1")
    assert data["missing"] is None
    assert data["refs"]["nodes"] == [{"name": "1", "target": {"oid": one}}]


def test_account_without_write_access_cannot_move_refs_label_or_edit(client: Client) -> None:
    stranger = client.as_(STRANGER)
    one = _commit(client)
    refused = stranger.post(
        f"{REPO}/git/commits", {"message": "m", "tree": EMPTY_TREE, "parents": []}
    )
    assert refused.status == 403
    assert stranger.post(f"{REPO}/git/refs", {"ref": CLAIM_REF, "sha": one}).status == 403
    result = _update_refs(stranger, [{"name": CLAIM_REF, "beforeOid": ZERO_OID, "afterOid": one}])
    assert result["errors"][0]["type"] == "FORBIDDEN"
    assert stranger.post(f"{REPO}/issues/1/labels", {"labels": ["x"]}).status == 403
    assert stranger.patch(f"{REPO}/issues/1", {"state": "closed"}).status == 403
    mine = client.post(f"{REPO}/issues/1/comments", {"body": "owner's"}).json["id"]
    assert stranger.patch(f"{REPO}/issues/comments/{mine}", {"body": "hijack"}).status == 403
    # Commenting and editing one's own comment stay open to everyone (public repository).
    own = stranger.post(f"{REPO}/issues/1/comments", {"body": "hello"})
    assert own.status == 201
    assert (
        stranger.patch(f"{REPO}/issues/comments/{own.json['id']}", {"body": "edit"}).status == 200
    )


def test_permission_is_independent_of_association(client: Client) -> None:
    # A private org member shows as NONE on comments, yet may push.
    member = client.as_("as:quiet:NONE:write")
    one = _commit(member)
    assert member.post(f"{REPO}/git/refs", {"ref": CLAIM_REF, "sha": one}).status == 201
    triage = client.as_("as:triager:CONTRIBUTOR:triage")
    assert triage.post(f"{REPO}/issues/1/labels", {"labels": ["x"]}).status == 200
    assert (
        triage.post(f"{REPO}/git/refs", {"ref": "refs/maverick/claims/9", "sha": one}).status == 403
    )
    query = 'query { repository(owner: "maverick-sandbox", name: "demo") { viewerPermission } }'
    assert (
        triage.post("/graphql", {"query": query}).json["data"]["repository"]["viewerPermission"]
        == "TRIAGE"
    )


def test_empty_repository_refuses_git_calls(emu: Emulator, client: Client) -> None:
    make_empty(emu.store.repo("maverick-sandbox", "demo"))
    reply = client.post(f"{REPO}/git/commits", {"message": "m", "tree": EMPTY_TREE, "parents": []})
    assert (reply.status, reply.json["message"]) == (409, "Git Repository is empty.")
    assert client.get(f"{REPO}/git/matching-refs/maverick/claims").status == 409


def test_visibility_jitter_makes_listing_non_monotone(emu: Emulator, client: Client) -> None:
    emu.store.faults.update(visibility_delay_ms=0, visibility_jitter_ms=60_000, seed=3)
    ids = [
        client.post(f"{REPO}/issues/1/comments", {"body": f"c{i}"}).json["id"] for i in range(12)
    ]
    issue = emu.store.issue(emu.store.repo("maverick-sandbox", "demo"), 1)
    visible_at = [c.visible_at for c in issue.comments if c.id in ids]
    assert visible_at != sorted(visible_at)  # some later comment shows first


def test_a_server_without_update_refs_refuses_the_whole_document(
    emu: Emulator, client: Client
) -> None:
    """An older GitHub Enterprise Server: the field is unknown, validation fails, nothing
    applies (HTTP 200, ``undefinedField``), as graphql-ruby answers."""
    emu.store.faults.update(update_refs_missing=True)
    sha = _commit(client)
    reply = _update_refs(client, [{"name": CLAIM_REF, "beforeOid": ZERO_OID, "afterOid": sha}])
    (error,) = reply["errors"]
    assert error["message"] == "Field 'updateRefs' doesn't exist on type 'Mutation'"
    assert error["extensions"] == {
        "code": "undefinedField", "typeName": "Mutation", "fieldName": "updateRefs"
    }  # fmt: skip
    assert "data" not in reply and _tip(client) is None
    # REST still works there: create is exclusive, PATCH fast-forward only.
    assert client.post(f"{REPO}/git/refs", {"ref": CLAIM_REF, "sha": sha}).status == 201
    emu.store.faults.update(update_refs_missing=False)
    assert "errors" not in _update_refs(
        client, [{"name": CLAIM_REF, "beforeOid": sha, "afterOid": _commit(client, "n", [sha])}]
    )


def test_a_repository_refusing_the_empty_tree_takes_a_tree_of_one_file(
    emu: Emulator, client: Client
) -> None:
    emu.store.faults.update(empty_tree_refused=True)
    refused = client.post(
        f"{REPO}/git/commits", {"message": "m", "tree": EMPTY_TREE, "parents": []}
    )
    assert (refused.status, refused.json["message"]) == (422, "Tree SHA does not exist")
    entry = {"path": "claim.json", "mode": "100644", "type": "blob", "content": "{}\n"}
    tree = client.post(f"{REPO}/git/trees", {"tree": [entry]})
    assert tree.status == 201
    assert [(e["path"], e["type"]) for e in tree.json["tree"]] == [("claim.json", "blob")]
    again = client.post(f"{REPO}/git/trees", {"tree": [entry]})
    assert again.json["sha"] == tree.json["sha"]  # content-addressed
    made = client.post(
        f"{REPO}/git/commits", {"message": "m", "tree": tree.json["sha"], "parents": []}
    )
    assert made.status == 201 and made.json["tree"]["sha"] == tree.json["sha"]
    bad = client.post(f"{REPO}/git/trees", {"tree": [{**entry, "mode": "100644", "type": "tree"}]})
    assert bad.status == 422
