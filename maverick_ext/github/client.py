"""Where `gh` is called: every GitHub request is one `gh api` child process.

gh owns authentication, hosts and enterprise URLs; we never see a token. This module adds
what gh leaves to its callers: response headers (``--include``), retries with backoff that
follow GitHub's rate-limit guidance (below), pagination of one listing at a time, and
the mapping of failures onto the exit-code contract.

Rate limits, as GitHub's "Best practices for using the REST API" asks: with ``Retry-After``
wait that long; with ``x-ratelimit-remaining: 0`` wait until ``x-ratelimit-reset``;
otherwise (secondary limits often carry neither) wait at least a minute, doubling on each
further refusal. GraphQL rate limits arrive as HTTP 200 with ``errors[].type ==
"RATE_LIMITED"`` and are treated the same. All waits of one request together stay within
``RetryPolicy.max_total_wait_s`` (``coordination.max_retry_wait_s`` or
``MAVERICK_MAX_RETRY_WAIT_S``) and never run past a caller's ``deadline``: a heartbeat
loop must learn it lost GitHub before its lease runs out, not after.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from maverick_ext import process
from maverick_ext.core.refs import RepoRef
from maverick_ext.errors import (
    AmbiguousWrite,
    GitHubRejected,
    GitHubUnavailable,
    MaverickError,
    NotAuthenticated,
    NotFound,
    UsageError,
)
from maverick_ext.records import dataclass, field

# Children must never prompt, page, spin or nag: we parse their output.
QUIET_GH_ENV = {
    "GH_PROMPT_DISABLED": "1",
    "GH_NO_UPDATE_NOTIFIER": "1",
    "GH_NO_EXTENSION_UPDATE_NOTIFIER": "1",
    "GH_SPINNER_DISABLED": "1",
    "GH_PAGER": "cat",
    "NO_COLOR": "1",
    "CLICOLOR": "0",
}
_RATE_LIMIT_TYPES = frozenset({"RATE_LIMITED", "RATE_LIMIT"})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"})
# gh's stderr for failures that never reached GitHub (or got no answer).
_TRANSPORT_FAILURE = re.compile(
    r"proxyconnect|connection refused|connection reset|timeout|timed out|no such host|EOF|"
    r"TLS handshake|network is unreachable|server misbehaving|error connecting to|"
    r"no route to host|could not resolve host",
    re.IGNORECASE,
)


RETRY_WAIT_ENV = "MAVERICK_MAX_RETRY_WAIT_S"


@dataclass(frozen=True)
class RetryPolicy:
    # Transient failures (5xx, transport): this many attempts, short jittered backoff.
    attempts: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    # A rate limit that names no wait: GitHub asks for at least a minute, then longer.
    secondary_wait_s: float = 60.0
    # All rate-limit waits of one request together; a longer wait is reported (exit 14).
    max_total_wait_s: float = 600.0
    # Refusals that name a zero wait (a reset already past) must not loop forever.
    max_throttles: int = 8
    timeout_s: float = 30.0


def retry_policy(env: Mapping[str, str], configured_wait_s: float | None = None) -> RetryPolicy:
    """The policy for this run: ``MAVERICK_MAX_RETRY_WAIT_S`` over the configured wait."""
    raw = env.get(RETRY_WAIT_ENV)
    if raw:
        try:
            wait = float(raw)
        except ValueError:
            wait = -1.0
        if not wait >= 0:
            raise UsageError(
                f"invalid {RETRY_WAIT_ENV}={raw!r}", "give the seconds to wait, e.g. 600"
            )
        return RetryPolicy(max_total_wait_s=wait)
    if configured_wait_s is not None:
        return RetryPolicy(max_total_wait_s=configured_wait_s)
    return RetryPolicy()


@dataclass
class GhResponse:
    status: int
    headers: dict[str, str]
    data: Any

    @property
    def server_time(self) -> datetime | None:
        """GitHub's clock at the time of the response (the ``Date`` header)."""
        raw = self.headers.get("date")
        if not raw:
            return None
        return http_date(raw)

    def link(self, rel: str) -> str | None:
        for part in self.headers.get("link", "").split(","):
            match = re.match(r'\s*<([^>]+)>\s*;\s*rel="([^"]+)"', part)
            if match and match.group(2) == rel:
                return match.group(1)
        return None


@dataclass
class _Attempt:
    """Why one attempt failed, and whether (and when) another one may help."""

    error: MaverickError
    retryable: bool
    wait_s: float | None = None
    # A rate limit: the request was refused unprocessed, so repeating it is always safe.
    throttled: bool = False


