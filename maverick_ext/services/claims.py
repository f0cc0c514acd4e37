"""The claim protocol over time: read, write one comment, settle, re-read, decide.

Every decision comes from ``core.claims`` applied to a fresh read and GitHub's clock (the
``Date`` of that read). Sleep and the monotonic clock are injected so tests need no waiting.

API budget per issue (docs/claims.md): read 1 call; claim 4 (read, label, comment, re-read;
the label write is skipped when already present); heartbeat 2; release at most 3.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from maverick_ext.core import claims as core
from maverick_ext.core.claim_refs import (
    Mode,
    RefHold,
    RefRecord,
    RefTip,
    parse_record,
    ref_claim_payloads,
    ref_entry,
    ref_mode_view,
    render_record,
    seeds_ahead,
)
from maverick_ext.core.labels import CLAIM_LABEL, block_labels, has_label
from maverick_ext.core.markers import MarkerWarning
from maverick_ext.core.payloads import iso, parse_iso
from maverick_ext.core.trust import TrustPolicy, issue_markers, same_account
from maverick_ext.errors import (
    AmbiguousWrite,
    Blocked,
    ClaimLost,
    ExitCode,
    GitHubRejected,
    GitHubUnavailable,
    HeldLive,
    HeldStale,
    MaverickError,
    UsageError,
)
from maverick_ext.github import claim_refs as gh_refs
from maverick_ext.github import issues as gh
from maverick_ext.github.client import GhClient
from maverick_ext.github.models import Comment, IssueSnapshot
from maverick_ext.records import dataclass, field, replace
from maverick_ext.services.processes import pid_alive

if TYPE_CHECKING:
    from maverick_ext.services.identity import Identity

# Imported where used, not here: `read` needs none of them, and each costs start-up time
# (docs/ARCHITECTURE.md, Dependencies): `secrets` (hashlib, hmac) only makes a claim's nonce,
# `loops` only serves heartbeat loops and release, `lease_memo` only heartbeats.

DEFAULT_SETTLE_S = 2.0
# How often a claimer re-reads while its own new comment is not visible yet.
MAX_SETTLES = 3
# The share of the TTL a heartbeat loop keeps in hand before a taker could start.
HOLDER_MARGIN = 0.1


def _nonce() -> str:
    import secrets

    return secrets.token_hex(8)


class _LoopStopped(Exception):
    """SIGTERM from this instance's `release` (through the loop registry)."""


@contextlib.contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into ``_LoopStopped`` while a loop runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise _LoopStopped()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _nothing() -> Iterator[None]:
    yield


class ClaimReleased(ClaimLost):
    """This instance released the claim itself: a heartbeat loop's cue to stop cleanly."""


@dataclass(frozen=True)
class ClaimSettings:
    ttl_s: int = core.DEFAULT_TTL_S
    settle_s: float = DEFAULT_SETTLE_S


@dataclass
class IssueClaims:
    """One read of an issue: the snapshot, the claim view derived from it, and warnings.

    In ref mode ``hold`` is what the claim ref says and ``view`` shows the ref's holder
    plus any comment-only (seed-format) claims, which still block.
    """

    snapshot: IssueSnapshot
    view: core.ClaimView
    warnings: list[MarkerWarning]
    mode: Mode = "comment"
    hold: RefHold | None = None
    read: gh_refs.ClaimRead | None = None
    # Ref mode: every comment record (ours included), for cleaning up our own projections.
    comment_view: core.ClaimView | None = None

    @property
    def server_time(self) -> datetime:
        return self.view.server_time


@dataclass
class Outcome:
    """What happened to one issue; the command prints it and exits with the worst code."""

    issue: int
    code: ExitCode
    action: str
    message: str
    record: core.ClaimRecord | None = None
    server_time: datetime | None = None
    # More fields for the JSON result (``heartbeat --daemon``: the daemon's pid and log).
    details: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        record = self.record.to_json(self.server_time) if self.record and self.server_time else None
        return {
            "issue": self.issue,
            "exit_code": int(self.code),
            "action": self.action,
            "message": self.message,
            "fencing_token": self.record.fencing_token if self.record else None,
            "record": record,
            **(self.details or {}),
        }


def failed(issue: int, error: MaverickError) -> Outcome:
    return Outcome(issue, error.exit_code, error.action, error.one_line())


def each(numbers: Iterable[int], action: Callable[[int], Outcome]) -> list[Outcome]:
    """Run ``action`` per issue; an expected failure becomes that issue's outcome."""
    outcomes: list[Outcome] = []
    for number in numbers:
        try:
            outcomes.append(action(number))
        except MaverickError as exc:
            outcomes.append(failed(number, exc))
    return outcomes


def worst_code(outcomes: Iterable[Outcome]) -> int:
    """Exit with the most severe code; a usage error (2) outranks nothing but success."""
    return max((int(o.code) for o in outcomes), default=0)


def _describe(record: core.ClaimRecord, server_time: datetime) -> str:
    host = f" on {record.host}" if record.host else ""
    # A ref claim is named by its epoch (its comment may not be listed yet), a comment-mode
    # claim by its comment.
    which = f"epoch {record.epoch}" if record.epoch is not None else f"comment {record.comment_id}"
    return f"{record.instance_id}{host} ({which}, lease {record.seconds_left(server_time)}s left)"


def derive_claims(snapshot: IssueSnapshot, bots: frozenset[str] = frozenset()) -> IssueClaims:
    if snapshot.server_time is None:
        raise GitHubUnavailable(
            "GitHub's answer carried no Date header; lease liveness cannot be judged"
        )
    parsed = issue_markers(snapshot.comments, TrustPolicy(snapshot.viewer, bots))
    view = core.claim_view(parsed.markers, snapshot.server_time)
    return IssueClaims(snapshot, view, parsed.warnings)


def read_claims(client: GhClient, number: int, bots: frozenset[str] = frozenset()) -> IssueClaims:
    """One API call: labels, comments, the claim ref and GitHub's clock together."""
    return read_many(client, [number], bots)[number]


# Why the ref protocol cannot run, or None: then the comment-order fallback decides.
def refs_unusable(read: gh_refs.ClaimRead) -> str | None:
    if read.empty:
        return "the repository is empty (no commit for a ref to point at)"
    return None


def read_many(
    client: GhClient, numbers: Sequence[int], bots: frozenset[str] = frozenset()
) -> dict[int, IssueClaims]:
    read = gh_refs.read_claims(client, numbers, CLAIM_LABEL)
    out: dict[int, IssueClaims] = {}
    for number in numbers:
        snapshot = read.snapshots.get(number)
        if snapshot is None:
            raise UsageError(
                f"issue #{number} does not exist in {client.require_repo().full_name}",
                "check the number and -R/--repo",
            )
        if snapshot.state == "PULL_REQUEST":
            raise UsageError(
                f"#{number} is a pull request, not an issue",
                "claims and epics work on issues; pass the issue the PR closes",
            )
        out[number] = _with_ref(derive_claims(snapshot, bots), read, number)
    return out


