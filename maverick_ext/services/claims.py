"""The claim protocol over time: read, write one comment, settle, re-read, decide.

Every decision comes from ``core.claims`` applied to a fresh read and GitHub's clock (the
``Date`` of that read). Sleep and the monotonic clock are injected so tests need no waiting.

API budget per issue (docs/claims.md): read 1 call; claim 4 (read, label, comment, re-read;
the label write is skipped when already present); heartbeat 2; release at most 3.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from maverick_ext.core import claims as core
from maverick_ext.core.labels import CLAIM_LABEL, block_labels, has_label
from maverick_ext.core.markers import MarkerWarning
from maverick_ext.core.payloads import iso, parse_iso
from maverick_ext.core.trust import TrustPolicy, issue_markers, same_account
from maverick_ext.errors import (
    AmbiguousWrite,
    Blocked,
    ClaimLost,
    ExitCode,
    GitHubUnavailable,
    HeldLive,
    HeldStale,
    MaverickError,
    UsageError,
)
from maverick_ext.github import issues as gh
from maverick_ext.github.client import GhClient
from maverick_ext.github.models import Comment, IssueSnapshot
from maverick_ext.services.identity import Identity

DEFAULT_SETTLE_S = 2.0
# How often a claimer re-reads while its own new comment is not visible yet.
MAX_SETTLES = 3
# The share of the TTL a heartbeat loop keeps in hand before a taker could start.
HOLDER_MARGIN = 0.1


class ClaimReleased(ClaimLost):
    """This instance released the claim itself: a heartbeat loop's cue to stop cleanly."""


@dataclass(frozen=True)
class ClaimSettings:
    ttl_s: int = core.DEFAULT_TTL_S
    settle_s: float = DEFAULT_SETTLE_S


