"""Stacked PRs: once the sibling a PR is stacked on has merged, move the PR to the trunk.

"Merged" is read from the sibling's PR state, never from ancestry: a squash merge writes
a new commit on the trunk, so the sibling's commits never become ancestors of it. For the
same reason the rebase is ``git rebase --onto <trunk> <old sibling tip>``: it replays only
the commits made after the sibling's tip, leaving the sibling's own (already squashed in)
commits behind.

Order of effects, so that a failure at any step leaves a state that a rerun completes:
rebase locally (a conflict aborts it and changes nothing) → push with a lease → PATCH the
PR's base. A rerun recognises a branch that is already rebased and skips to what is left.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from maverick_ext.config import MaverickConfig, load_config
from maverick_ext.core.names import check_branch_name, story_issue, worktree_dirname
from maverick_ext.errors import MaverickError, NotFound, UsageError
from maverick_ext.git import worktrees as wt
from maverick_ext.git.rebase import push_rebased, rebase_onto
from maverick_ext.git.runner import is_ancestor, is_dirty, main_top_level, rev_parse
from maverick_ext.github.client import GhClient
from maverick_ext.github.pulls import PullRequest, get_pull, list_pulls, update_base
from maverick_ext.records import asdict, dataclass
from maverick_ext.services.git_workflow import pr_target, story_base

MAX_STACK_DEPTH = 10
# Called as fence(issue, action) before a story branch is rewritten; raises ClaimLost when
# another instance holds that story (fencing, docs/git.md). Injected so git-only tests can
# pass a no-op.
Fence = Callable[[int, str], None]


@dataclass
class RetargetResult:
    pr: int
    branch: str
    old_base: str
    new_base: str | None
    sibling_pr: int | None
    action: str  # retargeted | would-retarget | waiting | not-stacked | closed | failed
    detail: str
    rebased: bool = False
    old_head: str | None = None
    new_head: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Context:
    client: GhClient
    config: MaverickConfig
    top: Path
    trunks: frozenset[str]
    remote: str | None
    fence: Fence


def _context(
    client: GhClient,
    cwd: str | os.PathLike[str] | None,
    env: Mapping[str, str] | None,
    fence: Fence,
) -> _Context:
    top = main_top_level(cwd)
    config = load_config(top, env=env)
    remote = wt.pick_remote_name(top)
    base = story_base(config, top, remote)
    trunks = {base.name, pr_target(config, top, base).name}
    trunks.update(config.git_workflow.promotion_chain)
    return _Context(client, config, top, frozenset(trunks), remote, fence)


def _merged_pull_for(ctx: _Context, branch: str) -> PullRequest | None:
    """The merged PR whose head was ``branch`` (newest first), if any."""
    return next((p for p in list_pulls(ctx.client, head=branch, state="all") if p.merged), None)


def _plan(ctx: _Context, pr: PullRequest) -> tuple[RetargetResult, PullRequest | None]:
    """What should happen to ``pr`` (API reads only)."""
    result = RetargetResult(pr.number, pr.head_ref, pr.base_ref, None, None, "", "")
    if not pr.is_open:
        result.action, result.detail = "closed", "the PR is not open"
        return result, None
    if pr.base_ref in ctx.trunks:
        result.action, result.detail = "not-stacked", f"already based on {pr.base_ref}"
        return result, None
    sibling = _merged_pull_for(ctx, pr.base_ref)
    if sibling is None:
        result.action = "waiting"
        result.detail = f"{pr.base_ref} has no merged PR yet; the PR stays stacked on it"
        return result, None
    # The sibling may itself have been stacked and merged into its own sibling: follow
    # merged bases down to a trunk or to a branch that is still open.
    new_base, depth = sibling.base_ref, 0
    while new_base not in ctx.trunks and depth < MAX_STACK_DEPTH:
        below = _merged_pull_for(ctx, new_base)
        if below is None:
            break
        new_base, depth = below.base_ref, depth + 1
    result.new_base, result.sibling_pr = new_base, sibling.number
    result.action = "would-retarget"
    result.detail = f"#{sibling.number} ({pr.base_ref}) merged into {sibling.base_ref}"
    return result, sibling


def retarget(
    client: GhClient,
    target: str,
    *,
    fence: Fence,
    dry_run: bool = False,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> RetargetResult:
    """Retarget one PR, named by number or by head branch."""
    ctx = _context(client, cwd, env, fence)
    return _retarget_one(ctx, _find_pull(ctx, target), dry_run)


def retarget_all(
    client: GhClient,
    *,
    fence: Fence,
    dry_run: bool = False,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> list[RetargetResult]:
    """Every open PR from a maverick branch (``<prefix>/…``) that is stacked on a sibling.

    One PR failing (a conflict) does not stop the others: its result says ``failed``.
    """
    ctx = _context(client, cwd, env, fence)
    prefixes = tuple(f"{p}/" for p in set(ctx.config.git_workflow.branch_prefixes.values()))
    results = []
    for pr in list_pulls(client, state="open"):
        if not pr.head_ref.startswith(prefixes) or pr.base_ref in ctx.trunks:
            continue
        try:
            results.append(_retarget_one(ctx, pr, dry_run))
        except MaverickError as exc:
            results.append(
                RetargetResult(
                    pr.number, pr.head_ref, pr.base_ref, None, None, "failed", exc.one_line()
                )
            )
    return results


def _find_pull(ctx: _Context, target: str) -> PullRequest:
    number = target.removeprefix("#")
    if number.isdecimal():
        return get_pull(ctx.client, int(number))
    check_branch_name(target)
    open_pulls = list_pulls(ctx.client, head=target, state="open")
    if not open_pulls:
        raise NotFound(f"no open pull request has head branch {target!r}")
    return open_pulls[0]


def _retarget_one(ctx: _Context, pr: PullRequest, dry_run: bool) -> RetargetResult:
    result, sibling = _plan(ctx, pr)
    if sibling is None or result.new_base is None:
        return result
    # Names that came from GitHub go into git's argv: hold them to the same rules.
    for name in (pr.head_ref, pr.base_ref, result.new_base):
        check_branch_name(name)
    if dry_run:
        result.detail += f"; would rebase {pr.head_ref} onto {result.new_base} and retarget"
        return result
    if ctx.remote is None:
        raise UsageError("this clone has no remote to fetch and push", "add one: git remote add")
    if (story := story_issue(pr.head_ref)) is not None:
        ctx.fence(story, f"rewrite and push {pr.head_ref}")
    _rebase_and_push(ctx, pr, sibling, result)
    if pr.base_ref != result.new_base:
        update_base(ctx.client, pr.number, result.new_base)
    result.action = "retargeted"
    return result


def _old_sibling_tip(ctx: _Context, sibling: PullRequest) -> str:
    """The last commit of the sibling branch: GitHub's record first, then the local refs."""
    candidates = [sibling.head_sha, f"{ctx.remote}/{sibling.head_ref}", sibling.head_ref]
    for candidate in candidates:
        if candidate and (sha := rev_parse(candidate, cwd=ctx.top)):
            return sha
    raise NotFound(
        f"cannot find the last commit of {sibling.head_ref} (its branch is gone here)",
        f"fetch it, or rebase by hand: git rebase --onto <trunk> <its last commit> "
        f"{sibling.head_ref}",
    )


