"""Exit codes (a documented contract) and the typed failures that map onto them.

Every expected failure is a ``MaverickError``: the CLI prints its one-line message
(and hint) on stderr and exits with its code. Anything else is a bug (exit 1).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    NOT_AUTHENTICATED = 4
    PENDING = 8
    BLOCKED = 10
    HELD_LIVE = 11
    HELD_STALE = 12
    LOST = 13
    UNAVAILABLE = 14
    INVALID_DATA = 15
    NOTHING_STARTABLE = 16
    NOTHING_LEFT = 17
    CHECKS_FAILED = 18
    NOT_MERGEABLE = 19


EXIT_CODE_HELP = """\b\n\
Exit codes:
  0   success (e.g. you hold the claim)
  1   unexpected failure
  2   usage error (bad argument, unknown issue, no repository)
  4   gh is not authenticated
  8   pr wait: timed out, checks or mergeability still pending (gh pr checks' code)
  10  blocked (blocked-by:#N present, or the worktree cap is reached)
  11  held by another instance with a live lease
  12  held by another instance whose lease is stale (use takeover)
  13  claim lost or race lost (stop work, push nothing)
  14  GitHub unavailable or rate limited after retries (retry later)
  15  invalid data (DAG cycle, unknown story, malformed marker)
  16  epic next --claim: nothing to start now, stories are in flight (retry later)
  17  epic next --claim: nothing left (every story merged, closed, ejected or blocked)
  18  pr wait: checks failed or were cancelled
  19  pr wait: the PR cannot merge (merge conflicts, or closed without merging)"""


class Exit(Exception):
    """Leave with ``code``, everything said already (``finish`` printed each issue's result)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class MaverickError(Exception):
    """An expected failure: one line saying what and why, plus what to do."""

    exit_code: ExitCode = ExitCode.FAILURE
    # The snake_case ``action`` a per-issue JSON result shows for this failure (docs/json.md).
    action = "failed"

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(MaverickError):
    exit_code = ExitCode.USAGE
    action = "usage_error"


class NotFound(UsageError):
    """The issue, PR, repository or comment named on the command line does not exist."""

    action = "not_found"


class NotAuthenticated(MaverickError):
    exit_code = ExitCode.NOT_AUTHENTICATED
    action = "not_authenticated"


class Blocked(MaverickError):
    exit_code = ExitCode.BLOCKED
    action = "blocked"


class HeldLive(MaverickError):
    exit_code = ExitCode.HELD_LIVE
    action = "held_live"


class HeldStale(MaverickError):
    exit_code = ExitCode.HELD_STALE
    action = "held_stale"


class ClaimLost(MaverickError):
    exit_code = ExitCode.LOST
    action = "claim_lost"


class GitHubUnavailable(MaverickError):
    """Transient: 5xx, timeouts, rate limits that outlasted our retries."""

    exit_code = ExitCode.UNAVAILABLE
    action = "github_unavailable"


class AmbiguousWrite(GitHubUnavailable):
    """A non-idempotent write failed in a way that may or may not have applied it."""

    action = "ambiguous_write"


class InvalidData(MaverickError):
    exit_code = ExitCode.INVALID_DATA
    action = "invalid_data"


class NothingStartable(MaverickError):
    """No story can start now, but some are in flight or wait on them: retry later."""

    exit_code = ExitCode.NOTHING_STARTABLE
    action = "nothing_startable"


class NothingLeft(MaverickError):
    """The epic has nothing left for agents: every story is settled or blocked."""

    exit_code = ExitCode.NOTHING_LEFT
    action = "nothing_left"


class GitHubRejected(MaverickError):
    """GitHub refused a request (4xx validation); the message is GitHub's own."""

    action = "github_rejected"

    def __init__(self, message: str, status: int, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.status = status
