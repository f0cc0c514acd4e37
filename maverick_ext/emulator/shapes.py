"""Store objects → GitHub REST JSON, with every field GitHub's OpenAPI schema marks required.

URLs are built on the host the request used (``api.github.localhost`` through gh, or the
loopback address for direct clients), so ``url``/``html_url``/``Link`` can be followed.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from maverick_ext.emulator.store import Comment, Issue, Label, Pull, Repo, Store, User, isoformat
from maverick_ext.records import dataclass

Json = dict[str, Any]


@dataclass(frozen=True)
class Urls:
    """Where the API and the web UI live, as seen by the client."""

    api: str  # e.g. "http://api.github.localhost" (no trailing slash)
    web: str  # e.g. "http://github.localhost"

    @classmethod
    def for_host(cls, host: str, scheme: str = "http") -> Urls:
        """Derive both bases from the request's Host (``api.X`` → web ``X``)."""
        web_host = host[4:] if host.startswith("api.") else host
        return cls(f"{scheme}://{host}", f"{scheme}://{web_host}")


def simple_user(u: Urls, user: User) -> Json:
    """A ``simple-user``."""
    api = f"{u.api}/users/{user.login}"
    return {
        "login": user.login,
        "id": user.id,
        "node_id": user.node_id,
        "avatar_url": f"{u.web}/avatars/u/{user.id}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{u.web}/{user.login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": user.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def collaborator_permission(u: Urls, user: User, role: str, base_role: str) -> Json:
    """``repository-collaborator-permission``: the base role, the role, the account."""
    held = ("read", "triage", "write", "maintain", "admin")
    rank = held.index(role)
    flags = dict(zip(("pull", "triage", "push", "maintain", "admin"), held, strict=True))
    return {
        "permission": base_role,
        "role_name": role,
        "user": {
            **simple_user(u, user),
            "permissions": {flag: held.index(level) <= rank for flag, level in flags.items()},
            "role_name": role,
        },
    }


def full_user(u: Urls, user: User, *, private: bool) -> Json:
    """``public-user`` (``GET /users/x``) or ``private-user`` (``GET /user``)."""
    out = simple_user(u, user) | {
        "name": user.name,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": 1,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": isoformat(user.created_at),
        "updated_at": isoformat(user.created_at),
    }
    if private:
        out |= {
            "private_gists": 0,
            "total_private_repos": 0,
            "owned_private_repos": 0,
            "disk_usage": 0,
            "collaborators": 0,
            "two_factor_authentication": False,
        }
    return out


def label(u: Urls, repo: Repo, lb: Label) -> Json:
    """A ``label``."""
    return {
        "id": lb.id,
        "node_id": lb.node_id,
        "url": f"{u.api}/repos/{repo.full_name}/labels/{quote(lb.name, safe='')}",
        "name": lb.name,
        "color": lb.color,
        "default": lb.default,
        "description": lb.description,
        "archived_at": None,
        "archived_by": None,
    }


def repository(u: Urls, repo: Repo, *, full: bool = True) -> Json:
    """A ``full-repository`` (or, with ``full=False``, the nested ``repository``)."""
    api = f"{u.api}/repos/{repo.full_name}"
    html = f"{u.web}/{repo.full_name}"
    open_issues = sum(1 for i in repo.issues.values() if i.state == "open")
    out: Json = {
        "id": repo.id,
        "node_id": repo.node_id,
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": simple_user(u, repo.owner),
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "html_url": html,
        "description": repo.description,
        "fork": False,
        "url": api,
        "archive_url": f"{api}/{{archive_format}}{{/ref}}",
        "assignees_url": f"{api}/assignees{{/user}}",
        "blobs_url": f"{api}/git/blobs{{/sha}}",
        "branches_url": f"{api}/branches{{/branch}}",
        "collaborators_url": f"{api}/collaborators{{/collaborator}}",
        "comments_url": f"{api}/comments{{/number}}",
        "commits_url": f"{api}/commits{{/sha}}",
        "compare_url": f"{api}/compare/{{base}}...{{head}}",
        "contents_url": f"{api}/contents/{{+path}}",
        "contributors_url": f"{api}/contributors",
        "deployments_url": f"{api}/deployments",
        "downloads_url": f"{api}/downloads",
        "events_url": f"{api}/events",
        "forks_url": f"{api}/forks",
        "git_commits_url": f"{api}/git/commits{{/sha}}",
        "git_refs_url": f"{api}/git/refs{{/sha}}",
        "git_tags_url": f"{api}/git/tags{{/sha}}",
        "git_url": f"git://{u.web.split('://', 1)[1]}/{repo.full_name}.git",
        "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "issue_events_url": f"{api}/issues/events{{/number}}",
        "issues_url": f"{api}/issues{{/number}}",
        "keys_url": f"{api}/keys{{/key_id}}",
        "labels_url": f"{api}/labels{{/name}}",
        "languages_url": f"{api}/languages",
        "merges_url": f"{api}/merges",
        "milestones_url": f"{api}/milestones{{/number}}",
        "notifications_url": f"{api}/notifications{{?since,all,participating}}",
        "pulls_url": f"{api}/pulls{{/number}}",
        "releases_url": f"{api}/releases{{/id}}",
        "ssh_url": f"git@{u.web.split('://', 1)[1]}:{repo.full_name}.git",
        "stargazers_url": f"{api}/stargazers",
        "statuses_url": f"{api}/statuses/{{sha}}",
        "subscribers_url": f"{api}/subscribers",
        "subscription_url": f"{api}/subscription",
        "tags_url": f"{api}/tags",
        "teams_url": f"{api}/teams",
        "trees_url": f"{api}/git/trees{{/sha}}",
        "clone_url": f"{html}.git",
        "mirror_url": None,
        "hooks_url": f"{api}/hooks",
        "svn_url": html,
        "homepage": None,
        "language": "Python",
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "size": 1,
        "default_branch": repo.default_branch,
        "open_issues_count": open_issues,
        "is_template": False,
        "topics": [],
        "has_issues": True,
        "has_projects": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "pushed_at": isoformat(repo.pushed_at),
        "created_at": isoformat(repo.created_at),
        "updated_at": isoformat(repo.updated_at),
        "permissions": {
            "admin": True,
            "maintain": True,
            "push": True,
            "triage": True,
            "pull": True,
        },
        "allow_rebase_merge": True,
        "allow_squash_merge": True,
        "allow_merge_commit": True,
        "allow_auto_merge": False,
        "delete_branch_on_merge": False,
        "allow_forking": True,
        "web_commit_signoff_required": False,
        "license": None,
        "forks": 0,
        "open_issues": open_issues,
        "watchers": 0,
    }
    if full:
        out |= {"subscribers_count": 0, "network_count": 0}
    return out


def _reactions(url: str) -> Json:
    return {
        "url": f"{url}/reactions",
        "total_count": 0,
        "+1": 0,
        "-1": 0,
        "laugh": 0,
        "hooray": 0,
        "confused": 0,
        "heart": 0,
        "rocket": 0,
        "eyes": 0,
    }


def issue(u: Urls, store: Store, it: Issue) -> Json:
    """An ``issue`` (a PR seen through the issues API carries ``pull_request``)."""
    repo = it.repo
    repo_api = f"{u.api}/repos/{repo.full_name}"
    api = f"{repo_api}/issues/{it.number}"
    kind = "pull" if it.is_pull else "issues"
    completed = sum(1 for s in it.sub_issues if s.state == "closed")
    total = len(it.sub_issues)
    out: Json = {
        "id": it.id,
        "node_id": it.node_id,
        "url": api,
        "repository_url": repo_api,
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{u.web}/{repo.full_name}/{kind}/{it.number}",
        "number": it.number,
        "state": it.state,
        "title": it.title,
        "body": it.body,
        "user": simple_user(u, it.user),
        "labels": [label(u, repo, lb) for lb in it.labels],
        "assignee": simple_user(u, it.assignees[0]) if it.assignees else None,
        "assignees": [simple_user(u, a) for a in it.assignees],
        "milestone": None,
        "locked": it.locked,
        "active_lock_reason": None,
        "comments": len(store.visible_comments(it)),
        "closed_at": isoformat(it.closed_at),
        "created_at": isoformat(it.created_at),
        "updated_at": isoformat(it.updated_at),
        "closed_by": simple_user(u, it.closed_by) if it.closed_by else None,
        "author_association": it.author_association,
        "state_reason": it.state_reason,
        "timeline_url": f"{api}/timeline",
        "performed_via_github_app": None,
        "reactions": _reactions(api),
        "sub_issues_summary": {
            "total": total,
            "completed": completed,
            "percent_completed": completed * 100 // total if total else 0,
        },
        "issue_dependencies_summary": {
            "blocked_by": sum(1 for b in it.blocked_by if b.state == "open"),
            "blocking": sum(1 for b in it.blocking if b.state == "open"),
            "total_blocked_by": len(it.blocked_by),
            "total_blocking": len(it.blocking),
        },
    }
    if it.parent is not None:
        out["parent_issue_url"] = f"{repo_api}/issues/{it.parent.number}"
    if it.pull is not None:
        html = f"{u.web}/{repo.full_name}/pull/{it.number}"
        out["draft"] = it.pull.draft
        out["pull_request"] = {
            "url": f"{repo_api}/pulls/{it.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": isoformat(it.pull.merged_at),
        }
    return out


def comment(u: Urls, c: Comment) -> Json:
    """An ``issue-comment``."""
    repo = c.issue.repo
    api = f"{u.api}/repos/{repo.full_name}/issues/comments/{c.id}"
    kind = "pull" if c.issue.is_pull else "issues"
    return {
        "id": c.id,
        "node_id": c.node_id,
        "url": api,
        "html_url": f"{u.web}/{repo.full_name}/{kind}/{c.issue.number}#issuecomment-{c.id}",
        "issue_url": f"{u.api}/repos/{repo.full_name}/issues/{c.issue.number}",
        "body": c.body,
        "user": simple_user(u, c.user),
        "created_at": isoformat(c.created_at),
        "updated_at": isoformat(c.updated_at),
        "author_association": c.author_association,
        "performed_via_github_app": None,
        "reactions": _reactions(api),
    }


def _branch(u: Urls, pr: Pull, ref: str, sha: str) -> Json:
    repo = pr.repo
    return {
        "label": f"{repo.owner.login}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": simple_user(u, repo.owner),
        "repo": repository(u, repo, full=False),
    }


def pull(u: Urls, pr: Pull, *, full: bool = True) -> Json:
    """A ``pull-request`` (``full``) or ``pull-request-simple`` (listings)."""
    it = pr.issue
    repo = pr.repo
    repo_api = f"{u.api}/repos/{repo.full_name}"
    api = f"{repo_api}/pulls/{it.number}"
    html = f"{u.web}/{repo.full_name}/pull/{it.number}"
    issue_api = f"{repo_api}/issues/{it.number}"
    statuses = f"{repo_api}/statuses/{pr.head_sha}"
    out: Json = {
        "url": api,
        "id": pr.id,
        "node_id": pr.node_id,
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_api,
        "commits_url": f"{api}/commits",
        "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{repo_api}/pulls/comments{{/number}}",
        "comments_url": f"{issue_api}/comments",
        "statuses_url": statuses,
        "number": it.number,
        "state": it.state,
        "locked": it.locked,
        "title": it.title,
        "user": simple_user(u, it.user),
        "body": it.body,
        "labels": [label(u, repo, lb) for lb in it.labels],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": isoformat(it.created_at),
        "updated_at": isoformat(it.updated_at),
        "closed_at": isoformat(it.closed_at),
        "merged_at": isoformat(pr.merged_at),
        "merge_commit_sha": pr.merge_commit_sha,
        "assignee": simple_user(u, it.assignees[0]) if it.assignees else None,
        "assignees": [simple_user(u, a) for a in it.assignees],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": _branch(u, pr, pr.head_ref, pr.head_sha),
        "base": _branch(u, pr, pr.base_ref, pr.base_sha),
        "_links": {
            "self": {"href": api},
            "html": {"href": html},
            "issue": {"href": issue_api},
            "comments": {"href": f"{issue_api}/comments"},
            "review_comments": {"href": f"{api}/comments"},
            "review_comment": {"href": f"{repo_api}/pulls/comments{{/number}}"},
            "commits": {"href": f"{api}/commits"},
            "statuses": {"href": statuses},
        },
        "author_association": it.author_association,
        "auto_merge": None,
        "draft": pr.draft,
    }
    if full:
        is_open = it.state == "open"
        out |= {
            "merged": pr.merged,
            "mergeable": True if is_open else None,
            "rebaseable": True if is_open else None,
            "mergeable_state": "clean" if is_open else "unknown",
            "merged_by": simple_user(u, pr.merged_by) if pr.merged_by else None,
            "comments": len(it.comments),
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": 1,
            "additions": 1,
            "deletions": 0,
            "changed_files": 1,
        }
    return out


def merge_result(pr: Pull) -> Json:
    """The ``pull-request-merge-result`` of ``PUT …/merge``."""
    message = "Pull Request successfully merged"
    return {"sha": pr.merge_commit_sha, "merged": True, "message": message}


def git_ref(u: Urls, repo: Repo, ref: str, sha: str) -> Json:
    """A ``git-ref``."""
    repo_api = f"{u.api}/repos/{repo.full_name}"
    return {
        "ref": ref,
        "node_id": _ref_node_id(repo, ref),
        "url": f"{repo_api}/git/{quote(ref, safe='/')}",
        "object": {"type": "commit", "sha": sha, "url": f"{repo_api}/git/commits/{sha}"},
    }


def _ref_node_id(repo: Repo, ref: str) -> str:
    return "REF_" + base64.urlsafe_b64encode(f"{repo.id}:{ref}".encode()).decode().rstrip("=")


def rate_limit(limit: int, remaining: int, reset: int) -> Json:
    """The ``rate-limit-overview`` of ``GET /rate_limit``."""

    def one(lim: int, rem: int) -> Json:
        return {"limit": lim, "remaining": rem, "reset": reset, "used": lim - rem}

    core = one(limit, remaining)
    return {
        "resources": {
            "core": core,
            "graphql": one(5000, 5000),
            "search": one(30, 30),
            "code_search": one(10, 10),
            "integration_manifest": one(5000, 5000),
        },
        "rate": core,
    }


def root(u: Urls) -> Json:
    """``GET /``: the hypermedia index (gh's ``auth status`` reads its headers)."""
    a = u.api
    search = "?q={query}{&page,per_page,sort,order}"
    return {
        "current_user_url": f"{a}/user",
        "current_user_authorizations_html_url": (
            u.web + "/settings/connections/applications{/client_id}"
        ),
        "authorizations_url": f"{a}/authorizations",
        "code_search_url": f"{a}/search/code{search}",
        "commit_search_url": f"{a}/search/commits{search}",
        "emails_url": f"{a}/user/emails",
        "emojis_url": f"{a}/emojis",
        "events_url": f"{a}/events",
        "feeds_url": f"{a}/feeds",
        "followers_url": f"{a}/user/followers",
        "following_url": f"{a}/user/following{{/target}}",
        "gists_url": f"{a}/gists{{/gist_id}}",
        "hub_url": f"{a}/hub",
        "issue_search_url": f"{a}/search/issues{search}",
        "issues_url": f"{a}/issues",
        "keys_url": f"{a}/user/keys",
        "label_search_url": (
            a + "/search/labels?q={query}&repository_id={repository_id}{&page,per_page}"
        ),
        "notifications_url": f"{a}/notifications",
        "organization_url": f"{a}/orgs/{{org}}",
        "organization_repositories_url": f"{a}/orgs/{{org}}/repos{{?type,page,per_page,sort}}",
        "organization_teams_url": f"{a}/orgs/{{org}}/teams",
        "public_gists_url": f"{a}/gists/public",
        "rate_limit_url": f"{a}/rate_limit",
        "repository_url": f"{a}/repos/{{owner}}/{{repo}}",
        "repository_search_url": f"{a}/search/repositories{search}",
        "current_user_repositories_url": f"{a}/user/repos{{?type,page,per_page,sort}}",
        "starred_url": f"{a}/user/starred{{/owner}}{{/repo}}",
        "starred_gists_url": f"{a}/gists/starred",
        "topic_search_url": f"{a}/search/topics?q={{query}}{{&page,per_page}}",
        "user_url": f"{a}/users/{{user}}",
        "user_organizations_url": f"{a}/user/orgs",
        "user_repositories_url": f"{a}/users/{{user}}/repos{{?type,page,per_page,sort}}",
        "user_search_url": f"{a}/search/users{search}",
    }
