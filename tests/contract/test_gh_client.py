"""The `gh api` layer: exact argv, retries, and how failures map onto exit codes."""

from __future__ import annotations

import json

import pytest

from maverick_ext.core.refs import RepoRef
from maverick_ext.errors import (
    AmbiguousWrite,
    ExitCode,
    GitHubRejected,
    GitHubUnavailable,
    NotAuthenticated,
    NotFound,
    UsageError,
)
from maverick_ext.github import issues
from maverick_ext.github.client import GhClient, RetryPolicy

REPO = RepoRef("octo", "demo", host="github.localhost")
BASE = ["gh", "api", "--include"]
HOST = ["--hostname", "github.localhost"]


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sleeps: list[float]) -> GhClient:
    return GhClient(repo=REPO, sleep=sleeps.append, policy=RetryPolicy(attempts=3))


def test_get_sends_the_exact_argv_and_parses_status_headers_and_body(fp, client, gh_reply):
    fp.register(
        [*BASE, "--method", "GET", *HOST, "repos/octo/demo/issues/1"],
        stdout=gh_reply(200, '{"number": 1}', {"ETag": 'W/"abc"'}),
    )
    response = client.get(client.repo_path("issues/1"))
    assert response.status == 200
    assert response.data == {"number": 1}
    assert response.headers["etag"] == 'W/"abc"'
    assert response.server_time is not None and response.server_time.year == 2026


def test_body_goes_on_stdin_never_on_the_command_line(fp, client, gh_reply):
    seen: list[str] = []
    fp.register(
        [*BASE, "--method", "POST", *HOST, "--input", "-", "repos/octo/demo/issues/1/comments"],
        stdout=gh_reply(201, '{"id": 7}'),
        stdin_callable=lambda data: seen.append(data.decode() if isinstance(data, bytes) else data),
    )
    client.post(client.repo_path("issues/1/comments"), {"body": "hello $(rm -rf /)"})
    assert json.loads(seen[0]) == {"body": "hello $(rm -rf /)"}


def test_label_names_are_url_encoded_in_paths(fp, client, gh_reply):
    fp.register(
        [*BASE, "--method", "DELETE", *HOST, "repos/octo/demo/issues/5/labels/blocked-by%3A%2312"],
        stdout=gh_reply(200, "[]"),
    )
    assert issues.remove_label(client, 5, "blocked-by:#12") is True


def test_removing_an_absent_label_is_not_an_error(fp, client, gh_reply):
    fp.register(
        [*BASE, "--method", "DELETE", *HOST, fp.any()],
        stdout=gh_reply(404, '{"message": "Label does not exist"}'),
        returncode=1,
    )
    assert issues.remove_label(client, 5, "claude-in-progress") is False


def test_reads_are_retried_after_a_server_error(fp, client, sleeps, gh_reply):
    argv = [*BASE, "--method", "GET", *HOST, "repos/octo/demo"]
    fp.register(argv, stdout=gh_reply(502, "{}"), returncode=1)
    fp.register(argv, stdout=gh_reply(200, '{"name": "demo"}'))
    assert client.get("repos/octo/demo").data == {"name": "demo"}
    assert len(sleeps) == 1


def test_a_failed_post_is_reported_as_ambiguous_not_blindly_repeated(fp, client, gh_reply):
    fp.register(
        [*BASE, "--method", "POST", *HOST, "--input", "-", fp.any()],
        stdout=gh_reply(502, "{}"),
        returncode=1,
    )
    with pytest.raises(AmbiguousWrite) as caught:
        client.post(client.repo_path("issues/1/comments"), {"body": "x"})
    assert caught.value.exit_code == ExitCode.UNAVAILABLE
    assert fp.call_count([*BASE, "--method", "POST", *HOST, "--input", "-", fp.any()]) == 1


def test_rate_limits_are_waited_out_as_github_asks_even_for_posts(fp, client, sleeps, gh_reply):
    argv = [*BASE, "--method", "POST", *HOST, "--input", "-", fp.any()]
    fp.register(
        argv, stdout=gh_reply(429, '{"message": "slow down"}', {"Retry-After": "3"}), returncode=1
    )
    fp.register(argv, stdout=gh_reply(201, '{"id": 1}'))
    client.post(client.repo_path("issues/1/comments"), {"body": "x"})
    assert sleeps == [3.0]


