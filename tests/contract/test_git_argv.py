"""The exact git (and gh) argv of `worktree create` and `pr retarget`, in order.

Every child process is answered by pytest-subprocess; an unexpected one fails the test.
Branch names reach git as single argv elements after `-b`, in refspecs or after `--onto`,
never where git would read an option.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maverick_ext.core.refs import RepoRef
from maverick_ext.github.client import GhClient
from maverick_ext.services.retarget import retarget
from maverick_ext.services.worktrees import create_worktree

BRANCH = "feat/12-add-login"
MAIN_SHA = "1" * 40
NEW_SHA = "2" * 40


def expect(fp, calls: list[tuple[list[str], str, int]]) -> list[list[str]]:
    """Register each (argv, stdout, exit code) once, in order; return the argv list."""
    for argv, stdout, code in calls:
        fp.register(argv, stdout=stdout, returncode=code)
    return [argv for argv, _, _ in calls]


def seen(fp) -> list[list[str]]:
    return [list(call) for call in fp.calls]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git" / "info").mkdir(parents=True)
    return tmp_path


def verify(sha_or_ref: str) -> list[str]:
    return [
        "git",
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{sha_or_ref}^{{commit}}",
    ]


def fetch(branch: str) -> list[str]:
    return [
        "git",
        "fetch",
        "--quiet",
        "--no-tags",
        "origin",
        f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
    ]


def test_worktree_create_for_a_new_branch(fp, repo):
    path = repo / ".maverick" / "worktrees" / "feat__12-add-login"
    expected = expect(
        fp,
        [
            (
                ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
                f"{repo}/.git\n",
                0,
            ),
            # the worktree lock lives in the shared git dir
            (
                ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
                f"{repo}/.git\n",
                0,
            ),
            (["git", "worktree", "prune", "--verbose"], "", 0),
            (
                ["git", "worktree", "list", "--porcelain"],
                f"worktree {repo}\nHEAD {MAIN_SHA}\nbranch refs/heads/main\n\n",
                0,
            ),
            (["git", "rev-parse", "--git-path", "info/exclude"], ".git/info/exclude\n", 0),
            (["git", "remote"], "origin\n", 0),
            (
                ["git", "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"],
                "origin/main\n",
                0,
            ),
            (verify(f"refs/heads/{BRANCH}"), "", 1),
            (fetch(BRANCH), "", 128),  # not on the remote either: a new branch
            (fetch("main"), "", 0),
            (
                ["git", "worktree", "add", "--no-track", "-b", BRANCH, str(path), "origin/main"],
                "",
                0,
            ),
            (["git", "config", f"branch.{BRANCH}.maverick-issue", "12"], "", 0),
            (verify("HEAD"), f"{MAIN_SHA}\n", 0),
        ],
    )

    created = create_worktree(BRANCH, issue=12, cwd=repo, env={"HOME": str(repo)})

    assert seen(fp) == expected
    assert (created.action, created.path, created.head) == ("created", str(path), MAIN_SHA)
    assert (repo / ".git" / "info" / "exclude").read_text() == "/.maverick/worktrees/\n"


def test_worktree_create_for_a_hostile_branch_runs_nothing(fp, repo):
    with pytest.raises(Exception, match="branch name"):
        create_worktree("--upload-pack=touch /tmp/x", cwd=repo, env={})
    assert seen(fp) == []


def test_pr_retarget_after_the_sibling_merged(fp, repo, gh_reply):
    sibling, stacked = "feat/10-base", "feat/12-add-login"
    sibling_tip, stacked_remote = "a" * 40, "b" * 40
    worktree = repo / ".maverick" / "worktrees" / "feat__12-add-login"

    def pull(number: int, head: str, base: str, **extra: object) -> dict:
        return {"number": number, "state": "open", "head": {"ref": head, "sha": stacked_remote},
                "base": {"ref": base, "sha": MAIN_SHA}, **extra}  # fmt: skip

    merged_sibling = pull(11, sibling, "main", state="closed", merged_at="2026-11-21T12:00:00Z")
    merged_sibling["head"]["sha"] = sibling_tip
    api = "repos/octo/widgets/pulls"
    gh = ["gh", "api", "--include", "--method"]
    expected = expect(
        fp,
        [
            (["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], f"{repo}/.git\n", 0),
            (["git", "remote"], "origin\n", 0),
            (["git", "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"], "origin/main\n", 0),
            ([*gh, "GET", f"{api}?state=open&head=octo%3Afeat%2F12-add-login&per_page=100"],
             gh_reply(body=json.dumps([pull(12, stacked, sibling)])), 0),
            ([*gh, "GET", f"{api}?state=all&head=octo%3Afeat%2F10-base&per_page=100"],
             gh_reply(body=json.dumps([merged_sibling])), 0),
            (fetch("main"), "", 0),
            (fetch(stacked), "", 0),
            (fetch(sibling), "", 128),  # GitHub deleted the merged branch: fine
            (verify(sibling_tip), f"{sibling_tip}\n", 0),
            (verify(f"origin/{stacked}"), f"{stacked_remote}\n", 0),
            (["git", "worktree", "list", "--porcelain"],
             f"worktree {repo}\nHEAD {MAIN_SHA}\nbranch refs/heads/main\n\n"
             f"worktree {worktree}\nHEAD {stacked_remote}\nbranch refs/heads/{stacked}\n\n", 0),
            (["git", "status", "--porcelain", "--untracked-files=no"], "", 0),
            (verify("HEAD"), f"{stacked_remote}\n", 0),
            (["git", "merge-base", "--is-ancestor", "origin/main", "HEAD"], "", 1),
            (verify("HEAD"), f"{stacked_remote}\n", 0),
            (["git", "rebase", "--no-autostash", "--onto", "origin/main", sibling_tip], "", 0),
            (verify("HEAD"), f"{NEW_SHA}\n", 0),
            (["git", "push", "--quiet", f"--force-with-lease=refs/heads/{stacked}:{stacked_remote}",
              "origin", f"HEAD:refs/heads/{stacked}"], "", 0),
            ([*gh, "PATCH", "--input", "-", f"{api}/12"],
             gh_reply(body=json.dumps(pull(12, stacked, "main"))), 0),
        ],
    )  # fmt: skip
    client = GhClient(repo=RepoRef("octo", "widgets"), env={}, sleep=lambda _: None)

    result = retarget(client, stacked, fence=lambda *_: None, cwd=repo, env={"HOME": str(repo)})

    assert seen(fp) == expected
    assert (result.action, result.new_base, result.new_head) == ("retargeted", "main", NEW_SHA)
