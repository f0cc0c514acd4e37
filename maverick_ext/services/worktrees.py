"""Story worktrees: create (idempotent, capped), list, remove, prune.

Re-running ``create`` converges instead of failing, in this order:
  reused      the branch is already checked out in a worktree: nothing to do
  attached    the branch exists locally: a worktree is added for it
  recreated   the branch exists only on the remote (another machine, or this worktree was
              destroyed): it is checked out again from there, tracking it
  created     a new branch from the base's remote tip (or the local base if unpushed)

Concurrent creates on one machine take turns under a lock in the shared git dir (held from
listing the worktrees to adding one), so one wins per branch and the others find its
worktree ("reused"), and the cap counts every worktree already made.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from maverick_ext.config import MaverickConfig, load_config
from maverick_ext.core.names import check_branch_name, worktree_dirname
from maverick_ext.errors import Blocked, MaverickError, NotFound, UsageError
from maverick_ext.git import worktrees as wt
from maverick_ext.git.runner import is_dirty, main_top_level, rev_parse
from maverick_ext.records import asdict, dataclass, field
from maverick_ext.services.git_workflow import story_base

HOOK_TIMEOUT_S = 600
LOCK_TIMEOUT_S = 120  # creates take turns; one holds the lock for a fetch and a `git worktree add`


@dataclass
class CreatedWorktree:
    branch: str
    path: str
    base: str | None
    start_point: str | None
    action: str  # created | attached | recreated | reused
    head: str | None
    issue: int | None = None
    hook: list[str] | None = None
    hook_output: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("hook_output")
        return data


@dataclass
class ListedWorktree:
    path: str
    branch: str | None
    head: str | None
    managed: bool
    dirty: bool | None
    locked: bool
    prunable: bool
    issue: int | None


@dataclass
class WorktreeListing:
    root: str
    cap: int
    active: int
    worktrees: list[ListedWorktree] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Repo:
    top: Path
    config: MaverickConfig
    root: Path

    def managed(self, entry: wt.WorktreeEntry) -> bool:
        return entry.path.resolve().is_relative_to(self.root)


def _open_repo(
    cwd: str | os.PathLike[str] | None,
    config: MaverickConfig | None = None,
    env: Mapping[str, str] | None = None,
) -> _Repo:
    top = main_top_level(cwd)
    config = config or load_config(top, env=env)
    root = Path(config.worktrees.root)
    return _Repo(top, config, (root if root.is_absolute() else top / root).resolve())


def create_worktree(
    branch: str,
    *,
    base: str | None = None,
    issue: int | None = None,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    config: MaverickConfig | None = None,
) -> CreatedWorktree:
    """Make (or find) the worktree for ``branch``; see the module docstring for the order."""
    check_branch_name(branch)
    if base is not None:
        check_branch_name(base)
    repo = _open_repo(cwd, config, env)
    with wt.worktree_lock(repo.top, LOCK_TIMEOUT_S) as locked:
        if not locked:
            raise Blocked(
                f"another `worktree create` in {repo.top} held the worktree lock for "
                f"{LOCK_TIMEOUT_S}s",
                "retry; if it persists, look for a hung post-create hook",
            )
        created = _create_locked(repo, branch, base, issue)
    if created.action != "reused":
        _run_post_create(repo, created, env)
    return created


def _create_locked(
    repo: _Repo, branch: str, base: str | None, issue: int | None
) -> CreatedWorktree:
    path = repo.root / worktree_dirname(branch)
    wt.prune_worktrees(repo.top)  # forget worktrees whose directories were deleted by hand
    entries = wt.list_worktrees(repo.top)
    for entry in entries:
        if entry.branch == branch:
            return CreatedWorktree(branch, str(entry.path), base, None, "reused", entry.head, issue)
    _check_path_free(path, entries)
    active = sum(1 for entry in entries if repo.managed(entry))
    cap = repo.config.coordination.max_concurrent_worktrees
    if active >= cap:
        raise Blocked(
            f"{active} story worktrees are active, the cap is {cap}",
            "finish and `gh maverick worktree remove` one first, "
            "or raise coordination.max_concurrent_worktrees",
        )
    if repo.root.is_relative_to(repo.top):
        # Story worktrees inside the checkout must not show up as untracked files in it.
        wt.exclude_locally(repo.top, f"/{repo.root.relative_to(repo.top).as_posix()}/")
    remote = wt.pick_remote_name(repo.top)
    base_name = base or story_base(repo.config, repo.top, remote).name
    if wt.local_branch_exists(repo.top, branch):
        action, start = "attached", None
        wt.add_worktree(repo.top, path, branch, None)
    elif remote and wt.fetch_branch(repo.top, remote, branch):
        action, start = "recreated", f"{remote}/{branch}"
        wt.add_worktree(repo.top, path, branch, start)
        wt.set_upstream(repo.top, branch, remote)
    else:
        action, start = "created", _start_point(repo.top, remote, base_name)
        wt.add_worktree(repo.top, path, branch, start)
    if issue is not None:
        wt.record_issue(repo.top, branch, issue)
    return CreatedWorktree(
        branch, str(path), base_name, start, action, rev_parse("HEAD", cwd=path), issue
    )


def _check_path_free(path: Path, entries: list[wt.WorktreeEntry]) -> None:
    for entry in entries:
        if entry.path.resolve() == path.resolve():
            raise UsageError(
                f"{path} is already the worktree of {entry.branch or 'a detached HEAD'}",
                "remove it first: gh maverick worktree remove " + str(path),
            )
    if path.exists() and any(path.iterdir()):
        raise UsageError(
            f"{path} exists and is not a worktree", "move or delete that directory first"
        )


def _start_point(top: Path, remote: str | None, base: str) -> str:
    """The base's remote tip, freshly fetched; the local branch when it was never pushed."""
    if remote and wt.fetch_branch(top, remote, base):
        return f"{remote}/{base}"
    if wt.local_branch_exists(top, base):
        return base
    where = f"on {remote} or " if remote else ""
    raise NotFound(
        f"base branch {base!r} exists neither {where}locally",
        "pass --base BRANCH or set git_workflow.story_base in .maverick/config.json",
    )