def test_a_rate_limit_reset_far_away_gives_up_with_exit_14(fp, client, sleeps, gh_reply):
    fp.register(
        [*BASE, "--method", "GET", *HOST, fp.any()],
        stdout=gh_reply(
            403,
            '{"message": "API rate limit exceeded"}',
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "4102444800"},
        ),
        returncode=1,
    )
    with pytest.raises(GitHubUnavailable) as caught:
        client.get("repos/octo/demo")
    assert caught.value.exit_code == 14
    assert sleeps == []


def test_unreachable_github_is_transient_and_ends_in_exit_14(fp, client, sleeps, gh_reply):
    argv = [*BASE, "--method", "GET", *HOST, fp.any()]
    for _ in range(3):
        fp.register(
            argv,
            stderr="proxyconnect tcp: dial tcp 127.0.0.1:1: connect: connection refused",
            returncode=1,
        )
    with pytest.raises(GitHubUnavailable):
        client.get("repos/octo/demo")
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    ("status", "body", "returncode", "stderr", "error", "code"),
    [
        (404, '{"message": "Not Found"}', 1, "", NotFound, 2),
        (401, '{"message": "Bad credentials"}', 1, "", NotAuthenticated, 4),
        (
            None,
            "",
            4,
            "To get started with GitHub CLI, please run:  gh auth login",
            NotAuthenticated,
            4,
        ),
        (None, "", 1, "unable to expand placeholder in path: not a git repository", UsageError, 2),
        (
            422,
            '{"message": "Validation Failed", "errors": [{"field": "name", '
            '"code": "already_exists"}]}',
            1,
            "",
            GitHubRejected,
            1,
        ),
    ],
)
def test_failures_map_onto_the_exit_code_contract(
    fp, client, gh_reply, status, body, returncode, stderr, error, code
):
    reply = gh_reply(status, body) if status else ""
    fp.register(
        [*BASE, "--method", "GET", *HOST, fp.any()],
        stdout=reply,
        stderr=stderr,
        returncode=returncode,
    )
    with pytest.raises(error) as caught:
        client.get("repos/octo/demo/x")
    assert caught.value.exit_code == code


def test_pagination_follows_link_headers_to_the_end(fp, client, gh_reply):
    first = [*BASE, "--method", "GET", *HOST, "repos/octo/demo/issues/1/comments?per_page=100"]
    second = [
        *BASE,
        "--method",
        "GET",
        *HOST,
        "repos/octo/demo/issues/1/comments?per_page=100&page=2",
    ]
    link = '<http://api.github.localhost/repos/octo/demo/issues/1/comments?per_page=100&page=2>; rel="next"'
    fp.register(first, stdout=gh_reply(200, "[1, 2]", {"Link": link}))
    fp.register(second, stdout=gh_reply(200, "[3]"))
    items, _ = client.paginate(client.repo_path("issues/1/comments"))
    assert items == [1, 2, 3]


def test_graphql_not_found_names_the_issue_and_repo(fp, client, gh_reply):
    fp.register(
        [*BASE, "--method", "POST", *HOST, "--input", "-", "graphql"],
        stdout=gh_reply(
            200,
            json.dumps(
                {
                    "data": {"viewer": {"login": "me"}, "repository": {"issueOrPullRequest": None}},
                    "errors": [
                        {
                            "type": "NOT_FOUND",
                            "message": "Could not resolve to an issue or pull request with the number of 99.",
                        }
                    ],
                }
            ),
        ),
    )
    with pytest.raises(NotFound, match="issue #99 does not exist in octo/demo"):
        issues.fetch_issue(client, 99)


def test_a_pull_request_number_is_refused_as_an_issue(fp, client, gh_reply):
    fp.register(
        [*BASE, "--method", "POST", *HOST, "--input", "-", "graphql"],
        stdout=gh_reply(
            200,
            json.dumps(
                {
                    "data": {
                        "viewer": {"login": "me"},
                        "repository": {
                            "issueOrPullRequest": {"__typename": "PullRequest", "number": 9}
                        },
                    }
                }
            ),
        ),
    )
    with pytest.raises(UsageError, match="is a pull request"):
        issues.fetch_issue(client, 9)


