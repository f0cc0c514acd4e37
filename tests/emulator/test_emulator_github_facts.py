"""GitHub's published limits, spellings and id ranges, enforced (see docs/github-facts.md)."""

from __future__ import annotations

from typing import Any

import pytest

from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.emulator.store import ASSOCIATIONS

from .conftest import REPO as REST_REPO
from .conftest import Client

REPOSITORY = f'repository(owner: "{OWNER}", name: "{REPO}")'
COMMENTS_QUERY = f"""
query($n: Int!) {{ viewer {{ login }} {REPOSITORY} {{ issue(number: $n) {{
  fullDatabaseId
  comments(first: 10) {{ nodes {{ fullDatabaseId authorAssociation author {{ __typename login }} }} }}
}} }} }}
"""


def graphql(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    reply = client.post("/graphql", {"query": query, "variables": variables})
    assert reply.status == 200
    return reply.json


# -- ids -------------------------------------------------------------------------------


def test_issue_and_comment_ids_are_beyond_32_bits(client: Client) -> None:
    made = client.post(f"{REST_REPO}/issues/2/comments", {"body": "x"}).json
    issue = client.get(f"{REST_REPO}/issues/2").json
    assert made["id"] > 2**32 and issue["id"] > 2**32
    data = graphql(client, COMMENTS_QUERY, n=2)["data"]["repository"]["issue"]
    # fullDatabaseId is a BigInt: a string on the wire.
    assert data["fullDatabaseId"] == str(issue["id"])
    assert data["comments"]["nodes"][0]["fullDatabaseId"] == str(made["id"])


def test_database_id_beyond_int32_is_a_graphql_error(emu: Emulator, client: Client) -> None:
    client.post(f"{REST_REPO}/issues/2/comments", {"body": "x"})
    assert emu.faults.int32_database_id  # on by default, as on GitHub
    query = f"{{ {REPOSITORY} {{ issue(number: 2) {{ comments(first: 1) {{ nodes {{ databaseId body }} }} }} }} }}"
    out = graphql(client, query)
    [error] = out["errors"]
    assert "32-bit" in error["message"]
    assert error["path"] == ["repository", "issue", "comments", "nodes", 0, "databaseId"]
    assert out["data"]["repository"]["issue"]["comments"]["nodes"] == [
        {"databaseId": None, "body": "x"}
    ]
    emu.faults.update(int32_database_id=False)  # the lenient mode, for older clients
    lenient = graphql(client, query)["data"]["repository"]["issue"]["comments"]["nodes"]
    assert lenient[0]["databaseId"] > 2**32


# -- bots ------------------------------------------------------------------------------


def test_a_bot_is_spelled_three_ways(client: Client) -> None:
    app = client.as_("bot:maverick-app")
    made = app.post(f"{REST_REPO}/issues/3/comments", {"body": "from the app"}).json
    assert (made["user"]["login"], made["user"]["type"]) == ("maverick-app[bot]", "Bot")
    assert made["author_association"] == "NONE"
    out = graphql(app, COMMENTS_QUERY, n=3)["data"]
    assert out["viewer"]["login"] == "maverick-app[bot]"
    [node] = out["repository"]["issue"]["comments"]["nodes"]
    assert node["author"] == {"__typename": "Bot", "login": "maverick-app"}
    assert client.get("/users/maverick-app[bot]").json["type"] == "Bot"
    # An installation token is no user.
    assert app.get("/user").status == 403


# -- author_association ----------------------------------------------------------------


@pytest.mark.parametrize("association", ASSOCIATIONS)
def test_every_author_association_github_knows(
    emu: Emulator, client: Client, association: str
) -> None:
    assert len(ASSOCIATIONS) == 8
    emu.faults.update(private_membership=False)  # MEMBER shows only for public members
    who = client.as_(f"as:someone:{association.lower()}")
    made = who.post(f"{REST_REPO}/issues/3/comments", {"body": "x"}).json
    assert made["author_association"] == association
    [node] = graphql(client, COMMENTS_QUERY, n=3)["data"]["repository"]["issue"]["comments"][
        "nodes"
    ]
    assert node["authorAssociation"] == association


def test_private_org_members_appear_as_contributor_or_none(emu: Emulator, client: Client) -> None:
    assert emu.faults.private_membership  # on by default: membership is private by default
    member = client.as_("as:quiet-member:MEMBER")
    first = member.post(f"{REST_REPO}/issues/3/comments", {"body": "x"}).json
    assert first["author_association"] == "NONE"
    with emu.store.lock:
        store = emu.store
        repo = store.repo(OWNER, REPO)
        viewer = store.identify("as:quiet-member:MEMBER")
        store.merge_pull(store.create_pull(repo, viewer, "Fix", "fix", "main"), viewer)
    later = member.post(f"{REST_REPO}/issues/3/comments", {"body": "y"}).json
    assert later["author_association"] == "CONTRIBUTOR"
    emu.faults.update(private_membership=False)
    public = member.post(f"{REST_REPO}/issues/3/comments", {"body": "z"}).json
    assert public["author_association"] == "MEMBER"


@pytest.mark.parametrize(
    ("token", "role", "base_role"),
    [
        ("as:quiet-member:MEMBER", "write", "write"),  # shown as NONE, still a writer
        ("as:m:NONE:maintain", "maintain", "write"),
        ("as:t:NONE:triage", "triage", "read"),
        ("as:stranger:NONE", "read", "read"),
        ("bot:some-app:NONE:write", "write", "write"),
    ],
)
def test_the_permission_api_reports_the_base_role_and_the_role(
    client: Client, token: str, role: str, base_role: str
) -> None:
    login = (
        client.as_(token).get("/user").json.get("login")
        if token.startswith("as:")
        else ("some-app%5Bbot%5D")
    )
    client.as_(token).get(REST_REPO)  # the account exists once it has acted
    answer = client.get(f"{REST_REPO}/collaborators/{login}/permission")
    assert answer.status == 200
    assert (answer.json["permission"], answer.json["role_name"]) == (base_role, role)
    assert answer.json["user"]["permissions"]["push"] is (base_role in ("write", "admin"))


def test_only_pushers_may_ask_about_permissions(client: Client) -> None:
    stranger = client.as_("as:stranger:NONE")
    refused = stranger.get(f"{REST_REPO}/collaborators/maverick-sandbox/permission")
    assert refused.status == 403
    assert refused.json["message"] == "Must have push access to view collaborator permission."
    assert client.get(f"{REST_REPO}/collaborators/nobody-at-all/permission").status == 404


# -- labels ----------------------------------------------------------------------------


def test_label_names_over_50_characters_are_refused(client: Client) -> None:
    long = "merged-to-" + "b" * 41
    reply = client.post(f"{REST_REPO}/labels", {"name": long, "color": "ededed"})
    assert reply.status == 422
    assert reply.json["errors"] == [
        {
            "resource": "Label",
            "field": "name",
            "code": "custom",
            "message": "name is too long (maximum is 50 characters)",
        }
    ]
    # Adding a missing long label to an issue fails in its own shape.
    added = client.post(f"{REST_REPO}/issues/2/labels", {"labels": [long]})
    assert added.status == 422
    assert added.json["errors"] == [
        {"value": long, "resource": "Label", "field": "name", "code": "invalid"}
    ]
    assert client.post(f"{REST_REPO}/labels", {"name": long[:50], "color": "ededed"}).status == 201


def test_label_names_match_case_insensitively(client: Client) -> None:
    labels = client.post(f"{REST_REPO}/issues/2/labels", {"labels": ["BUG"]}).json
    assert [lb["name"] for lb in labels] == ["bug"]  # the existing label, not a new one
    assert client.get(f"{REST_REPO}/labels/Bug").json["name"] == "bug"
    assert client.delete(f"{REST_REPO}/issues/2/labels/BuG").status == 200
    assert client.get(f"{REST_REPO}/issues/2/labels").json == []


# -- bodies ----------------------------------------------------------------------------


def test_comment_bodies_over_65536_characters_are_refused(client: Client) -> None:
    fits = client.post(f"{REST_REPO}/issues/2/comments", {"body": "x" * 65_536})
    assert fits.status == 201
    reply = client.post(f"{REST_REPO}/issues/2/comments", {"body": "x" * 65_537})
    assert reply.status == 422
    assert reply.json["message"] == "Validation Failed"
    assert reply.json["errors"] == [
        {
            "resource": "IssueComment",
            "field": "data",
            "code": "unprocessable",
            "message": "Body is too long (maximum is 65536 characters)",
        }
    ]
    edit = client.patch(f"{REST_REPO}/issues/comments/{fits.json['id']}", {"body": "y" * 70_000})
    assert edit.status == 422
    assert client.get(f"{REST_REPO}/issues/comments/{fits.json['id']}").json["body"] == "x" * 65_536


def test_issue_bodies_over_65536_characters_are_refused(client: Client) -> None:
    reply = client.post(f"{REST_REPO}/issues", {"title": "t", "body": "x" * 65_537})
    assert reply.status == 422
    assert reply.json["errors"][0]["message"] == "body is too long (maximum is 65536 characters)"


def test_graphql_add_comment_refuses_a_long_body(client: Client) -> None:
    issue = client.get(f"{REST_REPO}/issues/2").json
    mutation = (
        "mutation($id: ID!, $b: String!) "
        "{ addComment(input: {subjectId: $id, body: $b}) { clientMutationId } }"
    )
    out = graphql(client, mutation, id=issue["node_id"], b="x" * 65_537)
    assert out["errors"][0]["type"] == "UNPROCESSABLE"
    assert "Body is too long" in out["errors"][0]["message"]


# -- pagination ------------------------------------------------------------------------


def test_pagination_links_name_the_repository_by_id_and_are_served(
    emu: Emulator, client: Client
) -> None:
    for i in range(3):
        client.post(f"{REST_REPO}/issues/2/comments", {"body": f"c{i}"})
    repo_id = client.get(REST_REPO).json["id"]
    first = client.get(f"{REST_REPO}/issues/2/comments?per_page=2")
    next_url = first.headers["link"].split(";")[0].strip("<>")
    assert next_url == (
        f"http://api.github.localhost/repositories/{repo_id}/issues/2/comments?per_page=2&page=2"
    )
    page2 = client.get(next_url.removeprefix("http://api.github.localhost"))
    assert [c["body"] for c in page2.json] == ["c2"]
    assert client.get("/repositories/999999999/labels").status == 404


# -- older servers ---------------------------------------------------------------------


def test_a_server_without_blocked_by_refuses_queries_naming_it(emu: Emulator, client: Client):
    query = f"{{ {REPOSITORY} {{ issue(number: 4) {{ number blockedBy(first: 5) {{ nodes {{ number }} }} }} }} }}"
    assert graphql(client, query)["data"]["repository"]["issue"]["blockedBy"]["nodes"] == [
        {"number": 3}
    ]
    emu.faults.update(absent_issue_fields="blockedBy, parent")  # GHES up to 3.18
    out = graphql(client, query)
    assert "data" not in out  # static validation fails the whole query
    [error] = out["errors"]
    assert error["message"] == "Field 'blockedBy' doesn't exist on type 'Issue'"
    assert error["extensions"] == {
        "code": "undefinedField", "typeName": "Issue", "fieldName": "blockedBy"
    }  # fmt: skip
    assert graphql(client, query.replace("blockedBy", "subIssues"))["data"]  # still there
