"""`gh maverick pr retarget`: real git for branches, the emulator for the PRs.

The emulator has no git transport, so the test keeps the two in step by hand: a PR merged
with "squash" on the emulator is squash-merged into `origin` with git as well.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from maverick_ext.core.refs import parse_repo
from maverick_ext.emulator import Emulator
from maverick_ext.emulator.store import Viewer

SIBLING, STACKED = "feat/2-base", "feat/4-stacked"


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    with Emulator(seed="demo") as emulator:
        for name, value in emulator.env().items():
            monkeypatch.setenv(name, value)
        yield emulator


class GitHubPulls:
    """The emulator's PRs, driven through its store (fast; the code under test uses gh)."""

    def __init__(self, emu: Emulator) -> None:
        self.store = emu.store
        repo_ref = parse_repo(emu.env()["GH_REPO"])
        self.repo = emu.store.repo(repo_ref.owner, repo_ref.name)
        self.owner = Viewer(self.repo.owner)

    def open(self, head: str, base: str) -> int:
        return self.store.create_pull(self.repo, self.owner, head, head, base).number

    def squash_merge(self, number: int) -> None:
        self.store.merge_pull(self.store.pull(self.repo, number), self.owner, "squash")

    def base(self, number: int) -> str:
        return self.store.pull(self.repo, number).base_ref


@pytest.fixture
def api(emu: Emulator) -> GitHubPulls:
    return GitHubPulls(emu)


class Stack:
    """feat/4-stacked (one commit adding b.py) on feat/2-base (one adding a.py) on main."""

    def __init__(
        self, mav, git, commit, clone: Path, origin: Path, tmp_path: Path, api: GitHubPulls
    ):
        self.mav, self.git, self.commit, self.clone, self.api = mav, git, commit, clone, api
        self.sibling_wt = Path(mav("worktree", "create", SIBLING, cwd=clone).out.strip())
        commit(self.sibling_wt, "a.py", "a = 1\n", "sibling: add a.py")
        git(self.sibling_wt, "push", "-q", "origin", SIBLING)
        self.stacked_wt = Path(
            mav("worktree", "create", STACKED, "--base", SIBLING, cwd=clone).out.strip()
        )
        self.stacked_commit = commit(self.stacked_wt, "b.py", "b = 2\n", "stacked: add b.py")
        git(self.stacked_wt, "push", "-q", "origin", STACKED)
        self.sibling_pr = self.open_pr(SIBLING, "main")
        self.stacked_pr = self.open_pr(STACKED, SIBLING)
        # Plays GitHub's side of git: merges land on origin from here.
        self.github = tmp_path / "github-side"
        git(tmp_path, "clone", "-q", str(origin), str(self.github))

    def open_pr(self, head: str, base: str) -> int:
        return self.api.open(head, base)

    def squash_merge_sibling(self, delete_branch: bool = True) -> None:
        self.api.squash_merge(self.sibling_pr)
        self.git(self.github, "merge", "-q", "--squash", f"origin/{SIBLING}")
        self.git(self.github, "commit", "-q", "-m", f"{SIBLING} (#{self.sibling_pr})")
        self.git(self.github, "push", "-q", "origin", "main")
        if delete_branch:  # as GitHub's "delete head branches" setting does
            self.git(self.github, "push", "-q", "origin", "--delete", SIBLING)

    def pr_base(self, number: int) -> str:
        return self.api.base(number)

    def commits_ahead_of_main(self, branch: str) -> int:
        self.git(self.github, "fetch", "-q", "origin")
        return int(self.git(self.github, "rev-list", "--count", f"origin/main..origin/{branch}"))

    def remote_sha(self, branch: str) -> str:
        self.git(self.github, "fetch", "-q", "origin")
        return self.git(self.github, "rev-parse", f"origin/{branch}")


@pytest.fixture
def stack(mav, git, commit, clone, origin, tmp_path, api) -> Stack:
    return Stack(mav, git, commit, clone, origin, tmp_path, api)


def retarget(stack: Stack, *args: str):
    return stack.mav("pr", "retarget", *args, cwd=stack.clone)


def test_after_a_squash_merge_the_stacked_pr_moves_to_main_with_only_its_own_commit(stack, git):
    stack.squash_merge_sibling()

    result = retarget(stack, STACKED, "--json")

    assert result.code == 0, result.err
    (outcome,) = json.loads(result.out)["results"]
    assert outcome["action"] == "retargeted" and outcome["rebased"] is True
    assert (outcome["old_base"], outcome["new_base"], outcome["sibling_pr"]) == (
        SIBLING, "main", stack.sibling_pr,
    )  # fmt: skip
    assert stack.pr_base(stack.stacked_pr) == "main"
    new_tip = stack.remote_sha(STACKED)
    assert outcome["new_head"] == new_tip
    # Exactly one commit on top of the squashed main: the sibling's commit is not replayed.
    assert stack.commits_ahead_of_main(STACKED) == 1
    assert git(stack.github, "rev-parse", f"origin/{STACKED}^") == stack.remote_sha("main")
    assert git(stack.github, "show", "--name-only", "--format=", new_tip) == "b.py"
    # The story's worktree now sits on the rebased branch, clean.
    assert git(stack.stacked_wt, "rev-parse", "HEAD") == new_tip
    assert git(stack.stacked_wt, "status", "--porcelain") == ""


