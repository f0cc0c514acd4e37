"""REST behaviour of the emulator over a proxy-form HTTP client."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maverick_ext.emulator import Emulator

from .conftest import REPO, Client


def _links(header: str) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header)}


def _path(url: str) -> str:
    return url.removeprefix("http://api.github.localhost")


def test_requires_authentication(client: Client) -> None:
    reply = client.as_(None).get(f"{REPO}/issues/1")
    assert reply.status == 401
    assert reply.json["message"] == "Requires authentication"


def test_root_has_scopes_and_standard_headers(client: Client) -> None:
    reply = client.get("/")
    assert reply.status == 200
    assert "repo" in reply.headers["x-oauth-scopes"]
    for name in (
        "date",
        "etag",
        "x-github-request-id",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-used",
        "x-ratelimit-reset",
        "x-ratelimit-resource",
    ):
        assert name in reply.headers, name
    assert reply.headers["content-type"] == "application/json; charset=utf-8"


def test_origin_form_and_api_v3_prefix(client: Client) -> None:
    assert client.get(f"{REPO}/issues/1", absolute=False).json["number"] == 1
    assert client.get(f"/api/v3{REPO}/issues/1", absolute=False).json["number"] == 1


def test_unknown_route_is_github_404(client: Client) -> None:
    reply = client.get(f"{REPO}/nope")
    assert reply.status == 404
    assert reply.json["message"] == "Not Found"
    assert "documentation_url" in reply.json


def test_rate_limit_counts_down(client: Client) -> None:
    first = int(client.get("/user").headers["x-ratelimit-remaining"])
    second = int(client.get("/user").headers["x-ratelimit-remaining"])
    assert second == first - 1
    body = client.get("/rate_limit").json
    assert body["resources"]["core"]["remaining"] == second - 1


def test_etag_gives_304(client: Client) -> None:
    first = client.get(f"{REPO}/issues/1")
    again = client.get(f"{REPO}/issues/1", headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 304
    assert again.raw == b""
    client.post(f"{REPO}/issues/1/comments", {"body": "changes the comment count"})
    changed = client.get(f"{REPO}/issues/1", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status == 200


def test_issue_crud_and_filters(client: Client) -> None:
    created = client.post(f"{REPO}/issues", {"title": "New", "body": "b", "labels": ["x"]})
    assert created.status == 201
    number = created.json["number"]
    assert created.headers["location"].endswith(f"/issues/{number}")
    assert [lb["name"] for lb in created.json["labels"]] == ["x"]
    listed = client.get(f"{REPO}/issues?labels=x").json
    assert [i["number"] for i in listed] == [number]
    closed = client.patch(
        f"{REPO}/issues/{number}", {"state": "closed", "state_reason": "not_planned"}
    ).json
    assert closed["state"] == "closed"
    assert closed["state_reason"] == "not_planned"
    assert closed["closed_at"] is not None
    assert number not in [i["number"] for i in client.get(f"{REPO}/issues").json]
    closed_list = client.get(f"{REPO}/issues?state=closed").json
    assert [i["number"] for i in closed_list] == [number]
    bad = client.post(f"{REPO}/issues", {"body": "no title"})
    assert bad.status == 422
    assert bad.json["message"] == "Validation Failed"
    assert bad.json["errors"][0]["field"] == "title"


def test_comment_ids_increase_and_pagination_links(client: Client) -> None:
    ids = [client.post(f"{REPO}/issues/2/comments", {"body": f"c{i}"}).json["id"] for i in range(7)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 7
    first = client.get(f"{REPO}/issues/2/comments?per_page=3")
    links = _links(first.headers["link"])
    assert set(links) == {"next", "last"}
    assert links["next"].startswith("http://api.github.localhost/")
    assert "page=3" in links["last"]
    second = client.get(_path(links["next"]))
    assert set(_links(second.headers["link"])) == {"next", "last", "first", "prev"}
    last = client.get(_path(links["last"]))
    assert set(_links(last.headers["link"])) == {"first", "prev"}
    seen = [c["id"] for page in (first, second, last) for c in page.json]
    assert seen == ids


def test_comment_update_bumps_updated_at_and_delete(emu: Emulator, client: Client) -> None:
    made = client.post(f"{REPO}/issues/2/comments", {"body": "lease"}).json
    emu.advance_clock(120)
    edited = client.patch(f"{REPO}/issues/comments/{made['id']}", {"body": "lease 2"}).json
    assert edited["created_at"] == made["created_at"]
    assert edited["updated_at"] > made["updated_at"]
    since = client.get(f"{REPO}/issues/2/comments?since={edited['updated_at']}").json
    assert [c["id"] for c in since] == [made["id"]]
    assert client.delete(f"{REPO}/issues/comments/{made['id']}").status == 204
    assert client.get(f"{REPO}/issues/comments/{made['id']}").status == 404


def test_identity_and_author_association(client: Client) -> None:
    outsider = client.as_("as:drive-by:NONE")
    made = outsider.post(f"{REPO}/issues/2/comments", {"body": "```maverick-claim\n{}\n```"})
    assert made.json["user"]["login"] == "drive-by"
    assert made.json["author_association"] == "NONE"
    assert outsider.get("/user").json["login"] == "drive-by"
    agent = client.as_("as:agent-1").post(f"{REPO}/issues/2/comments", {"body": "hi"}).json
    assert agent["author_association"] == "COLLABORATOR"
    owner = client.post(f"{REPO}/issues/2/comments", {"body": "hi"}).json
    assert (owner["user"]["login"], owner["author_association"]) == ("maverick-sandbox", "OWNER")


def test_labels_with_hash_and_colon(client: Client) -> None:
    added = client.post(f"{REPO}/issues/4/labels", {"labels": ["blocked-by:#12"]})
    assert added.status == 200
    assert "blocked-by:#12" in [lb["name"] for lb in added.json]
    # Adding created the repo label, like GitHub.
    encoded = quote("blocked-by:#12", safe="")
    assert client.get(f"{REPO}/labels/{encoded}").json["name"] == "blocked-by:#12"
    removed = client.delete(f"{REPO}/issues/4/labels/{encoded}")
    assert removed.status == 200
    assert removed.json == []
    again = client.delete(f"{REPO}/issues/4/labels/{encoded}")
    assert again.status == 404


def test_issue_labels_replace_and_clear(client: Client) -> None:
    assert client.post(f"{REPO}/issues/3/labels", ["a", "b"]).status == 200
    replaced = client.put(f"{REPO}/issues/3/labels", {"labels": ["c"]}).json
    assert [lb["name"] for lb in replaced] == ["c"]
    assert client.delete(f"{REPO}/issues/3/labels").status == 204
    assert client.get(f"{REPO}/issues/3/labels").json == []


def test_repo_labels_crud(client: Client) -> None:
    made = client.post(f"{REPO}/labels", {"name": "merged-to-main", "color": "0e8a16"})
    assert made.status == 201
    dup = client.post(f"{REPO}/labels", {"name": "Merged-To-Main"})
    assert dup.status == 422
    assert dup.json["errors"][0]["code"] == "already_exists"
    renamed = client.patch(f"{REPO}/labels/merged-to-main", {"new_name": "merged-to-dev"}).json
    assert renamed["name"] == "merged-to-dev"
    assert client.delete(f"{REPO}/labels/merged-to-dev").status == 204
    assert client.get(f"{REPO}/labels/merged-to-dev").status == 404
    names = [lb["name"] for lb in client.get(f"{REPO}/labels?per_page=100").json]
    assert {"claude-in-progress", "needs-human", "bug"} <= set(names)


def test_sub_issues_round_trip(client: Client) -> None:
    subs = client.get(f"{REPO}/issues/1/sub_issues").json
    assert [i["number"] for i in subs] == [2, 3, 4, 5, 6, 7]
    assert client.get(f"{REPO}/issues/5/parent").json["number"] == 1
    assert client.get(f"{REPO}/issues/8/parent").status == 404
    bug_id = client.get(f"{REPO}/issues/8").json["id"]
    # The API takes the database id, as an integer.
    assert client.post(f"{REPO}/issues/1/sub_issues", {"sub_issue_id": "8"}).status == 422
    added = client.post(f"{REPO}/issues/1/sub_issues", {"sub_issue_id": bug_id})
    assert added.status == 201
    assert added.json["number"] == 1
    assert added.json["sub_issues_summary"]["total"] == 7
    taken = client.post(f"{REPO}/issues/2/sub_issues", {"sub_issue_id": bug_id})
    assert taken.status == 422
    removed = client.delete(f"{REPO}/issues/1/sub_issue", {"sub_issue_id": bug_id})
    assert removed.status == 200
    assert [i["number"] for i in client.get(f"{REPO}/issues/1/sub_issues").json] == list(
        range(2, 8)
    )


def test_dependencies_round_trip(client: Client) -> None:
    assert [i["number"] for i in client.get(f"{REPO}/issues/4/dependencies/blocked_by").json] == [3]
    assert [i["number"] for i in client.get(f"{REPO}/issues/4/dependencies/blocking").json] == [6]
    two = client.get(f"{REPO}/issues/2").json
    added = client.post(f"{REPO}/issues/5/dependencies/blocked_by", {"issue_id": two["id"]})
    assert added.status == 201
    assert added.json["number"] == 2
    five = client.get(f"{REPO}/issues/5").json
    assert five["issue_dependencies_summary"]["total_blocked_by"] == 1
    gone = client.delete(f"{REPO}/issues/5/dependencies/blocked_by/{two['id']}")
    assert gone.status == 200
    assert client.get(f"{REPO}/issues/5/dependencies/blocked_by").json == []


def test_pulls_and_refs(client: Client) -> None:
    main = client.get(f"{REPO}/git/ref/heads/main").json
    sha = main["object"]["sha"]
    made = client.post(f"{REPO}/git/refs", {"ref": "refs/heads/story-2", "sha": sha})
    assert made.status == 201
    dup = client.post(f"{REPO}/git/refs", {"ref": "refs/heads/story-2", "sha": sha})
    assert dup.status == 422
    pr = client.post(
        f"{REPO}/pulls", {"title": "Story 2", "head": "story-2", "base": "main", "body": "x"}
    )
    assert pr.status == 201
    number = pr.json["number"]
    assert pr.json["head"]["ref"] == "story-2"
    as_issue = client.get(f"{REPO}/issues/{number}").json
    assert "pull_request" in as_issue
    listed = client.get(f"{REPO}/pulls?head=maverick-sandbox:story-2").json
    assert [p["number"] for p in listed] == [number]
    assert client.get(f"{REPO}/pulls?base=other").json == []
    merged = client.put(f"{REPO}/pulls/{number}/merge", {"merge_method": "squash"})
    assert merged.status == 200
    assert merged.json["merged"] is True
    after = client.get(f"{REPO}/pulls/{number}").json
    assert (after["state"], after["merged"]) == ("closed", True)
    assert after["merge_commit_sha"] == merged.json["sha"]
    assert client.put(f"{REPO}/pulls/{number}/merge", {}).status == 405
    new_main = client.get(f"{REPO}/git/ref/heads/main").json["object"]["sha"]
    assert new_main == merged.json["sha"]
    # story-2's tip is not a descendant of the new main: not a fast-forward.
    story_tip = client.get(f"{REPO}/git/ref/heads/story-2").json["object"]["sha"]
    rewind = client.patch(f"{REPO}/git/refs/heads/main", {"sha": story_tip})
    assert rewind.status == 422
    forced = client.patch(f"{REPO}/git/refs/heads/main", {"sha": story_tip, "force": True})
    assert forced.status == 200
    matching = client.get(f"{REPO}/git/matching-refs/heads/story").json
    assert [r["ref"] for r in matching] == ["refs/heads/story-2"]
    assert client.delete(f"{REPO}/git/refs/heads/story-2").status == 204
    assert client.get(f"{REPO}/git/ref/heads/story-2").status == 404


def test_pull_retarget(client: Client) -> None:
    first = client.post(f"{REPO}/pulls", {"title": "A", "head": "a", "base": "main"}).json
    second = client.post(f"{REPO}/pulls", {"title": "B", "head": "b", "base": "a"}).json
    assert second["base"]["ref"] == "a"
    moved = client.patch(f"{REPO}/pulls/{second['number']}", {"base": "main"}).json
    assert moved["base"]["ref"] == "main"
    assert first["state"] == "open"


def test_request_log_and_admin_endpoints(emu: Emulator, client: Client) -> None:
    emu.clear_log()
    client.get(f"{REPO}/issues/1?x=1")
    log = client.get("/_emulator/log").json
    assert [(e["method"], e["path"], e["query"], e["status"]) for e in log] == [
        ("GET", f"{REPO}/issues/1", "x=1", 200)
    ]
    assert client.post("/_emulator/log/clear").status == 204
    assert emu.request_log == []
    before = emu.store.now()
    client.post("/_emulator/clock", {"advance_s": 600})
    assert (emu.store.now() - before).total_seconds() >= 600
    assert client.post("/_emulator/faults", {"bogus": 1}).status == 422
    assert client.post("/_emulator/faults", {"latency_ms": 1}).json["latency_ms"] == 1
    assert emu.request_log == []


def test_graphql_route_is_logged_with_operation(emu: Emulator, client: Client) -> None:
    emu.clear_log()
    reply = client.post("/graphql", {"query": "query ViewerLogin { viewer { login } }"})
    # 200 once the GraphQL engine exists; 404 JSON before that.
    assert reply.status in (200, 404)
    assert emu.request_log[-1].operation == "ViewerLogin"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(count=st.integers(0, 45), per_page=st.integers(1, 12))
def test_pagination_never_loses_or_duplicates(client: Client, count: int, per_page: int) -> None:
    made = client.post(f"{REPO}/issues", {"title": "paginate me"}).json["number"]
    expected = [
        client.post(f"{REPO}/issues/{made}/comments", {"body": str(i)}).json["id"]
        for i in range(count)
    ]
    seen: list[int] = []
    path: str | None = f"{REPO}/issues/{made}/comments?per_page={per_page}"
    pages = 0
    while path:
        reply = client.get(path)
        seen += [c["id"] for c in reply.json]
        path = _path(_links(reply.headers.get("link", "")).get("next", "")) or None
        pages += 1
    assert seen == expected
    assert pages == max(1, -(-count // per_page))


@pytest.mark.parametrize("per_page", ["0", "500"])
def test_per_page_is_clamped(client: Client, per_page: str) -> None:
    reply = client.get(f"{REPO}/issues?state=all&per_page={per_page}")
    assert reply.status == 200
    assert 1 <= len(reply.json) <= 100