@dataclass
class IssueClaims:
    """One read of an issue: the snapshot, the claim view derived from it, and warnings."""

    snapshot: IssueSnapshot
    view: core.ClaimView
    warnings: list[MarkerWarning]

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

    def to_json(self) -> dict[str, Any]:
        record = self.record.to_json(self.server_time) if self.record and self.server_time else None
        return {
            "issue": self.issue,
            "exit_code": int(self.code),
            "action": self.action,
            "message": self.message,
            "fencing_token": self.record.comment_id if self.record else None,
            "record": record,
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


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _describe(record: core.ClaimRecord, server_time: datetime) -> str:
    host = f" on {record.host}" if record.host else ""
    return (
        f"{record.instance_id}{host} (comment {record.comment_id}, "
        f"lease {record.seconds_left(server_time)}s left)"
    )


def derive_claims(snapshot: IssueSnapshot, bots: frozenset[str] = frozenset()) -> IssueClaims:
    if snapshot.server_time is None:
        raise GitHubUnavailable(
            "GitHub's answer carried no Date header; lease liveness cannot be judged"
        )
    parsed = issue_markers(snapshot.comments, TrustPolicy(snapshot.viewer, bots))
    view = core.claim_view(parsed.markers, snapshot.server_time)
    return IssueClaims(snapshot, view, parsed.warnings)


def read_claims(client: GhClient, number: int, bots: frozenset[str] = frozenset()) -> IssueClaims:
    """One API call: labels, comments and GitHub's clock together."""
    return derive_claims(gh.fetch_issue(client, number), bots)


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

    @property
    def me(self) -> str:
        return self.identity.instance_id

    def read(self, number: int) -> IssueClaims:
        return read_claims(self.client, number, self.bots)

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
        """Claim every issue; with ``scope``, all of them or none (winners withdraw)."""
        wanted = list(dict.fromkeys([*numbers, *scope]))
        scope_payload = [str(n) for n in wanted] if scope else []
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
        if scope and worst_code(results):
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
        nonce = secrets.token_hex(8)
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
        labels = () if allow_stale else state.snapshot.labels
        owner = core.ownership(labels, state.view, self.me, allow_stale=allow_stale)
        if owner.held and owner.record is not None:
            return owner.record
        error = ClaimReleased if owner.released_by_self else ClaimLost
        raise error(
            f"#{state.snapshot.number}: not held by {self.me}: {owner.reason}",
            "stop work, push nothing",
        )

    def heartbeat(self, number: int) -> Outcome:
        """Re-check ownership, then push the lease forward by editing our own comment."""
        state = self.read(number)
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

    def heartbeat_loop(
        self,
        number: int,
        interval_s: float | None,
        while_pid: int | None = None,
        alive: Callable[[int], bool] = pid_alive,
    ) -> Outcome:
        """Heartbeat until released (0), lost (13), or the watched process exits (release).

        Transient errors are retried until our own lease deadline, measured on the monotonic
        clock from before the last successful renewal, minus a margin: the loop reports the
        loss while no taker can have started yet.
        """
        deadline: float | None = None
        while True:
            if while_pid is not None and not alive(while_pid):
                self.notify(f"process {while_pid} exited; releasing #{number}")
                return self.release(number, "abort")
            started = self.monotonic()
            try:
                beat = self.heartbeat(number)
            except ClaimReleased as exc:
                return Outcome(number, ExitCode.OK, "released", exc.message)
            except GitHubUnavailable as exc:
                if deadline is None or self.monotonic() >= deadline:
                    raise ClaimLost(
                        f"#{number}: could not renew the lease before it ran out ({exc.message})",
                        "stop work, push nothing",
                    ) from None
                self.notify(f"heartbeat #{number} failed, retrying: {exc.message}")
                self._wait(min(5.0, deadline - self.monotonic()), while_pid, alive)
                continue
            assert beat.record is not None
            # A taker can start at updated_at + ttl (GitHub's clock), and updated_at comes
            # after `started`; giving up a tenth of the TTL earlier leaves the agent time to
            # stop before anyone else may begin.
            deadline = started + beat.record.ttl_s * (1 - HOLDER_MARGIN)
            self._wait(interval_s or beat.record.ttl_s / 5, while_pid, alive)

    def _wait(self, seconds: float, while_pid: int | None, alive: Callable[[int], bool]) -> None:
        """Sleep, in short slices when watching a process so its exit is noticed quickly."""
        end = self.monotonic() + max(0.0, seconds)
        while (left := end - self.monotonic()) > 0:
            self.sleep(min(left, 1.0) if while_pid is not None else left)
            if while_pid is not None and not alive(while_pid):
                return

    # ---- release -----------------------------------------------------------------------
    def release(self, number: int, reason: str) -> Outcome:
        return self._release(self.read(number), reason)

    def _release(self, state: IssueClaims, reason: str) -> Outcome:
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

    def _unlabel_if_unclaimed(self, state: IssueClaims) -> list[core.ClaimRecord]:
        """Remove `claude-in-progress` unless another instance still has an active claim;
        returns those other claims."""
        others = state.view.active_others(self.me)
        if not others and has_label(state.snapshot.labels, CLAIM_LABEL):
            gh.remove_label(self.client, state.snapshot.number, CLAIM_LABEL)
        return others

    def release_all(self, reason: str) -> list[Outcome]:
        """Every claim this instance holds, found on GitHub (not in a local cache)."""
        numbers = gh.numbers_labelled(self.client, CLAIM_LABEL)
        outcomes: list[Outcome] = []
        for snapshot in gh.fetch_issues(self.client, numbers).values():
            state = derive_claims(snapshot, self.bots)
            if not state.view.mine(self.me):
                continue
            try:
                outcome = self._release(state, reason)
            except ClaimLost:
                continue  # ours once, someone else's now: nothing to release
            if outcome.action == "released":
                outcomes.append(outcome)
        return outcomes

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
                f"{holder.comment_id}): not going to {action}",
                "stop work on this story, push nothing",
            )

    def guard(self, number: int) -> Outcome:
        state = self.read(number)
        record = self._owned(state)
        return Outcome(
            number, ExitCode.OK, "held", f"#{number}: held by {self.me}", record, state.server_time
        )
