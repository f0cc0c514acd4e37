"""Repository and issue references as people type them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maverick_ext.core.refs import (
    IssueRef,
    RepoRef,
    parse_issue_ref,
    parse_issue_refs,
    parse_remote_url,
    parse_repo,
    pick_remote,
)
from maverick_ext.errors import UsageError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cli/cli", RepoRef("cli", "cli")),
        (
            "github.localhost/maverick-sandbox/demo",
            RepoRef("maverick-sandbox", "demo", "github.localhost"),
        ),
        ("https://github.com/octo/hello.world.git", RepoRef("octo", "hello.world", "github.com")),
    ],
)
def test_repositories(text, expected):
    assert parse_repo(text) == expected


@pytest.mark.parametrize(
    "text", ["", "just-owner", "a/b/c/d", "own er/repo", "-bad/repo", "o/r;rm"]
)
def test_bad_repositories_are_usage_errors_with_an_example(text):
    with pytest.raises(UsageError, match="invalid repository") as caught:
        parse_repo(text)
    assert "-R cli/cli" in caught.value.one_line()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123", IssueRef(123)),
        ("#7", IssueRef(7)),
        ("octo/demo#12", IssueRef(12, RepoRef("octo", "demo"))),
        (
            "https://github.com/octo/demo/issues/5",
            IssueRef(5, RepoRef("octo", "demo", "github.com")),
        ),
    ],
)
def test_issue_references(text, expected):
    assert parse_issue_ref(text) == expected


def test_a_pull_request_url_is_refused_not_read_as_the_issue_with_its_number():
    with pytest.raises(UsageError, match="is a pull request") as caught:
        parse_issue_ref("https://github.com/octo/demo/pull/6")
    assert caught.value.exit_code == 2


def test_a_host_with_a_port_is_a_usage_error_gh_could_not_address():
    with pytest.raises(UsageError, match="host with a port") as caught:
        parse_repo("localhost:8443/octo/demo")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("text", ["0", "-3", "abc", "99999999999", "octo/demo#", "https://x/y"])
def test_bad_issue_references_say_what_is_accepted(text):
    with pytest.raises(UsageError) as caught:
        parse_issue_ref(text)
    assert "stdin" in caught.value.one_line() or "start at 1" in caught.value.one_line()


def test_dash_reads_issue_numbers_from_stdin_skipping_blank_lines():
    assert parse_issue_refs(["1", "-"], ["2", "", " 3 "]) == [IssueRef(1), IssueRef(2), IssueRef(3)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git@github.com:octo/demo.git", RepoRef("octo", "demo", "github.com")),
        ("https://github.localhost/o/r", RepoRef("o", "r", "github.localhost")),
        ("ssh://git@ghe.corp/team/app.git", RepoRef("team", "app", "ghe.corp")),
        ("/srv/git/bare.git", None),
    ],
)
def test_git_remote_urls(url, expected):
    assert parse_remote_url(url) == expected


def test_remote_choice_follows_gh_set_default_then_upstream_github_origin():
    remotes = {"origin": "git@github.com:me/fork.git", "upstream": "git@github.com:org/app.git"}
    assert pick_remote(remotes) == RepoRef("org", "app", "github.com")
    assert pick_remote(remotes, resolved="origin") == RepoRef("me", "fork", "github.com")
    assert pick_remote({"mirror": "/local/path"}) is None


@given(st.text(max_size=60))
def test_any_text_either_parses_or_is_a_usage_error(text):
    try:
        ref = parse_issue_ref(text)
    except UsageError:
        return
    assert ref.number >= 1
