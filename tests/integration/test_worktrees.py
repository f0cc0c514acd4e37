"""`gh maverick worktree …` against real git: a bare `origin` and clones of it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from maverick_ext.config import DEFAULT_BRANCH_PREFIXES
from maverick_ext.core.names import branch_name

WT = Path(".maverick") / "worktrees"


def write_config(repo: Path, config: dict) -> None:
    (repo / ".maverick").mkdir(exist_ok=True)
    (repo / ".maverick" / "config.json").write_text(json.dumps(config))


def test_create_branches_from_the_fetched_story_base_into_a_safe_path(
    mav, clone, origin, tmp_path, git, commit
):
    # Someone else pushes to main after our clone: create must start from the fresh tip.
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(origin), str(other))
    newer = commit(other, "CHANGELOG", "v2\n", "newer main")
    git(other, "push", "-q", "origin", "main")

    result = mav("worktree", "create", "feat/12-add-login", "--issue", "12", "--json", cwd=clone)

    assert result.code == 0, result.err
    created = json.loads(result.out)
    path = clone / WT / "feat__12-add-login"
    assert created["action"] == "created"
    assert created["path"] == str(path)
    assert created["start_point"] == "origin/main"
    assert created["head"] == newer
    assert git(path, "branch", "--show-current") == "feat/12-add-login"
    # A story branch must never push to main by accident: no upstream is set.
    assert (
        subprocess.run(
            ["git", "rev-parse", "--abbrev-ref", "@{upstream}"], cwd=path, capture_output=True
        ).returncode
        != 0
    )
    # The worktrees directory does not show up as untracked files in the main checkout.
    assert git(clone, "status", "--porcelain") == ""


def test_rerunning_create_reuses_the_worktree_and_says_so(mav, clone, git):
    first = mav("worktree", "create", "fix/3-crash", cwd=clone)
    again = mav("worktree", "create", "fix/3-crash", cwd=clone)

    assert first.code == again.code == 0
    assert first.out == again.out  # the same path on stdout, scripts can `cd "$(…)"`
    assert "reusing the existing worktree" in again.err
    assert git(clone, "worktree", "list").count("fix/3-crash") == 1


def test_create_recreates_a_destroyed_worktree_from_the_remote_branch(mav, clone, git, commit):
    path = Path(mav("worktree", "create", "feat/5-api", cwd=clone).out.strip())
    pushed = commit(path, "api.py", "x = 1\n", "story work")
    git(path, "push", "-q", "origin", "feat/5-api")
    # The machine dies: worktree and local branch are gone, only GitHub has the work.
    shutil.rmtree(path)
    git(clone, "worktree", "prune")
    git(clone, "branch", "-D", "feat/5-api")

    result = mav("worktree", "create", "feat/5-api", "--json", cwd=clone)

    assert result.code == 0, result.err
    recreated = json.loads(result.out)
    assert recreated["action"] == "recreated"
    assert recreated["head"] == pushed
    assert git(path, "rev-parse", "--abbrev-ref", "@{upstream}") == "origin/feat/5-api"


def test_create_attaches_an_existing_local_branch(mav, clone, git):
    git(clone, "branch", "docs/7-readme")
    result = mav("worktree", "create", "docs/7-readme", "--json", cwd=clone)
    assert json.loads(result.out)["action"] == "attached"


def test_stacked_create_starts_from_the_sibling_branch(mav, clone, git, commit):
    sibling = Path(mav("worktree", "create", "feat/2-base", cwd=clone).out.strip())
    tip = commit(sibling, "base.py", "base\n", "sibling work")
    git(sibling, "push", "-q", "origin", "feat/2-base")

    result = mav(
        "worktree", "create", "feat/4-on-top", "--base", "feat/2-base", "--json", cwd=clone
    )

    assert json.loads(result.out)["start_point"] == "origin/feat/2-base"
    assert json.loads(result.out)["head"] == tip


def test_configured_story_base_is_the_default_base(mav, clone, git, commit):
    git(clone, "checkout", "-q", "-b", "develop")
    develop = commit(clone, "dev.txt", "d\n", "develop only")
    git(clone, "push", "-q", "origin", "develop")
    write_config(clone, {"git_workflow": {"story_base": "develop"}, "aws": {"region": "x"}})

    assert mav("git-workflow", "story-base", cwd=clone).out == "develop\n"
    created = json.loads(mav("worktree", "create", "feat/9-x", "--json", cwd=clone).out)
    assert (created["base"], created["head"]) == ("develop", develop)


def test_create_refuses_beyond_the_concurrency_cap_but_still_reuses(mav, clone):
    write_config(clone, {"coordination": {"max_concurrent_worktrees": 2}})
    for branch in ("feat/1-a", "feat/2-b"):
        assert mav("worktree", "create", branch, cwd=clone).code == 0

    refused = mav("worktree", "create", "feat/3-c", cwd=clone)

    assert refused.code == 10
    assert "2 story worktrees are active, the cap is 2" in refused.err
    assert not (clone / WT / "feat__3-c").exists()
    assert mav("worktree", "create", "feat/1-a", cwd=clone).code == 0


def test_post_create_hook_runs_without_a_shell_with_path_and_environment(mav, clone, tmp_path):
    record = tmp_path / "hook.json"
    hook = (
        "import json, os, sys; json.dump({'argv': sys.argv[1:], 'cwd': os.getcwd(), "
        "'env': {k: v for k, v in os.environ.items() if k.startswith('MAVERICK_')}}, "
        f"open({str(record)!r}, 'w'))"
    )
    # The "$(touch …)" argument must arrive literally: no shell ever sees it.
    write_config(
        clone, {"worktrees": {"post_create": [sys.executable, "-c", hook, "$(touch pwned)"]}}
    )

    result = mav("worktree", "create", "feat/8-hook", "--issue", "8", cwd=clone)

    assert result.code == 0, result.err
    path = str(clone / WT / "feat__8-hook")
    seen = json.loads(record.read_text())
    assert seen["argv"] == ["$(touch pwned)", path]
    assert seen["cwd"] == path
    assert seen["env"] == {
        "MAVERICK_WORKTREE_PATH": path,
        "MAVERICK_BRANCH": "feat/8-hook",
        "MAVERICK_BASE_BRANCH": "main",
        "MAVERICK_REPO_ROOT": str(clone),
        "MAVERICK_ISSUE": "8",
    }
    assert not any(p.name == "pwned" for p in tmp_path.rglob("pwned"))


def test_a_failing_hook_fails_create_and_leaves_the_worktree(mav, clone):
    write_config(
        clone, {"worktrees": {"post_create": [sys.executable, "-c", "raise SystemExit('no deps')"]}}
    )
    result = mav("worktree", "create", "feat/6-deps", cwd=clone)
    assert result.code == 1
    assert "post-create hook" in result.err and "no deps" in result.err
    assert (clone / WT / "feat__6-deps").is_dir()


def test_remove_refuses_a_dirty_worktree_unless_forced_and_keeps_the_branch(mav, clone, git):
    path = Path(mav("worktree", "create", "feat/10-wip", cwd=clone).out.strip())
    (path / "unsaved.txt").write_text("work in progress\n")

    refused = mav("worktree", "remove", "feat/10-wip", cwd=clone)
    assert refused.code == 2 and "uncommitted changes" in refused.err
    assert (path / "unsaved.txt").exists()

    forced = mav("worktree", "remove", str(path), "--force", "--json", cwd=clone)
    assert forced.code == 0
    assert json.loads(forced.out)["removed"]["branch"] == "feat/10-wip"
    assert not path.exists()
    assert git(clone, "branch", "--list", "feat/10-wip")


def test_remove_never_touches_the_main_checkout(mav, clone):
    result = mav("worktree", "remove", str(clone), "--force", cwd=clone)
    assert result.code == 2 and "main checkout" in result.err


def test_list_and_prune_a_worktree_deleted_by_hand(mav, clone):
    path = Path(mav("worktree", "create", "feat/11-gone", "--issue", "11", cwd=clone).out.strip())
    listing = json.loads(mav("worktree", "list", "--json", cwd=clone).out)
    story = next(w for w in listing["worktrees"] if w["branch"] == "feat/11-gone")
    assert (listing["active"], listing["cap"]) == (1, 4)
    assert story == {
        "path": str(path), "branch": "feat/11-gone", "head": story["head"], "managed": True,
        "dirty": False, "locked": False, "prunable": False, "issue": 11,
    }  # fmt: skip

    shutil.rmtree(path)
    pruned = json.loads(mav("worktree", "prune", "--json", cwd=clone).out)["pruned"]

    assert len(pruned) == 1 and "feat__11-gone" in pruned[0]
    listing = json.loads(mav("worktree", "list", "--json", cwd=clone).out)
    assert [w["branch"] for w in listing["worktrees"]] == ["main"]


def test_commands_work_from_inside_a_story_worktree(mav, clone):
    path = Path(mav("worktree", "create", "feat/13-inner", cwd=clone).out.strip())
    inner = mav("worktree", "create", "feat/14-sibling", cwd=path)
    assert inner.out.strip() == str(clone / WT / "feat__14-sibling")


def test_hostile_branch_arguments_are_rejected_before_git_runs(mav, clone, tmp_path, git):
    for hostile in (
        "--upload-pack=touch pwned",
        "feat/../../escape",
        "x@{1}",
        "a;touch pwned",
        "-b",
    ):
        result = mav("worktree", "create", "--", hostile, cwd=clone)
        assert result.code == 2, (hostile, result.err)
        assert "branch name" in result.err
    assert git(clone, "branch", "--list") == "* main"
    assert not list(tmp_path.rglob("pwned")) and not (tmp_path / "escape").exists()


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(min_size=0, max_size=300),
    labels=st.lists(
        st.sampled_from([*DEFAULT_BRANCH_PREFIXES, "type: bug", "wontfix", "ÜBER"]), max_size=3
    ),
    number=st.integers(min_value=1, max_value=10**6),
)
def test_derived_branch_names_pass_gits_own_check(title, labels, number):
    name = branch_name(number, title, labels, DEFAULT_BRANCH_PREFIXES)
    check = subprocess.run(["git", "check-ref-format", "--branch", name], capture_output=True)
    assert check.returncode == 0, name


def test_outside_a_repository_is_one_usage_line_not_gits_own_words(mav, tmp_path):
    result = mav("worktree", "list", cwd=tmp_path)
    assert result.code == 2
    assert result.err == (
        "gh-maverick: not inside a git repository (run this from a clone of the repository)\n"
    )


def _racing_creates(clone: Path, branches: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """`worktree create` in separate processes started together (threads cannot chdir)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "maverick_ext", "worktree", "create", b, "--json"],
            cwd=clone,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for b in branches
    ]
    results = []
    for proc, branch in zip(procs, branches, strict=True):
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess([branch], proc.returncode, out, err))
    return results


def test_racing_creates_of_one_branch_have_one_winner_and_the_rest_reuse_it(clone):
    results = _racing_creates(clone, ["feat/7-race"] * 3)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
    actions = sorted(json.loads(r.stdout)["action"] for r in results)
    assert actions == ["created", "reused", "reused"]
    assert all("fatal:" not in r.stderr for r in results)


def test_the_cap_holds_when_creates_race(clone):
    write_config(clone, {"coordination": {"max_concurrent_worktrees": 2}})
    results = _racing_creates(clone, [f"feat/{n}-cap" for n in range(1, 6)])
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 0, 10, 10, 10], [r.stderr for r in results]
    assert len([p for p in (clone / WT).iterdir() if p.is_dir()]) == 2
