"""What the claim commands share: options, building the coordinator, rendering outcomes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from maverick_ext.commands.output import echo, emit_json, info
from maverick_ext.errors import Exit, UsageError

if TYPE_CHECKING:
    from maverick_ext.commands.app import App
    from maverick_ext.core.refs import IssueRef, RepoRef
    from maverick_ext.github.client import GhClient
    from maverick_ext.services.claims import ClaimSettings, Coordinator, Outcome


def prefetch_claim_read(client: GhClient, number: int) -> None:
    """Start the claim read of issue ``number`` (the first request of `read` and `guard`)
    before the claim code is imported, so that its imports overlap the wait for GitHub
    (``GhClient.prefetch``; ``services.claims.read_claims`` then sends exactly this)."""
    from maverick_ext.core.labels import CLAIM_LABEL
    from maverick_ext.github.documents import claim_read

    repo = client.require_repo()
    client.prefetch(claim_read(repo.owner, repo.name, [number], CLAIM_LABEL))


def trusted_bots(app: App) -> frozenset[str]:
    return frozenset(app.coordination().trusted_bots)


def coordinator(
    app: App, repo: RepoRef | None, instance: str | None, detached: bool = False
) -> Coordinator:
    from maverick_ext.services.claims import Coordinator
    from maverick_ext.services.identity import registry_dir, resolve_identity, state_root
    from maverick_ext.services.lease_memo import memo_dir
    from maverick_ext.services.processes import parent_watch

    client = app.client(repo)
    client.require_repo()
    identity = resolve_identity(app.env, instance, app.cwd)
    loops_dir = registry_dir(state_root(app.env), identity.instance_id)
    return Coordinator(
        client=client,
        identity=identity,
        sleep=app.pause,
        monotonic=app.monotonic,
        bots=trusted_bots(app),
        notify=info,
        loops_dir=loops_dir,
        memo_dir=memo_dir(loops_dir),
        # gh forwards no SIGTERM: when gh (our parent) is gone, so is whoever started us.
        # A daemon's starter is meant to be gone: it ends on release, loss or --while-pid.
        parent_alive=(lambda: True) if detached else parent_watch(),
        detached=detached,
        mixed_fleet=app.coordination().mixed_fleet,
    )


def claim_settings(app: App, ttl: str | None, settle: float | None) -> ClaimSettings:
    from maverick_ext.core.claims import parse_duration
    from maverick_ext.services.claims import ClaimSettings

    configured = app.coordination()  # MAVERICK_SETTLE_S is applied with the config files
    settle = configured.settle_s if settle is None else settle
    if not settle >= 0:  # NaN too: click's float type accepts it
        raise UsageError(f"invalid --settle {settle:g}: must be 0 or more seconds")
    ttl_s = parse_duration(ttl) if ttl is not None else configured.lease_ttl_s
    if ttl_s <= settle * 2:
        raise UsageError(
            f"--ttl {ttl_s}s is too short for a {settle:g}s settle window: the lease would "
            "run out while the claim is being decided",
            f"use a TTL of at least {int(settle * 2) + 1}s (or a shorter --settle)",
        )
    return ClaimSettings(ttl_s=ttl_s, settle_s=settle)


def by_repo(app: App, repo_flag: str | None, refs: Sequence[IssueRef]) -> dict[Any, list[int]]:
    """Issue numbers grouped by repository (an OWNER/REPO#N argument names its own)."""
    default = None
    groups: dict[Any, list[int]] = {}
    for ref in refs:
        if ref.repo is None and default is None:
            default = app.resolve_repo(repo_flag)
        groups.setdefault(ref.repo or default, []).append(ref.number)
    return groups


def issue_client(app: App, repo: str | None, issue: str) -> tuple[GhClient, int]:
    """The client for ISSUE's repository and its number."""
    from maverick_ext.core.refs import parse_issue_ref

    ref = parse_issue_ref(issue)
    ((target, _),) = by_repo(app, repo, [ref]).items()
    client = app.client(target)
    client.require_repo()
    return client, ref.number


def for_each_repo(
    app: App,
    repo_flag: str | None,
    issues: tuple[str, ...],
    instance: str | None,
    act: Callable[[Coordinator, list[int]], list[Outcome]],
    detached: bool = False,
) -> list[Outcome]:
    from maverick_ext.commands.params import read_issue_args

    refs = read_issue_args(issues)
    if not refs:
        raise UsageError("no issues given", "pass issue numbers, or - to read them from stdin")
    outcomes: list[Outcome] = []
    for repo, numbers in by_repo(app, repo_flag, refs).items():
        outcomes += act(coordinator(app, repo, instance, detached), numbers)
    return outcomes


def finish(outcomes: Sequence[Outcome], as_json: bool) -> None:
    """Print every outcome (failures on stderr) and exit with the worst code."""
    from maverick_ext.services.claims import worst_code

    code = worst_code(outcomes)
    if as_json:
        emit_json({"exit_code": code, "results": [o.to_json() for o in outcomes]})
    for outcome in outcomes:
        if outcome.code:
            echo(f"gh-maverick: {outcome.message}", err=True)
        elif not as_json:
            echo(describe(outcome))
    if code:
        raise Exit(code)


def describe(outcome: Outcome) -> str:
    record, now = outcome.record, outcome.server_time
    if record is None or now is None or record.state != "active":
        return outcome.message
    return (
        f"{outcome.message} (fencing token {record.comment_id}, "
        f"lease {record.seconds_left(now)}s left)"
    )