def test_children_run_without_prompts_pagers_or_colour(gh_reply):
    from maverick_ext import process

    seen_env: list[dict[str, str]] = []

    def spy(argv, **kw):
        seen_env.append(dict(kw["env"]))
        return process.ProcessResult(tuple(argv), 0, gh_reply(200, "{}"), "")

    GhClient(repo=REPO, run=spy).get("repos/octo/demo")
    env = seen_env[0]
    assert env["GH_PROMPT_DISABLED"] == "1" and env["GH_PAGER"] == "cat" and env["NO_COLOR"] == "1"


def test_conditional_reads_send_if_none_match_and_accept_304(fp, client, gh_reply):
    fp.register(
        [*BASE, "--method", "GET", *HOST, "-H", 'If-None-Match: W/"abc"', "repos/octo/demo"],
        stdout=gh_reply(304, ""),
        returncode=1,  # gh treats 304 as a failure; for us it means "unchanged"
    )
    response = client.get("repos/octo/demo", headers={"If-None-Match": 'W/"abc"'})
    assert response.status == 304 and response.data is None


# ---- rate limits as GitHub sends them ------------------------------------------------

GRAPHQL = [*BASE, "--method", "POST", *HOST, "--input", "-", "graphql"]
RATE_LIMITED = json.dumps(
    {"data": None, "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}
)
SECONDARY = '{"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}'


def test_a_graphql_rate_limit_arrives_as_http_200_and_is_waited_out(fp, client, sleeps, gh_reply):
    fp.register(GRAPHQL, stdout=gh_reply(200, RATE_LIMITED))
    fp.register(GRAPHQL, stdout=gh_reply(200, '{"data": {"viewer": {"login": "me"}}}'))
    assert client.graphql("{ viewer { login } }").data["data"]["viewer"]["login"] == "me"
    assert len(sleeps) == 1 and sleeps[0] >= 60  # no header said how long: at least a minute


def test_a_graphql_rate_limit_with_a_reset_waits_until_the_reset(fp, client, sleeps, gh_reply):
    # gh_reply's Date is 12:00:00Z; the reset is 90 s later.
    reset = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(1795262400 + 90)}
    fp.register(GRAPHQL, stdout=gh_reply(200, RATE_LIMITED, reset))
    fp.register(GRAPHQL, stdout=gh_reply(200, '{"data": {}}'))
    client.graphql("{ viewer { login } }")
    assert sleeps == [90.0]


def test_a_batched_read_that_is_rate_limited_is_retried_not_reported_rejected(
    fp, client, sleeps, gh_reply
):
    fp.register(GRAPHQL, stdout=gh_reply(200, RATE_LIMITED))
    fp.register(
        GRAPHQL, stdout=gh_reply(200, '{"data": {"viewer": {"login": "me"}, "repository": {}}}')
    )
    assert issues.fetch_issues(client, [5, 6]) == {}
    assert len(sleeps) == 1