def _rebase_and_push(
    ctx: _Context, pr: PullRequest, sibling: PullRequest, result: RetargetResult
) -> None:
    remote, branch, new_base = ctx.remote, pr.head_ref, result.new_base
    assert remote is not None and new_base is not None
    for name in (new_base, branch, sibling.head_ref):
        wt.fetch_branch(ctx.top, remote, name)  # the sibling's may be deleted: that's fine
    onto = f"{remote}/{new_base}"
    old_tip = _old_sibling_tip(ctx, sibling)
    remote_head = rev_parse(f"{remote}/{branch}", cwd=ctx.top)
    with _checked_out(ctx, branch) as worktree:
        result.old_head = rev_parse("HEAD", cwd=worktree)
        already = is_ancestor(onto, "HEAD", cwd=worktree) and not is_ancestor(
            old_tip, "HEAD", cwd=worktree
        )
        if already:
            result.new_head = result.old_head
        else:
            result.new_head = rebase_onto(worktree, onto, old_tip, branch)
            result.rebased = True
        if result.new_head != remote_head:
            push_rebased(worktree, remote, branch, remote_head)


@contextmanager
def _checked_out(ctx: _Context, branch: str) -> Iterator[Path]:
    """Where ``branch`` is checked out; a temporary worktree when it is nowhere."""
    for entry in wt.list_worktrees(ctx.top):
        if entry.branch == branch:
            # Untracked files survive a rebase; uncommitted changes to tracked ones do not.
            if is_dirty(entry.path, untracked=False):
                raise UsageError(
                    f"{entry.path} ({branch}) has uncommitted changes",
                    "commit or stash them, then rerun `gh maverick pr retarget`",
                )
            yield entry.path
            return
    root = Path(ctx.config.worktrees.root)
    root = root if root.is_absolute() else ctx.top / root
    temporary = root / f".retarget-{worktree_dirname(branch)}"
    if wt.local_branch_exists(ctx.top, branch):
        wt.add_worktree(ctx.top, temporary, branch, None)
    else:
        start = rev_parse(f"{ctx.remote}/{branch}", cwd=ctx.top)
        if start is None:
            raise NotFound(f"branch {branch} is neither local nor on {ctx.remote}")
        wt.add_detached_worktree(ctx.top, temporary, start)
    try:
        yield temporary
    finally:
        wt.remove_worktree(ctx.top, temporary, force=True)
