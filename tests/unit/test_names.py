"""Branch names from issues, and what happens to hostile titles and branch arguments."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from maverick_ext.config import DEFAULT_BRANCH_PREFIXES
from maverick_ext.core.names import (
    branch_name,
    branch_prefix,
    branch_problem,
    check_branch_name,
    sanitize_branch_name,
    slugify,
    worktree_dirname,
)
from maverick_ext.errors import UsageError

# What a shell or git could read specially, if it ever reached one unquoted.
SHELL_OR_GIT_SPECIAL = set(" \t\n\r'\"`$;&|<>()*?[]{}~!#\\^:@%=,")
NAME_SHAPE = re.compile(r"^[a-z]+/\d+-[a-z0-9]+(?:-[a-z0-9]+){0,4}$")


@pytest.mark.parametrize(
    ("labels", "prefix"),
    [
        (["bug"], "fix"),
        (["defect"], "fix"),
        (["fix"], "fix"),
        (["feature"], "feat"),
        (["enhancement"], "feat"),
        (["docs"], "docs"),
        (["documentation"], "docs"),
        (["refactor"], "refactor"),
        (["tech-debt"], "refactor"),
        (["chore"], "chore"),
        (["maintenance"], "chore"),
        (["deps"], "chore"),
        (["test"], "test"),
        (["testing"], "test"),
        (["Bug"], "fix"),
        (["type: bug"], "fix"),
        (["kind/documentation"], "docs"),
        (["wontfix", "needs-human", "docs"], "docs"),
        (["documentation", "bug"], "docs"),  # the issue's first known label decides
        ([], "feat"),
        (["question"], "feat"),
    ],
)
def test_prefix_follows_the_first_known_label(labels, prefix):
    assert branch_prefix(labels, DEFAULT_BRANCH_PREFIXES) == prefix


def test_configured_prefixes_override_the_table():
    prefixes = {**DEFAULT_BRANCH_PREFIXES, "bug": "bugfix", "security": "sec"}
    assert branch_name(7, "Leak", ["bug"], prefixes) == "bugfix/7-leak"
    assert branch_name(7, "Leak", ["security"], prefixes) == "sec/7-leak"


@pytest.mark.parametrize(
    ("title", "branch"),
    [
        ("Crash on empty config", "fix/42-crash-empty-config"),
        ('Handle "quoted" titles', "fix/42-handle-quoted-titles"),
        ("Run $(rm -rf ~) safely; `id` && echo", "fix/42-run-rm-rf-safely-id"),
        ("Line one\nline two\r\nthree", "fix/42-line-one-line-two-three"),
        ("Ünïcödé naïve café — ✓ 日本語", "fix/42-unicode-naive-cafe"),
        ("The", "fix/42-the"),
        ("!!!", "fix/42-issue"),
        ("", "fix/42-issue"),
        ("A guide to the art of the deal", "fix/42-guide-art-deal"),
    ],
)
def test_titles_become_short_safe_slugs(title, branch):
    assert branch_name(42, title, ["bug"], DEFAULT_BRANCH_PREFIXES) == branch


def test_a_300_character_title_is_cut_to_five_words_and_a_bounded_length():
    words = branch_name(1, " ".join(["word"] * 60), [], DEFAULT_BRANCH_PREFIXES)
    assert words == "feat/1-word-word-word-word-word"
    one_long_word = branch_name(1, "x" * 300, [], DEFAULT_BRANCH_PREFIXES)
    assert len(one_long_word.split("-", 1)[1]) <= 48


@given(
    title=st.text(max_size=300),
    labels=st.lists(st.text(max_size=20), max_size=4),
    number=st.integers(min_value=1, max_value=2**31 - 1),
)
def test_any_title_yields_a_name_nothing_treats_specially(title, labels, number):
    name = branch_name(number, title, labels, DEFAULT_BRANCH_PREFIXES)
    assert NAME_SHAPE.match(name), name
    assert not set(name) & SHELL_OR_GIT_SPECIAL
    assert branch_problem(name) is None
    assert 2 <= len(slugify(title).split("-")) + 1 <= 6


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("feat/../../etc", "'..'"),
        ("-rf", "starts with '-'"),
        ("--upload-pack=touch x", "may only contain"),
        ("main@{1}", "may only contain"),
        ("feat/x\nrm", "may only contain"),
        ("feat/\x1bx", "may only contain"),
        ("feat/a b", "may only contain"),
        ("feat/$(id)", "may only contain"),
        ("feat/x.lock", "'.lock'"),
        ("feat/.hidden", "starting with '.'"),
        ("feat//x", "empty path component"),
        ("/feat", "empty path component"),
        ("feat/", "empty path component"),
        ("feat.", "ends with '.'"),
        ("HEAD", "reserved"),
        ("", "is empty"),
        ("a" * 201, "longer than"),
    ],
)
def test_unsafe_branch_arguments_are_rejected_with_the_reason(name, problem):
    with pytest.raises(UsageError) as raised:
        check_branch_name(name)
    assert problem in raised.value.message


def test_rejection_suggests_a_sanitised_name():
    with pytest.raises(UsageError) as raised:
        check_branch_name("-feat/12 add..login")
    assert raised.value.hint == "try 'feat/12-add.login'"


@given(st.text(max_size=250))
def test_sanitising_gives_an_acceptable_name_or_refuses(raw):
    try:
        cleaned = sanitize_branch_name(raw)
    except UsageError:
        return
    assert branch_problem(cleaned) is None
    assert sanitize_branch_name(cleaned) == cleaned


@given(st.from_regex(r"[a-z]{1,8}(/[a-z0-9][a-z0-9._-]{0,12}[a-z0-9]){0,3}", fullmatch=True))
def test_acceptable_names_pass_through_unchanged(name):
    assume(".." not in name and not name.endswith(".lock") and "/." not in name)
    assume(not any(part.endswith(".lock") for part in name.split("/")))
    assert check_branch_name(name) == name
    assert sanitize_branch_name(name) == name


@given(st.text(max_size=120))
def test_worktree_directories_stay_inside_the_worktree_root(raw):
    try:
        directory = worktree_dirname(sanitize_branch_name(raw))
    except UsageError:
        return
    assert "/" not in directory and directory not in (".", "..")
    assert not directory.startswith((".", "-"))


def test_worktree_dirname_matches_the_seeds_layout():
    assert worktree_dirname("feat/12-add-login") == "feat__12-add-login"


def test_the_story_issue_is_read_back_from_a_branch_name():
    from maverick_ext.core.names import story_issue

    assert story_issue("feat/42-add-export") == 42
    assert story_issue("fix/7") == 7
    assert story_issue("main") is None
    assert story_issue("feat/v2-redesign") is None