def test_rerunning_after_success_changes_nothing(stack):
    stack.squash_merge_sibling()
    assert retarget(stack, STACKED).code == 0
    tip = stack.remote_sha(STACKED)

    again = retarget(stack, str(stack.stacked_pr), "--json")

    assert json.loads(again.out)["results"][0]["action"] == "not-stacked"
    assert stack.remote_sha(STACKED) == tip


def test_a_pr_whose_sibling_has_not_merged_stays_stacked(stack):
    before = stack.remote_sha(STACKED)
    result = retarget(stack, STACKED, "--json")
    assert result.code == 0
    assert json.loads(result.out)["results"][0]["action"] == "waiting"
    assert stack.pr_base(stack.stacked_pr) == SIBLING
    assert stack.remote_sha(STACKED) == before


def test_a_conflicting_rebase_is_aborted_and_the_worktree_left_as_it_was(stack, git, commit):
    stack.squash_merge_sibling()
    commit(stack.github, "b.py", "b = 'main wrote this first'\n", "main: conflicting b.py")
    git(stack.github, "push", "-q", "origin", "main")
    (stack.stacked_wt / "notes.txt").write_text("untracked, and kept\n")
    head_before = git(stack.stacked_wt, "rev-parse", "HEAD")

    result = retarget(stack, STACKED)

    assert result.code == 1
    assert "conflicts in b.py" in result.err and "rebase aborted" in result.err
    assert "git rebase --onto origin/main" in result.err  # what to do by hand
    assert git(stack.stacked_wt, "rev-parse", "HEAD") == head_before
    assert git(stack.stacked_wt, "branch", "--show-current") == STACKED
    assert git(stack.stacked_wt, "status", "--porcelain") == "?? notes.txt"
    rebase_dir = git(stack.stacked_wt, "rev-parse", "--git-path", "rebase-merge")
    assert not (stack.stacked_wt / rebase_dir).exists()
    assert stack.pr_base(stack.stacked_pr) == SIBLING
    assert stack.remote_sha(STACKED) == stack.stacked_commit


def test_a_branch_checked_out_nowhere_is_rebased_in_a_temporary_worktree(stack, git):
    assert stack.mav("worktree", "remove", STACKED, cwd=stack.clone).code == 0
    git(stack.clone, "branch", "-D", STACKED)
    stack.squash_merge_sibling()

    result = retarget(stack, STACKED)

    assert result.code == 0, result.err
    assert stack.pr_base(stack.stacked_pr) == "main"
    assert stack.commits_ahead_of_main(STACKED) == 1
    assert STACKED not in git(stack.clone, "worktree", "list")  # the temporary one is gone


def test_dry_run_and_all_plan_without_touching_anything(stack):
    stack.squash_merge_sibling()
    before = stack.remote_sha(STACKED)

    result = retarget(stack, "--all", "--dry-run", "--json")

    assert result.code == 0, result.err
    (outcome,) = json.loads(result.out)["results"]  # the sibling's PR is closed: not listed
    assert (outcome["pr"], outcome["action"]) == (stack.stacked_pr, "would-retarget")
    assert stack.pr_base(stack.stacked_pr) == SIBLING
    assert stack.remote_sha(STACKED) == before


def test_retarget_needs_exactly_one_target(stack):
    assert retarget(stack).code == 2
    assert retarget(stack, STACKED, "--all").code == 2


def test_uncommitted_changes_in_the_stacked_worktree_stop_retarget_before_any_change(stack):
    stack.squash_merge_sibling()
    (stack.stacked_wt / "b.py").write_text("b = 'edited, not committed'\n")

    result = retarget(stack, STACKED)

    assert result.code == 2 and "uncommitted changes" in result.err
    assert (stack.stacked_wt / "b.py").read_text() == "b = 'edited, not committed'\n"
    assert stack.pr_base(stack.stacked_pr) == SIBLING


def test_a_story_claimed_by_another_instance_is_never_rewritten(stack):
    """Fencing (docs/git.md): while another agent holds #4, its branch is not ours to push."""
    stack.squash_merge_sibling()
    before = stack.remote_sha(STACKED)
    claimed = stack.mav("claim", "4", "--settle", "0", "--instance", "agent-other", cwd=stack.clone)
    assert claimed.code == 0, claimed.err

    result = retarget(stack, STACKED, "--instance", "agent-me")

    assert result.code == 13
    assert "held by agent-other" in result.err and "push nothing" in result.err
    assert stack.remote_sha(STACKED) == before
    assert stack.pr_base(stack.stacked_pr) == SIBLING


def test_the_claim_holder_itself_may_retarget_its_story(stack):
    stack.squash_merge_sibling()
    assert (
        stack.mav("claim", "4", "--settle", "0", "--instance", "agent-me", cwd=stack.clone).code
        == 0
    )

    assert retarget(stack, STACKED, "--instance", "agent-me").code == 0
    assert stack.pr_base(stack.stacked_pr) == "main"