def test_secondary_limits_wait_a_minute_then_exponentially_longer(fp, client, sleeps, gh_reply):
    argv = [*BASE, "--method", "POST", *HOST, "--input", "-", fp.any()]
    for _ in range(3):
        fp.register(argv, stdout=gh_reply(403, SECONDARY), returncode=1)
    fp.register(argv, stdout=gh_reply(201, '{"id": 1}'))
    client.post(client.repo_path("issues/1/comments"), {"body": "x"})  # a POST: never applied
    assert [round(s // 60) for s in sleeps] == [1, 2, 4]


def test_rate_limit_waits_stop_at_the_total_budget_with_exit_14(fp, sleeps, gh_reply):
    client = GhClient(repo=REPO, sleep=sleeps.append, policy=RetryPolicy(max_total_wait_s=150))
    argv = [*BASE, "--method", "GET", *HOST, fp.any()]
    for _ in range(3):
        fp.register(argv, stdout=gh_reply(429, SECONDARY), returncode=1)
    with pytest.raises(GitHubUnavailable) as caught:
        client.get("repos/octo/demo")
    assert caught.value.exit_code == 14 and "retry budget" in caught.value.message
    assert len(sleeps) == 1 and sum(sleeps) <= 150


def test_no_wait_runs_past_the_callers_deadline(fp, sleeps, gh_reply):
    now = [1000.0]
    client = GhClient(repo=REPO, sleep=sleeps.append, clock=lambda: now[0])
    fp.register([*BASE, "--method", "GET", *HOST, fp.any()], stdout=gh_reply(429, SECONDARY),
                returncode=1)  # fmt: skip
    with pytest.raises(GitHubUnavailable):
        client.get("repos/octo/demo", deadline=now[0] + 30)  # a lease with 30 s left
    assert sleeps == []


@pytest.mark.parametrize(
    ("env", "configured", "budget"),
    [({}, None, 600.0), ({}, 45.0, 45.0), ({"MAVERICK_MAX_RETRY_WAIT_S": "10"}, 45.0, 10.0)],
)
def test_the_retry_budget_comes_from_env_over_config(env, configured, budget):
    from maverick_ext.github.client import retry_policy

    assert retry_policy(env, configured).max_total_wait_s == budget


def test_a_bad_retry_budget_is_a_usage_error():
    from maverick_ext.github.client import retry_policy

    with pytest.raises(UsageError):
        retry_policy({"MAVERICK_MAX_RETRY_WAIT_S": "soon"})


# ---- bad environments: the right exit code and one clear line -------------------------


def test_an_unresolvable_host_is_github_unavailable_exit_14(fp, client, sleeps):
    for _ in range(3):
        fp.register(
            [*BASE, "--method", "GET", *HOST, fp.any()],
            stderr="error connecting to nonexistent.invalid\n"
            "check your internet connection or https://githubstatus.com\n",
            returncode=1,
        )
    with pytest.raises(GitHubUnavailable) as caught:
        client.get("repos/octo/demo")
    assert caught.value.exit_code == 14
    assert "\n" not in caught.value.one_line() and "nonexistent.invalid" in caught.value.message


def test_a_missing_repository_is_named_not_reported_as_a_missing_issue(fp, client, gh_reply):
    missing = json.dumps(
        {
            "data": {"viewer": {"login": "me"}, "repository": None},
            "errors": [
                {
                    "type": "NOT_FOUND",
                    "path": ["repository"],
                    "message": "Could not resolve to a Repository with the name 'octo/demo'.",
                }
            ],
        }
    )
    fp.register([*BASE, "--method", "POST", *HOST, "--input", "-", "graphql"],
                stdout=gh_reply(200, missing), occurrences=2)  # fmt: skip
    for read in (lambda: issues.fetch_issue(client, 3), lambda: issues.fetch_issues(client, [3])):
        with pytest.raises(
            NotFound, match=r"repository github\.localhost/octo/demo does not exist"
        ):
            read()


def test_a_missing_issue_in_an_existing_repository_is_still_a_missing_issue(fp, client, gh_reply):
    missing = json.dumps(
        {
            "data": {"viewer": {"login": "me"}, "repository": {"issueOrPullRequest": None}},
            "errors": [
                {"type": "NOT_FOUND", "path": ["repository", "issueOrPullRequest"],
                 "message": "Could not resolve to an issue or pull request with the number of 3."}
            ],
        }
    )  # fmt: skip
    fp.register([*BASE, "--method", "POST", *HOST, "--input", "-", "graphql"],
                stdout=gh_reply(200, missing))  # fmt: skip
    with pytest.raises(NotFound, match="issue #3 does not exist"):
        issues.fetch_issue(client, 3)


def test_a_client_wide_deadline_bounds_reads_made_deep_inside_services(fp, sleeps, gh_reply):
    now = [50.0]
    client = GhClient(repo=REPO, sleep=sleeps.append, clock=lambda: now[0], deadline=70.0)
    fp.register(GRAPHQL, stdout=gh_reply(200, RATE_LIMITED))
    with pytest.raises(GitHubUnavailable):
        issues.fetch_issue(client, 3)  # needs >= 60 s of waiting; only 20 s are left
    assert sleeps == []