def _run_post_create(repo: _Repo, created: CreatedWorktree, env: Mapping[str, str] | None) -> None:
    """The configured hook, without a shell: argv + the worktree path, in the worktree."""
    argv = repo.config.post_create_argv()
    if argv is None:
        return
    program = Path(argv[0])
    if not program.is_absolute() and "/" in argv[0]:
        argv[0] = str(repo.top / program)  # a script path is relative to the repository
    argv.append(created.path)
    hook_env = {
        **(os.environ if env is None else env),
        "MAVERICK_WORKTREE_PATH": created.path,
        "MAVERICK_BRANCH": created.branch,
        "MAVERICK_BASE_BRANCH": created.base or "",
        "MAVERICK_REPO_ROOT": str(repo.top),
        "MAVERICK_ISSUE": str(created.issue or ""),
    }
    result = wt.run_post_create_hook(argv, hook_env, created.path, HOOK_TIMEOUT_S)
    created.hook = argv
    created.hook_output = (result.stdout + result.stderr).strip()
    if result.exit_code != 0:
        last = created.hook_output.splitlines()[-1] if created.hook_output else ""
        raise MaverickError(
            f"post-create hook {argv[0]} exited {result.exit_code}" + (f": {last}" if last else ""),
            f"the worktree is left at {created.path} for inspection",
        )


def list_worktrees(
    cwd: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> WorktreeListing:
    repo = _open_repo(cwd, env=env)
    issues = wt.recorded_issues(repo.top)
    listing = WorktreeListing(str(repo.root), repo.config.coordination.max_concurrent_worktrees, 0)
    for entry in wt.list_worktrees(repo.top):
        managed = repo.managed(entry)
        present = entry.path.is_dir() and not entry.bare
        listing.worktrees.append(
            ListedWorktree(
                path=str(entry.path),
                branch=entry.branch,
                head=entry.head,
                managed=managed,
                dirty=is_dirty(entry.path) if present else None,
                locked=entry.locked,
                prunable=entry.prunable,
                issue=issues.get(entry.branch or ""),
            )
        )
        listing.active += managed
    return listing


def _find(repo: _Repo, target: str) -> wt.WorktreeEntry:
    """A worktree by its branch or its path (absolute or relative to the current directory)."""
    entries = wt.list_worktrees(repo.top)
    as_path = Path(target).resolve()
    for entry in entries:
        if entry.branch == target or entry.path.resolve() == as_path:
            return entry
    raise NotFound(
        f"no worktree for {target!r}", "see `gh maverick worktree list` for branches and paths"
    )


def remove_worktree(
    target: str,
    *,
    force: bool = False,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> ListedWorktree:
    """Remove a worktree (never the main checkout); a dirty one only with ``force``.

    The branch stays: it may hold commits that were never pushed.
    """
    repo = _open_repo(cwd, env=env)
    entry = _find(repo, target)
    if entry.path.resolve() == repo.top.resolve():
        raise UsageError("refusing to remove the main checkout", "name a story worktree")
    present = entry.path.is_dir()
    dirty = is_dirty(entry.path) if present else False
    if dirty and not force:
        raise UsageError(
            f"{entry.path} has uncommitted changes",
            "commit or push them, or pass --force to discard them",
        )
    if present:
        wt.remove_worktree(repo.top, entry.path, force=force)
    else:  # deleted by hand: only git's record of it is left
        wt.prune_worktrees(repo.top)
    return ListedWorktree(
        str(entry.path), entry.branch, entry.head, repo.managed(entry), dirty,
        entry.locked, entry.prunable, None,
    )  # fmt: skip


def prune_worktrees(cwd: str | os.PathLike[str] | None = None) -> list[str]:
    return wt.prune_worktrees(main_top_level(cwd))