@dataclass
class GhClient:
    """A `gh api` caller bound to one repository (or to gh's own resolution when None)."""

    repo: RepoRef | None = None
    debug: bool = False
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    gh: str = "gh"
    run: Callable[..., process.ProcessResult] = process.run
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic  # the clock ``deadline`` is measured on
    # A default deadline for every request (a heartbeat loop sets its lease end here, so
    # reads deep inside services never wait past it); a per-call ``deadline`` wins.
    deadline: float | None = None
    env: Mapping[str, str] | None = None
    # Variables worked out again before every child: acting as a GitHub App, the token
    # (GH_TOKEN) renews hourly under a long-running loop (commands/app.py).
    credentials: Callable[[], Mapping[str, str]] | None = None
    calls: int = 0
    # Collaborator write access by login key, asked once per command run (github/permissions).
    write_access: dict[str, bool] = field(default_factory=dict)
    permission_lookups: int = 0
    # Optional GraphQL fields this server said it lacks (github/capabilities), per run.
    missing_fields: set[str] = field(default_factory=set)
    # The one-file claim tree made in this repository where the empty tree is refused
    # (github/claim_refs), per run: never a tree remembered from another repository's life.
    claim_tree: str | None = None

    # ---- paths -----------------------------------------------------------------------
    def repo_path(self, suffix: str = "") -> str:
        """``repos/OWNER/REPO/<suffix>``; gh's ``{owner}/{repo}`` placeholders without a repo."""
        base = f"repos/{self.repo.full_name}" if self.repo else "repos/{owner}/{repo}"
        return f"{base}/{suffix}" if suffix else base

    def require_repo(self) -> RepoRef:
        if self.repo is None:
            raise UsageError(
                "no repository: this command needs OWNER/REPO",
                "pass -R OWNER/REPO, set GH_REPO, or run inside a clone with a GitHub remote",
            )
        return self.repo

    # ---- requests --------------------------------------------------------------------
    def get(self, path: str, **kw: Any) -> GhResponse:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> GhResponse:
        return self.request("POST", path, body=body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> GhResponse:
        return self.request("PATCH", path, body=body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> GhResponse:
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path: str, **kw: Any) -> GhResponse:
        return self.request("DELETE", path, **kw)

    def paginate(self, path: str) -> tuple[list[Any], GhResponse]:
        """All items of one listing (``per_page=100``), following ``Link: rel=next``."""
        separator = "&" if "?" in path else "?"
        response = self.get(f"{path}{separator}per_page=100")
        items = list(response.data or [])
        while next_url := response.link("next"):
            response = self.get(_relative(next_url))
            items.extend(response.data or [])
        return items, response

    def prefetch(self, body: Mapping[str, Any]) -> None:
        """Start the GraphQL read ``body`` now, for a command that sends exactly it next,
        after importing the code that reads the answer: those imports then overlap the
        wait for GitHub (``process.prefetch``). Only where the transport is a real gh and
        the credentials are gh's own (an App's token is minted when a request needs it)."""
        if self.run is not process.run or self.credentials is not None:
            return
        argv = self._argv("POST", "graphql", True, None)
        process.prefetch(argv, input=json.dumps(body), env=self._child_env())

    def graphql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        deadline: float | None = None,
    ) -> GhResponse:
        """Run one GraphQL request; GraphQL-level errors raise like REST ones would."""
        response = self.request(
            "POST",
            "graphql",
            body={"query": query, "variables": dict(variables or {})},
            idempotent=True,  # our queries never mutate; mutations pass through `request`
            deadline=deadline,
        )
        errors = (response.data or {}).get("errors") if isinstance(response.data, dict) else None
        if errors:
            raise _graphql_error(errors)
        return response

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        deadline: float | None = None,
    ) -> GhResponse:
        """Send one request with retries. A POST that fails ambiguously raises AmbiguousWrite.

        ``deadline`` (on ``clock``): no wait runs past it; the last failure is raised instead.
        """
        method = method.upper()
        safe_to_repeat = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        argv = self._argv(method, path, body is not None, headers)
        stdin = json.dumps(body) if body is not None else None
        deadline = self.deadline if deadline is None else deadline
        failures = throttles = 0
        waited = 0.0
        while True:
            outcome = self._once(method, path, argv, stdin)
            if isinstance(outcome, GhResponse):
                return outcome
            if not outcome.retryable:
                raise outcome.error
            if outcome.throttled:
                throttles += 1
                wait = self._throttle_wait(outcome, throttles)
                if throttles > self.policy.max_throttles or (
                    waited + wait > self.policy.max_total_wait_s
                ):
                    raise _gave_up(outcome, waited, wait)
            else:
                if not safe_to_repeat:
                    raise AmbiguousWrite(
                        f"{method} {path} failed after it may have been applied: "
                        f"{outcome.error.message}",
                        "check the issue before retrying",
                    )
                failures += 1
                if failures >= self.policy.attempts:
                    raise outcome.error
                wait = self._backoff(failures)
            if deadline is not None and self.clock() + wait > deadline:
                raise outcome.error
            self.sleep(wait)
            waited += wait

    # ---- internals -------------------------------------------------------------------
    def _argv(
        self, method: str, path: str, has_body: bool, headers: Mapping[str, str] | None
    ) -> list[str]:
        argv = [self.gh, "api", "--include", "--method", method]
        if self.repo is not None and self.repo.host:
            argv += ["--hostname", self.repo.host]
        for name, value in (headers or {}).items():
            argv += ["-H", f"{name}: {value}"]
        if has_body:
            argv += ["--input", "-"]
        argv.append(path)
        return argv

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ if self.env is None else self.env)
        env.update(QUIET_GH_ENV)
        if self.credentials is not None:
            env.update(self.credentials())
        return env

    def _once(
        self, method: str, path: str, argv: list[str], stdin: str | None
    ) -> GhResponse | _Attempt:
        started = time.monotonic()
        self.calls += 1
        try:
            result = self.run(
                argv, input=stdin, env=self._child_env(), timeout=self.policy.timeout_s
            )
        except process.ProcessTimeout as exc:
            return _Attempt(GitHubUnavailable(f"{method} {path}: {exc.message}"), True)
        response = _parse_included(result.stdout)
        if self.debug:
            status = response.status if response else f"exit {result.exit_code}"
            elapsed = (time.monotonic() - started) * 1000
            print(f"[gh] {method} {path} -> {status} ({elapsed:.0f} ms)", file=sys.stderr)
        if response is None:
            return _classify_no_response(method, path, result)
        if 200 <= response.status < 300 or response.status == 304:
            return _graphql_rate_limit(method, path, response) or response
        return _classify_status(method, path, response)

    def _backoff(self, failures: int) -> float:
        delay = min(self.policy.base_delay_s * 2 ** (failures - 1), self.policy.max_delay_s)
        import random  # only when retrying

        return delay * (0.5 + random.random() / 2)  # jitter: racing instances spread out

    def _throttle_wait(self, outcome: _Attempt, throttles: int) -> float:
        """GitHub's stated wait, else a minute doubling per further refusal (with jitter)."""
        if outcome.wait_s is not None:
            return max(outcome.wait_s, 0.0)
        minimum = self.policy.secondary_wait_s * 2 ** (throttles - 1)
        import random

        return minimum * (1 + random.random() / 10)  # never below GitHub's minute