def read_existing(
    client: GhClient, numbers: Iterable[int], bots: frozenset[str] = frozenset()
) -> dict[int, IssueClaims]:
    """The ref-mode claim state of every issue among ``numbers`` that exists (pull
    requests and unknown numbers are left out), one request per ``gh.BATCH_SIZE``."""
    wanted = sorted(set(numbers))
    out: dict[int, IssueClaims] = {}
    for start in range(0, len(wanted), gh.BATCH_SIZE):
        read = gh_refs.read_claims(client, wanted[start : start + gh.BATCH_SIZE], CLAIM_LABEL)
        for number, snapshot in read.snapshots.items():
            if snapshot.state != "PULL_REQUEST":
                out[number] = _with_ref(derive_claims(snapshot, bots), read, number)
    return out


def _with_ref(state: IssueClaims, read: gh_refs.ClaimRead, number: int) -> IssueClaims:
    """The ref-mode view: the ref's holder decides; comment-only claims still block."""
    state.read = read
    if refs_unusable(read) is not None:
        return state
    state.comment_view = state.view
    state.view, state.hold = ref_mode_view(
        state.view, read.tips.get(number), state.snapshot.comments
    )
    state.mode = "ref"
    return state


@dataclass(eq=False)
class _RefPlan:
    """A ref claim we are about to write: the record, the tip it builds on, its commit."""

    issue: int
    record: RefRecord
    before: str | None
    oid: str | None = None
    # The ref is ours already (a rerun after a crash): only the comment is missing.
    reproject: bool = False


_NO_TIP = RefTip("", "", None)
_NOBODY = RefRecord(0, "", "", "", 1, 1)


def core_refs_record(tip: RefTip | None) -> RefRecord | None:
    return parse_record(tip.message) if tip else None


@dataclass
class _Beating:
    """What a ref-mode heartbeat keeps between beats (so each beat is one request)."""

    issue: int
    node_id: str
    oid: str
    record: core.ClaimRecord
    server_time: datetime
    # Recalled from the instance's state dir (``services.lease_memo``), not from this run.
    recalled: bool = False


class _TipMoved(Exception):
    """The ref's tip is not the commit this heartbeat knew: a fresh read decides (who took
    it over, for the message; or our own newer claim, from another machine)."""


@dataclass
class _Stake:
    """A claim comment we posted and must now confirm or withdraw."""

    issue: int
    comment_id: int
    claim: dict[str, Any]
    lease: dict[str, Any]


