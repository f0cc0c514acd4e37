"""Non-claim markers from authors whose association hides their access (private org
members show as CONTRIBUTOR or NONE): one permission lookup per author per command run."""

from __future__ import annotations

import json

from maverick_ext.core.markers import render_comment
from maverick_ext.github.client import GhClient
from maverick_ext.services.epics import current_dag, read_epic

from .test_epics_argv import DAG, GH_API, GRAPHQL, REPO, batch, comment, issue, single

PERMISSION = [*GH_API, "GET", "repos/octo/widgets/collaborators/private-member/permission"]


def by(author: str, association: str, node: dict) -> dict:
    return {**node, "author": {"__typename": "User", "login": author},
            "authorAssociation": association}  # fmt: skip


def permission(level: str, role: str) -> str:
    return json.dumps({"permission": level, "role_name": role, "user": {"login": "x"}})


def test_a_private_members_dag_counts_after_one_lookup_per_command(fp, gh_reply) -> None:
    dag = by("private-member", "CONTRIBUTOR", comment(800, render_comment([("dag", DAG)])))
    fp.register(GRAPHQL, stdout=gh_reply(body=single(issue(1, comments=[dag]))))
    fp.register(PERMISSION, stdout=gh_reply(body=permission("write", "maintain")))
    progress = by("private-member", "NONE", comment(801, render_comment([("dag", DAG)])))
    fp.register(GRAPHQL, stdout=gh_reply(body=batch(issue(4, comments=[progress]), issue(6))))
    client = GhClient(repo=REPO)

    ctx = read_epic(client, 1)
    assert current_dag(ctx)[1] == "marker"
    # Reading the stories by the same author again asks GitHub nothing more.
    for snapshot in ctx.fetch_stories([4, 6]).values():
        ctx.trusted_markers(snapshot)
    assert client.permission_lookups == 1
    assert fp.call_count(PERMISSION) == 1


def test_a_reader_is_not_trusted_and_its_dag_is_ignored(fp, gh_reply) -> None:
    dag = by("private-member", "NONE", comment(800, render_comment([("dag", DAG)])))
    fp.register(GRAPHQL, stdout=gh_reply(body=single(issue(1, comments=[dag]))))
    fp.register(PERMISSION, stdout=gh_reply(body=permission("read", "triage")))
    client = GhClient(repo=REPO)
    ctx = read_epic(client, 1)
    assert ctx.latest("dag") is None and client.permission_lookups == 1


def test_an_unanswerable_lookup_trusts_nobody_and_does_not_fail(fp, gh_reply) -> None:
    dag = by("private-member", "NONE", comment(800, render_comment([("dag", DAG)])))
    fp.register(GRAPHQL, stdout=gh_reply(body=single(issue(1, comments=[dag]))))
    fp.register(PERMISSION, stdout=gh_reply(403, '{"message": "Must have push access"}'),
                returncode=1)  # fmt: skip
    ctx = read_epic(GhClient(repo=REPO), 1)
    assert ctx.latest("dag") is None