_MONTHS = {
    month: number
    for number, month in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def http_date(raw: str) -> datetime | None:
    """An HTTP ``Date`` as UTC. GitHub sends IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``,
    RFC 9110 5.6.7), read here directly: `email.utils`, which reads every legacy form too, is
    only imported for anything else (it costs more to import than a whole `read` computes)."""
    parts = raw.split()
    if len(parts) == 6 and parts[5] == "GMT" and parts[2] in _MONTHS:
        try:
            hour, minute, second = (int(n) for n in parts[4].split(":"))
            return datetime(
                int(parts[3]), _MONTHS[parts[2]], int(parts[1]), hour, minute, second,
                tzinfo=timezone.utc,
            )  # fmt: skip
        except ValueError:
            pass
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(raw).astimezone(timezone.utc)
    except (TypeError, ValueError):
        return None


def _relative(url: str) -> str:
    """gh api takes a path; Link headers carry absolute URLs (maybe with an /api/v3 prefix)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path.lstrip("/")
    path = path.removeprefix("api/v3/")
    return f"{path}?{parts.query}" if parts.query else path


def _parse_included(stdout: str) -> GhResponse | None:
    """Split ``gh api --include`` output into status, headers and JSON body."""
    if not stdout.startswith("HTTP/"):
        return None
    crlf, lf = stdout.find("\r\n\r\n"), stdout.find("\n\n")
    if crlf != -1 and (lf == -1 or crlf < lf):
        head, body = stdout[:crlf], stdout[crlf + 4 :]
    elif lf != -1:
        head, body = stdout[:lf], stdout[lf + 2 :]
    else:
        head, body = stdout, ""
    lines = head.replace("\r\n", "\n").split("\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    try:
        data = json.loads(body) if body.strip() else None
    except json.JSONDecodeError:
        data = body
    return GhResponse(status=status, headers=headers, data=data)


def _message(response: GhResponse) -> str:
    data = response.data
    if isinstance(data, dict):
        message = str(data.get("message") or f"HTTP {response.status}")
        details = [
            e.get("message") or f"{e.get('field')} {e.get('code')}"
            for e in data.get("errors") or []
            if isinstance(e, dict)
        ]
        return f"{message}: {'; '.join(details)}" if details else message
    return f"HTTP {response.status}"


def _rate_limit_wait(response: GhResponse) -> float | None:
    """Seconds GitHub asks us to wait, from Retry-After or x-ratelimit-reset."""
    headers = response.headers
    if retry_after := headers.get("retry-after"):
        try:
            return float(retry_after)
        except ValueError:
            pass
    if headers.get("x-ratelimit-remaining") == "0" and (reset := headers.get("x-ratelimit-reset")):
        now = response.server_time or datetime.now(timezone.utc)
        try:
            return max(0.0, float(reset) - now.timestamp())
        except ValueError:
            return None
    return None


def _gave_up(outcome: _Attempt, waited: float, wait: float) -> GitHubUnavailable:
    return GitHubUnavailable(
        f"{outcome.error.message}; GitHub asks for {wait:.0f}s more after {waited:.0f}s "
        "of waiting, beyond the retry budget",
        f"retry later, or raise {RETRY_WAIT_ENV} / coordination.max_retry_wait_s",
    )


def _graphql_rate_limit(method: str, path: str, response: GhResponse) -> _Attempt | None:
    """GraphQL reports its rate limit as HTTP 200 with an error of type RATE_LIMITED."""
    if path != "graphql" or not isinstance(response.data, dict):
        return None
    errors = response.data.get("errors") or []
    if not any(isinstance(e, dict) and e.get("type") in _RATE_LIMIT_TYPES for e in errors):
        return None
    return _Attempt(
        GitHubUnavailable(f"GitHub's GraphQL rate limit hit on {method} {path}", "retry later"),
        retryable=True,
        wait_s=_rate_limit_wait(response),
        throttled=True,
    )


def _classify_status(method: str, path: str, response: GhResponse) -> _Attempt:
    status, message = response.status, _message(response)
    if status == 401:
        return _Attempt(
            NotAuthenticated(
                f"GitHub rejected gh's credentials ({message})",
                "run `gh auth login` or check `gh auth status`",
            ),
            retryable=False,
        )
    wait = _rate_limit_wait(response)
    if status == 429 or (status == 403 and (wait is not None or "rate limit" in message.lower())):
        return _Attempt(
            GitHubUnavailable(
                f"GitHub rate limit hit on {method} {path}",
                "wait for the limit to reset, then retry",
            ),
            retryable=True,
            wait_s=wait,  # None: a secondary limit that names no wait
            throttled=True,
        )
    if status in (404, 410):
        return _Attempt(NotFound(f"not found: {method} {path} ({message})"), retryable=False)
    if status >= 500:
        return _Attempt(
            GitHubUnavailable(f"GitHub answered {status} to {method} {path}", "retry later"),
            retryable=True,
        )
    return _Attempt(GitHubRejected(f"GitHub rejected {method} {path}: {message}", status), False)


def _classify_no_response(method: str, path: str, result: process.ProcessResult) -> _Attempt:
    """gh failed before (or without) an HTTP answer: auth, repo resolution or transport."""
    stderr = result.stderr.strip()
    first_line = stderr.splitlines()[0] if stderr else f"gh exited {result.exit_code}"
    if result.exit_code == 4 or "gh auth login" in stderr:
        return _Attempt(
            NotAuthenticated("gh is not authenticated", "run `gh auth login`"), retryable=False
        )
    if "unable to expand placeholder" in stderr or "none of the git remotes" in stderr:
        return _Attempt(
            UsageError(
                "no repository: not inside a clone with a GitHub remote",
                "pass -R OWNER/REPO or set GH_REPO",
            ),
            retryable=False,
        )
    if _TRANSPORT_FAILURE.search(stderr):
        return _Attempt(
            GitHubUnavailable(f"cannot reach GitHub for {method} {path}: {first_line}"),
            retryable=True,
        )
    return _Attempt(MaverickError(f"gh api {method} {path} failed: {first_line}"), False)


def _graphql_error(errors: list[dict[str, Any]]) -> MaverickError:
    first = errors[0] if errors else {}
    message = str(first.get("message") or "GraphQL error")
    kind = first.get("type")
    if kind == "NOT_FOUND":
        return NotFound(message)
    if kind in _RATE_LIMIT_TYPES:
        return GitHubUnavailable(f"GitHub rate limit: {message}", "retry later")
    return GitHubRejected(f"GitHub rejected the query: {message}", 200)