@dataclass
class Coordinator:
    client: GhClient
    identity: Identity
    sleep: Callable[[float], None]
    monotonic: Callable[[], float]
    bots: frozenset[str] = field(default_factory=frozenset)
    # Progress notes for people watching stderr (the loop's retries, withdrawals).
    notify: Callable[[str], None] = lambda message: None
    # Set once refs were refused: every later step of this run uses the comment protocol.
    forced_comment_mode: bool = False
    # Set once GitHub said it has no ``updateRefs``: refs move over REST from then on.
    rest_refs: bool = False
    _fallback_noted: bool = False
    # The latest ref read per issue (the CAS and its re-read decide from it).
    _reads: dict[int, gh_refs.ClaimRead] = field(default_factory=dict)
    # What the next heartbeat of each issue needs (node id, commit): one request a beat.
    _beatings: dict[int, _Beating] = field(default_factory=dict)
    # The heartbeat-loop registry of this instance (``services.loops``), when known.
    loops_dir: str | None = None
    # Where this instance remembers its claims between runs (``services.lease_memo``).
    memo_dir: str | None = None
    wall: Callable[[], float] = time.time
    # False once the process that started us is gone (a loop must not outlive it).
    parent_alive: Callable[[], bool] = lambda: True
    # A `heartbeat --daemon` loop: started detached, it has no parent to outlive.
    detached: bool = False
    # ``coordination.mixed_fleet``: the seeds' implementation claims these issues too, so a
    # claim waits the settle window for a racing seeds claim and every heartbeat reads.
    mixed_fleet: bool = False

    @property
    def me(self) -> str:
        return self.identity.instance_id

    def read(self, number: int) -> IssueClaims:
        state = read_claims(self.client, number, self.bots)
        return self._remember(state)

    def _remember(self, state: IssueClaims) -> IssueClaims:
        if state.read is not None:
            self._reads[state.snapshot.number] = state.read
        if self.forced_comment_mode and state.mode == "ref":
            fallback = derive_claims(state.snapshot, self.bots)
            fallback.read = state.read
            return fallback
        return state

    # ---- claim / takeover ------------------------------------------------------------
    def claim(
        self,
        numbers: Sequence[int],
        settings: ClaimSettings,
        *,
        scope: Sequence[int] = (),
        takeover: bool = False,
        reason: str | None = None,
    ) -> list[Outcome]:
        """Claim every issue; with ``scope``, all of them or none.

        Ref mode (docs/claims.md): one read, one commit per issue, one atomic ``updateRefs`` CAS
        (all of a scope together), one comment-and-label write per won issue; no waiting.
        Where refs are refused, the comment-order protocol below runs instead.
        """
        wanted = list(dict.fromkeys([*numbers, *scope]))
        states = {
            n: self._remember(st) for n, st in read_many(self.client, wanted, self.bots).items()
        }
        first = states[wanted[0]]
        assert first.read is not None
        self._check_may_claim(first.read)
        self._note_seeds(states.values())
        if first.mode == "ref":
            try:
                return self._claim_refs(wanted, states, settings, bool(scope), takeover, reason)
            except gh_refs.RefsRefused as exc:
                self._fall_back(exc.message)
        return self._claim_comments(wanted, settings, bool(scope), takeover, reason)

    def _note_seeds(self, states: Iterable[IssueClaims]) -> None:
        """Say once where the seeds' implementation has claimed and mixed-fleet mode is off:
        their claims race ours without it (docs/claims.md, "Mixed fleets")."""
        if self.mixed_fleet:
            return
        seen = sorted(s.snapshot.number for s in states if any(
            r.format == "seed" for r in (s.comment_view or s.view).records
        ))  # fmt: skip
        if seen:
            where = ", ".join(f"#{n}" for n in seen)
            self.notify(
                f"the seeds' implementation has claimed {where}: while it still claims here, "
                "set coordination.mixed_fleet (MAVERICK_MIXED_FLEET=1) so racing claims "
                "never both win (docs/claims.md, Mixed fleets)"
            )

    def _check_may_claim(self, read: gh_refs.ClaimRead) -> None:
        """GitHub decides who may claim: an account without write access never owns."""
        if read.permission in ("READ", "TRIAGE", "NONE"):
            raise ClaimLost(
                f"this account has {read.permission.lower()} access to "
                f"{self.client.require_repo().full_name}: claiming needs write access",
                "use a token of an account that can push to the repository",
            )
        if (why := refs_unusable(read)) is not None:
            self._fall_back(why)

    def _fall_back(self, why: str) -> None:
        if not self._fallback_noted:
            self._fallback_noted = True
            self.notify(f"claim refs unavailable ({why}); using the comment-order protocol")
        self.forced_comment_mode = True

    def _claim_refs(
        self,
        wanted: list[int],
        states: dict[int, IssueClaims],
        settings: ClaimSettings,
        scoped: bool,
        takeover: bool,
        reason: str | None,
    ) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        plans: list[_RefPlan] = []
        scope_payload = tuple(str(n) for n in wanted) if scoped else ()
        for number in wanted:
            try:
                planned = self._plan(states[number], settings, scope_payload, takeover)
            except MaverickError as exc:
                outcomes[number] = failed(number, exc)
                continue
            if isinstance(planned, Outcome):
                outcomes[number] = planned
            else:
                plans.append(planned)
        if scoped and worst_code(outcomes.values()):
            failures = ", ".join(f"#{n}" for n, o in outcomes.items() if o.code)
            return [
                outcomes.get(n)
                or Outcome(n, ExitCode.LOST, "not_claimed", f"#{n}: not claimed: the scope "
                           f"failed on {failures} (nothing was written)")
                for n in wanted
            ]  # fmt: skip
        for plan in plans:
            if not plan.reproject:
                plan.oid = gh_refs.create_commit(
                    self.client, render_record(plan.record), plan.before
                )
        for group in [plans] if scoped else [[p] for p in plans]:
            won = self._swap([p for p in group if not p.reproject])
            won += [p for p in group if p.reproject]
            for plan in group:
                if plan in won:
                    outcomes[plan.issue] = self._project(plan, states[plan.issue], settings)
                else:
                    outcomes[plan.issue] = failed(plan.issue, self._lost(plan, states))
        if self.mixed_fleet:
            outcomes |= self._confirm_against_seeds(outcomes, settings, scoped)
        return [outcomes[n] for n in wanted]

    def _confirm_against_seeds(
        self, outcomes: dict[int, Outcome], settings: ClaimSettings, scoped: bool
    ) -> dict[int, Outcome]:
        """A mixed fleet's claim: after the settle window, yield every issue on which a
        seeds claim landed meanwhile (its claimer may believe it won; docs/claims.md)."""
        claimed = [n for n, o in outcomes.items() if o.action == "claimed"]
        if not claimed:
            return {}
        self.sleep(settings.settle_s)
        states = read_many(self.client, claimed, self.bots)
        rivals = {n: self._seeds_rival(self._remember(states[n]), ours=None) for n in claimed}
        first = next((r for r in rivals.values() if r is not None), None)
        if scoped and first is not None:
            rivals = {n: rivals[n] or first for n in claimed}  # a scope is all or nothing
        yielded = {}
        for number, rival in rivals.items():
            if rival is not None:
                yielded[number] = failed(number, self._yield_to_seeds(states[number], rival))
        return yielded

    def _stop_behind_seeds(self, state: IssueClaims) -> None:
        """Yield (exit 13) when a seeds claim listed after ours makes its claimer believe it
        holds the issue (a race both sides won): their rule is the latest claim, and their
        heartbeat refuses them only when ours is the latest. Free: the read is done."""
        hold = state.hold
        ours = hold.comment.comment_id if hold is not None and hold.comment else None
        if ours is not None and (rival := self._seeds_rival(state, ours)) is not None:
            raise self._yield_to_seeds(state, rival)

    def _seeds_rival(self, state: IssueClaims, ours: int | None) -> core.ClaimRecord | None:
        listed = [comment.id for comment in state.snapshot.comments]
        return seeds_ahead(state.view, listed, self.me, ours)

    def _yield_to_seeds(self, state: IssueClaims, rival: core.ClaimRecord) -> ClaimLost:
        """Give our ref back to a seeds claimer that believes it holds the issue: the ref
        goes, our comment is marked released unless their lease write now fills it, and the
        label stays (it is theirs now). Returns the error to report (exit 13)."""
        number = state.snapshot.number
        self._forget(number)
        with contextlib.suppress(ClaimLost):  # the ref moved meanwhile: not ours to give
            self._release_ref(state, "yielded")
        return ClaimLost(
            f"#{number}: yielded to {rival.instance_id}, whose seeds-format claim came later "
            "(the seeds' implementation takes the latest claim as the holder)",
            "stop, push nothing: the issue is theirs",
        )

    def _plan(
        self,
        state: IssueClaims,
        settings: ClaimSettings,
        scope: tuple[str, ...],
        takeover: bool,
    ) -> _RefPlan | Outcome:
        snapshot, hold, now = state.snapshot, state.hold, state.server_time
        number = snapshot.number
        assert hold is not None
        if not snapshot.is_open:
            raise UsageError(
                f"#{number} is closed; refusing to claim a closed issue", "reopen it first"
            )
        entry = ref_entry(block_labels(snapshot.labels), hold, state.view, self.me, takeover)
        who = entry.instance_id or "?"
        if entry.outcome == "blocked":
            raise Blocked(f"#{number} is blocked ({', '.join(entry.blocks)})")
        if entry.outcome == "held_live":
            holder = state.view.holder
            raise HeldLive(
                f"#{number} is held by {_describe(holder, now) if holder else who}"
                + (f" ({entry.detail})" if entry.detail else "")
            )
        if entry.outcome == "held_stale":
            raise HeldStale(
                f"#{number} is held by {who} whose lease went stale",
                f"take it over with `gh maverick takeover {number}`",
            )
        if entry.outcome == "mine" and hold.comment is None and hold.record is not None:
            # We hold the ref but crashed before posting its comment: post it now.
            return _RefPlan(number, hold.record, hold.oid, hold.oid, reproject=True)
        if entry.outcome == "mine":
            return Outcome(
                number, ExitCode.OK, "already_held", f"#{number}: already held by you",
                state.view.holder, now,
            )  # fmt: skip
        login = snapshot.viewer or ""
        record = RefRecord(
            issue=number,
            instance_id=self.me,
            login=login,
            nonce=_nonce(),
            epoch=hold.next_epoch(),
            ttl_s=settings.ttl_s,
            host=self.identity.host,
            scope=scope,
            supersedes=hold.oid if entry.takes_over else None,
            comment_id=hold.comment.comment_id if entry.takes_over and hold.comment else None,
        )
        return _RefPlan(number, record, entry.before)

    def _swap(self, group: list[_RefPlan]) -> list[_RefPlan]:
        """The CAS; after a refusal or an ambiguous answer, the refs themselves say who won."""
        if not group:
            return []
        read = self._last_read(group[0].issue)
        moves = [(p.issue, p.before, p.oid) for p in group]
        try:
            self._cas(read.repository_id or "", moves)
            return group
        except (gh_refs.RefUpdateFailed, GitHubUnavailable) as exc:
            if isinstance(exc, GitHubUnavailable):
                self.notify(f"claim write may or may not have applied ({exc.message}); re-reading")
            after = gh_refs.read_claims(self.client, [p.issue for p in group], CLAIM_LABEL)
            self._reads[group[0].issue] = after
            won = [p for p in group if (after.tips.get(p.issue) or _NO_TIP).oid == p.oid]
            if len(group) > 1 and len(won) < len(group):
                # Only over REST (updateRefs is atomic): a scope is all or nothing.
                gh_refs.undo_rest(self.client, [(p.issue, p.before, p.oid) for p in won])
                return []
            return won

    def _cas(self, repository_id: str, moves: list[gh_refs.Move]) -> None:
        """One atomic ``updateRefs``; over REST where this GitHub has none (said once)."""
        if not self.rest_refs:
            try:
                gh_refs.update_refs(self.client, repository_id, moves)
                return
            except gh_refs.UpdateRefsMissing:
                self._use_rest()
        gh_refs.update_refs_rest(self.client, moves)

    def _use_rest(self) -> None:
        if not self.rest_refs:
            self.rest_refs = True
            self.notify(
                "this GitHub has no GraphQL updateRefs; moving claim refs over REST "
                "(a scope is claimed in ascending order and rolled back on a refusal)"
            )

    def _last_read(self, number: int) -> gh_refs.ClaimRead:
        return self._reads[number]

    def _lost(self, plan: _RefPlan, states: dict[int, IssueClaims]) -> ClaimLost:
        tip = self._reads[plan.issue].tips.get(plan.issue) if plan.issue in self._reads else None
        winner = core_refs_record(tip)
        by = f" to {winner.instance_id} (epoch {winner.epoch})" if winner else ""
        return ClaimLost(f"#{plan.issue}: race lost{by}", "stop, push nothing")

    def _project(self, plan: _RefPlan, state: IssueClaims, settings: ClaimSettings) -> Outcome:
        """Post the claim comment (the lease clock) and the label; on failure give the ref back."""
        read = state.read
        assert read is not None and plan.oid is not None
        now = state.server_time
        claim, lease = ref_claim_payloads(plan.record, plan.oid, now)
        body = core.record_body(claim, lease)
        issue_id = read.issue_ids[plan.issue]
        try:
            posted = self._post_projection(plan, issue_id, body, read.label_id)
        except MaverickError as exc:
            with contextlib.suppress(MaverickError):  # else it expires: commit date + TTL
                self._cas(read.repository_id or "", [(plan.issue, plan.oid, None)])
            raise GitHubUnavailable(
                f"#{plan.issue}: claimed the ref but could not post the claim comment "
                f"({exc.message}); gave the claim back",
                "retry later",
            ) from None
        if read.label_id is None and not has_label(state.snapshot.labels, CLAIM_LABEL):
            gh.add_labels(self.client, plan.issue, [CLAIM_LABEL])  # creates the label once
        basis = parse_iso(posted.updated_at) or now
        record = core.ClaimRecord(
            comment_id=posted.id, instance_id=self.me, host=self.identity.host, state="active",
            claimed_at=basis, expires_at=basis + timedelta(seconds=plan.record.ttl_s),
            heartbeat_at=basis, ttl_s=plan.record.ttl_s, format="ref", scope=plan.record.scope,
            nonce=plan.record.nonce, claim_payload=claim, lease_payload=lease,
            epoch=plan.record.epoch, commit=plan.oid,
            supersedes=plan.record.comment_id if plan.record.supersedes else None,
        )  # fmt: skip
        if posted.node_id:
            self._remember_beating(_Beating(plan.issue, posted.node_id, plan.oid, record, now))
        took = " (took over a stale claim)" if plan.record.supersedes else ""
        return Outcome(
            plan.issue, ExitCode.OK, "claimed", f"#{plan.issue}: claimed{took}", record, now
        )

    def _post_projection(
        self, plan: _RefPlan, issue_id: str, body: str, label_id: str | None
    ) -> Comment:
        """Exactly one claim comment: after an ambiguous POST, look for our nonce first."""
        try:
            return gh_refs.post_claim(self.client, issue_id, body, label_id).comment
        except AmbiguousWrite:
            self.notify(f"#{plan.issue}: claim comment may or may not exist; looking for it")
        state = self.read(plan.issue)
        for comment in state.snapshot.comments:
            mine = same_account(comment.author, state.snapshot.viewer)
            if mine and plan.record.nonce in comment.body:
                return comment
        return gh_refs.post_claim(self.client, issue_id, body, label_id).comment

    def _claim_comments(
        self, wanted: list[int], settings: ClaimSettings, scoped: bool, takeover: bool,
        reason: str | None,
    ) -> list[Outcome]:  # fmt: skip
        """The comment-order fallback (docs/claims.md): post, settle, re-read, lowest id wins."""
        scope_payload = [str(n) for n in wanted] if scoped else []
        outcomes: dict[int, Outcome] = {}
        stakes: list[_Stake] = []
        for number in wanted:
            try:
                staked = self._stake(
                    number, settings, scope_payload or [str(number)], takeover, reason
                )
            except MaverickError as exc:
                outcomes[number] = failed(number, exc)
                continue
            if isinstance(staked, Outcome):
                outcomes[number] = staked
            else:
                stakes.append(staked)
        if stakes:
            self.sleep(settings.settle_s)  # one settle window for all issues
        for stake in stakes:
            try:
                outcomes[stake.issue] = self._confirm(stake, settings)
            except MaverickError as exc:
                outcomes[stake.issue] = failed(stake.issue, exc)
        results = [outcomes[n] for n in wanted]
        if scoped and worst_code(results):
            results = self._withdraw_scope(results)
        return results

    def _stake(
        self,
        number: int,
        settings: ClaimSettings,
        scope: list[str],
        takeover: bool,
        reason: str | None,
    ) -> _Stake | Outcome:
        state = self.read(number)
        snapshot, view, now = state.snapshot, state.view, state.server_time
        if not snapshot.is_open:
            raise UsageError(
                f"#{number} is closed; refusing to claim a closed issue", "reopen it first"
            )
        decision = core.entry_check(snapshot.labels, view, self.me)
        supersedes = decision.supersedes
        if decision.outcome == "held_stale" and takeover:
            supersedes = decision.record
        elif decision.outcome == "blocked":
            raise Blocked(f"#{number} is blocked ({', '.join(decision.blocks)})")
        elif decision.outcome == "held_live":
            assert decision.record is not None
            raise HeldLive(f"#{number} is held by {_describe(decision.record, now)}")
        elif decision.outcome == "held_stale":
            assert decision.record is not None
            raise HeldStale(
                f"#{number} is held by {decision.record.instance_id} whose lease went stale "
                f"at {iso(decision.record.expires_at) if decision.record.expires_at else '?'}",
                f"take it over with `gh maverick takeover {number}`",
            )
        elif decision.outcome == "mine":
            return Outcome(
                number,
                ExitCode.OK,
                "already_held",
                f"#{number}: already held by you",
                decision.record,
                now,
            )
        if not has_label(snapshot.labels, CLAIM_LABEL):
            gh.add_labels(self.client, number, [CLAIM_LABEL])
        nonce = _nonce()
        claim, lease = core.new_claim_payloads(
            instance_id=self.me,
            host=self.identity.host,
            scope=scope,
            nonce=nonce,
            server_time=now,
            ttl_s=settings.ttl_s,
            supersedes=supersedes,
            reason=reason,
        )
        comment = self._post_once(number, core.record_body(claim, lease), nonce, settings)
        return _Stake(number, comment.id, claim, lease)

    def _post_once(self, number: int, body: str, nonce: str, settings: ClaimSettings) -> Comment:
        """POST the claim; after an ambiguous failure, look for our nonce before retrying."""
        try:
            return gh.create_comment(self.client, number, body)[0]
        except AmbiguousWrite:
            self.notify(f"#{number}: claim comment may or may not exist; looking for it")
        self.sleep(settings.settle_s)  # let a comment that did land become visible
        snapshot = self.read(number).snapshot
        for comment in snapshot.comments:
            # Only our own account's comment counts: a pasted copy of the nonce is not ours.
            if nonce in comment.body and same_account(comment.author, snapshot.viewer):
                return comment
        return gh.create_comment(self.client, number, body)[0]

    def _confirm(self, stake: _Stake, settings: ClaimSettings) -> Outcome:
        for attempt in range(MAX_SETTLES):
            if attempt:
                self.sleep(settings.settle_s)
            state = self.read(stake.issue)
            race = core.race_outcome(
                state.view, stake.comment_id, self.me, stake.claim.get("nonce")
            )
            if race != "unseen":
                break
        holder, now = state.view.holder, state.server_time
        if race == "won" and holder is not None:
            # Normally the holder is our stake and this withdraws nothing; if a retried POST
            # duplicated a first one that did land, the earlier copy is kept.
            self._withdraw(stake, state, "duplicate", keep=holder.comment_id)
            if not state.snapshot.is_open:
                self._withdraw(stake, state, "closed")
                raise UsageError(
                    f"#{stake.issue} was closed while we claimed it; withdrew",
                    "a closed issue is not work to start: pick another",
                )
            blocks = block_labels(state.snapshot.labels)
            if not blocks:
                return Outcome(
                    stake.issue, ExitCode.OK, "claimed", f"#{stake.issue}: claimed", holder, now
                )
            self._withdraw(stake, state, "blocked")
            raise Blocked(f"#{stake.issue} became blocked ({', '.join(blocks)}); withdrew")
        self._withdraw(stake, state, "lost")
        if race == "unseen":
            raise ClaimLost(
                f"#{stake.issue}: our claim comment {stake.comment_id} was still not visible "
                f"after {MAX_SETTLES} re-reads; withdrew it",
                "GitHub is lagging; retry later",
            )
        winner = f" to {_describe(holder, now)}" if holder else ""
        raise ClaimLost(f"#{stake.issue}: race lost{winner}; withdrew", "stop, push nothing")

    def _withdraw(
        self, stake: _Stake, state: IssueClaims, reason: str, keep: int | None = None
    ) -> None:
        """Mark every visible copy of this claim attempt (same instance and nonce), and the
        stake itself, released, except ``keep``."""
        nonce = stake.claim.get("nonce")
        copies = {stake.comment_id} | {
            r.comment_id
            for r in state.view.records
            if r.instance_id == self.me and r.nonce == nonce and r.state != "released"
        }
        for comment_id in sorted(copies - {keep}):
            self._mark_released(comment_id, stake.claim, stake.lease, state.server_time, reason)

    def _mark_released(
        self,
        comment_id: int,
        claim: dict[str, Any],
        lease: dict[str, Any],
        server_time: datetime,
        reason: str,
    ) -> Comment:
        body = core.record_body(*core.released_payloads(claim, lease, server_time, reason))
        return gh.update_comment(self.client, comment_id, body)[0]

    def _withdraw_scope(self, results: list[Outcome]) -> list[Outcome]:
        """A scope is all or nothing: release what this call won when any issue failed."""
        failures = ", ".join(f"#{o.issue}" for o in results if o.code)
        withdrawn: list[Outcome] = []
        for outcome in results:
            if outcome.code or outcome.action != "claimed" or outcome.record is None:
                withdrawn.append(outcome)
                continue
            record, now = outcome.record, outcome.server_time
            assert now is not None
            self._mark_released(
                record.comment_id,
                dict(record.claim_payload),
                dict(record.lease_payload or {}),
                now,
                "abort",
            )
            withdrawn.append(
                Outcome(
                    outcome.issue,
                    ExitCode.LOST,
                    "withdrawn",
                    f"#{outcome.issue}: withdrawn because the scope failed on {failures}",
                )
            )
        return withdrawn

    # ---- heartbeat -------------------------------------------------------------------
    def _owned(self, state: IssueClaims, allow_stale: bool = False) -> core.ClaimRecord:
        if state.mode == "ref":
            return self._owned_ref(state, allow_stale)
        labels = () if allow_stale else state.snapshot.labels
        owner = core.ownership(labels, state.view, self.me, allow_stale=allow_stale)
        if owner.held and owner.record is not None:
            return owner.record
        error = ClaimReleased if owner.released_by_self else ClaimLost
        raise error(
            f"#{state.snapshot.number}: not held by {self.me}: {owner.reason}",
            "stop work, push nothing",
        )

    def _owned_ref(self, state: IssueClaims, allow_stale: bool) -> core.ClaimRecord:
        """The ref's tip decides: ours (live, or stale when releasing), or why not."""
        hold, number = state.hold, state.snapshot.number
        assert hold is not None
        record = state.view.records[0] if hold.record is not None else None
        why: str
        if hold.record is not None and hold.record.released:
            if hold.record.instance_id == self.me:
                raise ClaimReleased(
                    f"#{number}: this instance released the claim ({hold.record.reason})",
                    "stop work, push nothing",
                )
            why = f"the claim was released by {hold.record.instance_id}"
        elif hold.record is not None and hold.record.instance_id == self.me and record is not None:
            blocks = block_labels(state.snapshot.labels)
            if not hold.live and not allow_stale:
                why = f"the lease expired at {iso(hold.expires_at) if hold.expires_at else '?'}"
            elif blocks and not allow_stale:
                why = f"the issue is now blocked ({', '.join(blocks)})"
            else:
                return record
        elif hold.record is not None:
            why = (
                f"the claim was taken over by {hold.record.instance_id} (epoch {hold.record.epoch})"
            )
        elif hold.tip is not None:
            why = f"the claim ref points at {hold.tip.oid[:12]}, which is no claim record"
        else:
            mine = self._own_projections(state, active_only=False)
            if mine and mine[-1].state == "released" and mine[-1].reason != "lost":
                raise ClaimReleased(
                    f"#{number}: this instance released the claim ({mine[-1].reason})",
                    "stop work, push nothing",
                )
            why = "the issue is not claimed (no claim ref)"
        raise ClaimLost(f"#{number}: not held by {self.me}: {why}", "stop work, push nothing")

    def _own_projections(self, state: IssueClaims, active_only: bool) -> list[core.ClaimRecord]:
        """Our own ref-mode claim comments, oldest first."""
        view = state.comment_view or state.view
        return [
            r
            for r in view.records
            if r.instance_id == self.me
            and r.claim_payload.get("mode") == "ref"
            and (r.state == "active" or not active_only)
        ]

    def heartbeat(self, number: int) -> Outcome:
        """Push the lease forward by editing our own comment, checking ownership in the same
        request when this instance remembers the claim (1 call), else after a read (2)."""
        known = None if self.mixed_fleet else self._beatings.get(number) or self._recall(number)
        if known is not None:
            try:
                return self._beat(known)
            except _TipMoved:
                pass
            except GitHubRejected:
                if not known.recalled:
                    raise
                self._forget(number)  # the remembered comment is gone: read instead
        state = self.read(number)
        if state.mode == "ref":
            try:
                return self._beat(self._beating(state))
            except _TipMoved:
                raise ClaimLost(
                    f"#{number}: not held by {self.me}: the claim ref moved while renewing",
                    "stop work, push nothing",
                ) from None
        record = self._owned(state)
        claim, lease = core.heartbeat_payloads(record, state.server_time)
        comment, response = gh.update_comment(
            self.client, record.comment_id, core.record_body(claim, lease)
        )
        beat = parse_iso(comment.updated_at) or state.server_time
        renewed = replace(
            record,
            heartbeat_at=beat,
            expires_at=beat + timedelta(seconds=record.ttl_s),
            claim_payload=claim,
            lease_payload=lease,
        )
        return Outcome(
            number,
            ExitCode.OK,
            "renewed",
            f"#{number}: lease renewed for {record.ttl_s}s",
            renewed,
            response.server_time or state.server_time,
        )

    def _beating(self, state: IssueClaims) -> _Beating:
        record = self._owned(state)
        hold = state.hold
        assert hold is not None and hold.oid is not None
        self._stop_behind_seeds(state)
        if hold.comment is None or hold.comment.node_id is None:
            raise ClaimLost(
                f"#{state.snapshot.number}: the claim has no comment to renew (a claim that "
                "crashed before posting it)",
                "release it and claim again",
            )
        beating = _Beating(
            state.snapshot.number, hold.comment.node_id, hold.oid, record, state.server_time
        )
        self._beatings[beating.issue] = beating
        return beating

    def _recall(self, number: int) -> _Beating | None:
        if self.memo_dir is None or self.forced_comment_mode:
            return None
        from maverick_ext.services import lease_memo

        memo = lease_memo.load(self.memo_dir, self.client.require_repo().full_name, number)
        if memo is None or memo.record.instance_id != self.me:
            return None
        return _Beating(number, memo.node_id, memo.commit, memo.record,
                        memo.server_time_now(self.wall()), recalled=True)  # fmt: skip

    def _remember_beating(self, beating: _Beating) -> None:
        self._beatings[beating.issue] = beating
        if self.memo_dir is not None:
            from maverick_ext.services import lease_memo

            memo = lease_memo.Memo(beating.node_id, beating.oid, beating.record,
                                   beating.server_time, self.wall())  # fmt: skip
            lease_memo.save(self.memo_dir, self.client.require_repo().full_name,
                            beating.issue, memo)  # fmt: skip

    def _forget(self, number: int) -> None:
        self._beatings.pop(number, None)
        if self.memo_dir is not None:
            from maverick_ext.services import lease_memo

            lease_memo.forget(self.memo_dir, self.client.require_repo().full_name, number)

    def _beat(self, beating: _Beating) -> Outcome:
        """One request: edit the claim comment and read the ref's tip in the same answer."""
        record, number = beating.record, beating.issue
        claim, lease = core.heartbeat_payloads(record, beating.server_time)
        answer = gh_refs.beat(self.client, beating.node_id, core.record_body(claim, lease), number)
        now = answer.server_time or beating.server_time
        if answer.tip_oid != beating.oid:
            # Our edit just made the comment look active: put the truth back on it.
            tip = parse_record(answer.tip_message) if answer.tip_message else None
            released = answer.tip_oid is None or (tip is not None and tip.released)
            ended = (tip.reason if tip else None) or "released" if released else "lost"
            body = core.record_body(*core.released_payloads(claim, lease, now, ended))
            with contextlib.suppress(MaverickError):
                gh_refs.beat(self.client, beating.node_id, body, number)
            self._forget(number)
            if released:
                raise ClaimReleased(f"#{number}: the claim was released ({ended})")
            raise _TipMoved()  # taken over, or our own newer claim: a read says which
        if blocks := block_labels(answer.labels):
            self._forget(number)
            raise ClaimLost(
                f"#{number}: not held by {self.me}: the issue is now blocked ({', '.join(blocks)})",
                "stop work, push nothing",
            )
        basis = answer.updated_at or now
        renewed = replace(
            record,
            heartbeat_at=basis,
            expires_at=basis + timedelta(seconds=record.ttl_s),
            claim_payload=claim,
            lease_payload=lease,
        )
        self._remember_beating(replace(beating, record=renewed, server_time=now, recalled=False))
        return Outcome(
            number, ExitCode.OK, "renewed", f"#{number}: lease renewed for {record.ttl_s}s",
            renewed, now,
        )  # fmt: skip

    def heartbeat_loop(
        self,
        number: int,
        interval_s: float | None,
        while_pid: int | None = None,
        alive: Callable[[int], bool] = pid_alive,
    ) -> Outcome:
        """Heartbeat until released (0), lost (13), or the watched process exits (release).

        Every attempt's timeout is the time left before our own deadline (monotonic clock,
        from before the last renewal, minus a margin), and a renewal that lands after the
        deadline is a loss: the loop reports it while no taker can have started yet. It
        also ends when the process that started it ends (gh forwards no SIGTERM), and when
        this instance's ``release`` stops it through the loop registry.
        """
        from maverick_ext.services import loops

        repo = self.client.require_repo().full_name
        registry = (
            loops.registered(self.loops_dir, repo, number, daemon=self.detached)
            if self.loops_dir
            else _nothing()
        )
        with registry, _stop_on_sigterm():
            try:
                return self._loop(number, interval_s, while_pid, alive)
            except _LoopStopped:
                return Outcome(
                    number, ExitCode.OK, "released",
                    f"#{number}: heartbeat loop stopped: this instance is releasing the claim",
                )  # fmt: skip

    def _loop(
        self,
        number: int,
        interval_s: float | None,
        while_pid: int | None,
        alive: Callable[[int], bool],
    ) -> Outcome:
        deadline: float | None = None
        client = self.client
        policy, client_deadline, client_clock = client.policy, client.deadline, client.clock
        # Rate-limit waits (Retry-After) inside the client never run past our deadline.
        client.clock = self.monotonic
        try:
            while True:
                if while_pid is not None and not alive(while_pid):
                    self.notify(f"process {while_pid} exited; releasing #{number}")
                    return self.release(number, "abort")
                if not self.parent_alive():
                    return Outcome(
                        number, ExitCode.OK, "stopped",
                        f"#{number}: heartbeat loop stopped: the process that started it ended",
                    )  # fmt: skip
                started = self.monotonic()
                if deadline is not None:
                    left = deadline - started
                    client.policy = replace(
                        policy, timeout_s=max(0.1, min(policy.timeout_s, left)), attempts=1
                    )
                    client.deadline = deadline
                try:
                    beat = self.heartbeat(number)
                except ClaimReleased as exc:
                    return Outcome(number, ExitCode.OK, "released", exc.message)
                except GitHubUnavailable as exc:
                    if deadline is None or self.monotonic() >= deadline:
                        raise ClaimLost(
                            f"#{number}: could not renew the lease before it ran out "
                            f"({exc.message})",
                            "stop work, push nothing",
                        ) from None
                    self.notify(f"heartbeat #{number} failed, retrying: {exc.message}")
                    self._wait(min(5.0, deadline - self.monotonic()), while_pid, alive)
                    continue
                if deadline is not None and self.monotonic() > deadline:
                    raise ClaimLost(
                        f"#{number}: the renewal landed after the lease deadline: a taker may "
                        "already have started",
                        "stop work, push nothing",
                    )
                assert beat.record is not None
                if interval_s is not None and interval_s >= beat.record.ttl_s:
                    raise UsageError(
                        f"--interval {interval_s:g}s is not shorter than the lease TTL "
                        f"({beat.record.ttl_s}s): the lease would expire between heartbeats",
                        f"use an interval of at most {beat.record.ttl_s / 3:g}s",
                    )
                if self.loops_dir is not None and beat.record.heartbeat_at is not None:
                    from maverick_ext.services import loops

                    repo = self.client.require_repo().full_name
                    loops.renewed(self.loops_dir, repo, number, beat.record.heartbeat_at,
                                  beat.record.expires_at)  # fmt: skip
                # A taker can start at updated_at + ttl (GitHub's clock), and updated_at
                # comes after `started`; giving up a tenth of the TTL earlier leaves the
                # agent time to stop before anyone else may begin.
                deadline = started + beat.record.ttl_s * (1 - HOLDER_MARGIN)
                self._wait(interval_s or beat.record.ttl_s / 5, while_pid, alive)
        finally:
            client.policy, client.deadline, client.clock = policy, client_deadline, client_clock

    def _wait(self, seconds: float, while_pid: int | None, alive: Callable[[int], bool]) -> None:
        """Sleep, in short slices when watching a process so its exit is noticed quickly."""
        end = self.monotonic() + max(0.0, seconds)
        while (left := end - self.monotonic()) > 0:
            self.sleep(min(left, 1.0))
            if while_pid is not None and not alive(while_pid):
                return
            if not self.parent_alive():
                return

    # ---- release -----------------------------------------------------------------------
    def release(self, number: int, reason: str) -> Outcome:
        """Stop this instance's heartbeat loop for the issue first, then release."""
        if self.loops_dir is not None:
            from maverick_ext.services import loops

            repo = self.client.require_repo().full_name
            if loops.stop(self.loops_dir, repo, number):
                self.notify(f"#{number}: stopped this instance's heartbeat loop")
        self._forget(number)
        return self._release(self.read(number), reason)

    def _release(self, state: IssueClaims, reason: str) -> Outcome:
        if state.mode == "ref":
            return self._release_ref(state, reason)
        number, now = state.snapshot.number, state.server_time
        try:
            record = self._owned(state, allow_stale=True)
        except ClaimReleased as exc:
            # A release that crashed between marking the record and unlabelling leaves the
            # label behind: the rerun finishes that step instead of stopping early.
            self._unlabel_if_unclaimed(state)
            return Outcome(number, ExitCode.OK, "already_released", exc.message)
        # Normally one record; a crash mid-claim can leave a second of ours that would
        # otherwise become the holder the moment this one is released.
        ours = [
            r
            for r in state.view.records
            if r.instance_id == self.me
            and r.state == "active"
            and r.comment_id != record.comment_id
        ]
        for mine in (record, *ours):
            self._mark_released(
                mine.comment_id,
                dict(mine.claim_payload),
                dict(mine.lease_payload or {}),
                now,
                reason,
            )
        others = self._unlabel_if_unclaimed(state)
        note = "" if not others else f"; label kept for {others[0].instance_id}"
        released = replace(record, state="released", reason=reason)
        return Outcome(
            number, ExitCode.OK, "released", f"#{number}: released ({reason}){note}", released, now
        )

    def _release_ref(self, state: IssueClaims, reason: str) -> Outcome:
        """Delete the ref from our commit, mark the comment released, drop the label: 1 call."""
        number, now, hold, read = state.snapshot.number, state.server_time, state.hold, state.read
        assert hold is not None and read is not None
        try:
            record = self._owned_ref(state, allow_stale=True)
        except ClaimLost as exc:
            ended = isinstance(exc, ClaimReleased)
            if hold.tip is not None and not ended:
                raise
            # The ref is gone or released, yet our comment may still say active (a crashed
            # release): finish it.
            for mine in self._own_projections(state, active_only=True):
                self._mark_released(mine.comment_id, dict(mine.claim_payload),
                                    dict(mine.lease_payload or {}), now, reason)  # fmt: skip
            self._unlabel_if_unclaimed(state)
            message = exc.message if ended else f"#{number}: not claimed"
            return Outcome(number, ExitCode.OK, "already_released", message)
        comment, body = hold.comment, None
        # A seeds claimer's lease write over our comment is its lease now: leave it be.
        theirs = (
            comment is not None
            and comment.overwritten
            and ((comment.lease or {}).get("instance_id") != self.me)
        )
        if comment is not None and not theirs:
            body = core.record_body(
                *core.released_payloads(comment.claim, comment.lease or {}, now, reason)
            )
        foreign_live = [
            r
            for r in state.view.records
            if r.format != "ref" and r.state == "active" and r.instance_id != self.me
        ]
        unlabel = has_label(state.snapshot.labels, CLAIM_LABEL) and not foreign_live
        # The ref moves on to a commit whose record says released, never away: the epoch
        # the next claim must exceed stays on the ref, which GitHub reads back at once
        # (claim comments are listed late, docs/github-facts.md).
        released_oid = self._ended_commit(hold, reason)
        if self.rest_refs:
            self._move_rest(hold, released_oid)
        release = functools.partial(
            gh_refs.release, self.client, read.repository_id or "", number,
            comment_node_id=comment.node_id if comment else None, body=body,
            issue_id=read.issue_ids[number], label_id=read.label_id if unlabel else None,
        )  # fmt: skip
        try:
            applied = release(our_oid=None if self.rest_refs else hold.oid, after_oid=released_oid)
        except gh_refs.UpdateRefsMissing:  # refused whole: nothing was applied
            self._use_rest()
            self._move_rest(hold, released_oid)
            applied = release(our_oid=None)
        if not applied:
            if unlabel:  # the label is the new holder's now
                gh.add_labels(self.client, number, [CLAIM_LABEL])
            raise ClaimLost(
                f"#{number}: the claim ref moved before the release (taken over)",
                "stop work, push nothing",
            )
        released = replace(record, state="released", reason=reason)
        return Outcome(
            number, ExitCode.OK, "released", f"#{number}: released ({reason})", released, now
        )

    def _ended_commit(self, hold: RefHold, reason: str) -> str:
        """A commit on our claim commit whose record says released (its epoch kept)."""
        assert hold.record is not None and hold.oid is not None
        ended = replace(hold.record, state="released", reason=reason, supersedes=None,
                        comment_id=hold.comment.comment_id if hold.comment else None)  # fmt: skip
        return gh_refs.create_commit(self.client, render_record(ended), hold.oid)

    def _move_rest(self, hold: RefHold, ended: str) -> None:
        """Over REST a ref update is no compare-and-swap, but a fast-forward only update is:
        from our claim commit to its released child, or refused."""
        assert hold.record is not None and hold.oid is not None
        try:
            gh_refs.update_refs_rest(self.client, [(hold.record.issue, hold.oid, ended)])
        except gh_refs.RefUpdateFailed:
            raise ClaimLost(
                f"#{hold.record.issue}: the claim ref moved before the release (taken over)",
                "stop work, push nothing",
            ) from None

    def _unlabel_if_unclaimed(self, state: IssueClaims) -> list[core.ClaimRecord]:
        """Remove `claude-in-progress` unless another instance still has an active claim;
        returns those other claims."""
        others = state.view.active_others(self.me)
        if not others and has_label(state.snapshot.labels, CLAIM_LABEL):
            gh.remove_label(self.client, state.snapshot.number, CLAIM_LABEL)
        return others

    def release_all(self, reason: str) -> list[Outcome]:
        """Every claim this instance holds, found on GitHub (not in a local cache): the claim
        refs in one listing; the labelled issues when no ref is ours (comment mode)."""
        try:
            tips = gh_refs.list_claim_refs(self.client)
        except MaverickError:
            tips = {}
        records = {n: core_refs_record(tip) or _NOBODY for n, tip in tips.items()}
        ours = sorted(n for n, r in records.items() if r.instance_id == self.me and not r.released)
        if ours:
            released: list[Outcome] = []
            for number in ours:
                try:
                    released.append(self.release(number, reason))
                except ClaimLost:
                    continue  # ours once, someone else's now: nothing to release
            return [o for o in released if o.action == "released"]
        numbers = gh.numbers_labelled(self.client, CLAIM_LABEL)
        outcomes: list[Outcome] = []
        # Read as `read` reads them: where refs work, a comment of ours whose ref is gone
        # (a crashed release) is finished by the ref release, never released by comment.
        for state in read_existing(self.client, numbers, self.bots).values():
            if not self._still_ours(state):
                continue
            try:
                outcome = self._release(state, reason)
            except ClaimLost:
                continue  # ours once, someone else's now: nothing to release
            if outcome.action == "released":
                outcomes.append(outcome)
        return outcomes

    def _still_ours(self, state: IssueClaims) -> bool:
        """A record of this instance's on the issue: ref or comment, active in ref mode."""
        if state.view.mine(self.me):
            return True
        projections = state.comment_view.mine(self.me) if state.comment_view else []
        return any(r.state == "active" for r in projections)

    # ---- guard -------------------------------------------------------------------------
    def fence(self, number: int, action: str) -> None:
        """Refuse ``action`` on story ``number`` while another instance holds it.

        Unclaimed work is not fenced (a person may retarget it); a live claim by anyone
        else means our view is stale and whatever we push could overwrite their work.
        """
        try:
            holder = self.read(number).view.holder
        except UsageError:
            return  # the branch number names no issue (or a PR): nothing to fence
        if holder is not None and holder.instance_id != self.me:
            raise ClaimLost(
                f"#{number} is held by {holder.instance_id} (fencing token "
                f"{holder.fencing_token}): not going to {action}",
                "stop work on this story, push nothing",
            )

    def guard(self, number: int) -> Outcome:
        state = self.read(number)
        record = self._owned(state)
        if state.mode == "ref":
            self._stop_behind_seeds(state)
        return Outcome(
            number, ExitCode.OK, "held", f"#{number}: held by {self.me}", record, state.server_time
        )


def prune_closed_claim_refs(client: GhClient, dry_run: bool = False) -> list[int]:
    """Delete the claim refs of closed issues (1 listing, 1 batched read, 1 atomic delete)."""
    tips = gh_refs.list_claim_refs(client)
    if not tips:
        return []
    read = gh_refs.read_claims(client, sorted(tips), CLAIM_LABEL)
    closed = {
        n: tip.oid
        for n, tip in tips.items()
        if n in read.snapshots and not read.snapshots[n].is_open
    }
    if closed and not dry_run:
        gh_refs.delete_refs(client, read.repository_id or "", closed)
    return sorted(closed)
