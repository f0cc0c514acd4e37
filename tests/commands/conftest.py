"""In-process command tests: `gh maverick ARGS` run inside pytest, no child process.

The seam is ``App.gh_run`` (commands/app.py): every command's ``GhClient`` is built as in
production (retry policy, pauses, the App's clock and environment) and sends each request
through that callable, which here never starts ``gh``. Two transports stand behind it,
both recording every request:

- ``gh_stubs`` — cli/cli's httpmock registry: register the exact requests a command must
  make with canned responses; an unregistered request fails the command (exit 1, and the
  test at teardown), a registered one left unused fails the test at teardown.
- ``inproc_emulator`` — the real emulator (``Emulator.handle``, no HTTP server), for
  behaviour that needs GitHub's state to evolve over several requests.

``run_cli(*args)`` runs the command through ``cli.main`` — the same exit-code mapping users
get — and returns exit code, stdout, stderr and the recorded calls. What only the real gh
proves (gh's own argv handling, `gh extension install`, auth, the proxy) stays in tests/e2e.
"""

from __future__ import annotations

import email.utils
import json
import re
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from maverick_ext import process
from maverick_ext.commands.app import App
from maverick_ext.emulator import Emulator
from maverick_ext.emulator.seeds import OWNER, REPO
from maverick_ext.emulator.server import GH_HOST

FIXED_DATE = "Sat, 21 Nov 2026 12:00:00 GMT"


@dataclass(frozen=True)
class Call:
    """One `gh api` request a command made."""

    method: str
    path: str
    body: Any  # parsed JSON of --input, or None

    @property
    def operation(self) -> str | None:
        """The GraphQL operation name (``query IssueSnapshot(...)`` → ``IssueSnapshot``)."""
        if self.path != "graphql" or not isinstance(self.body, dict):
            return None
        match = re.match(r"\s*(?:query|mutation)\s+(\w+)", self.body.get("query") or "")
        return match.group(1) if match else None


def parse_gh_api(argv: Sequence[str], stdin: str | None) -> Call:
    """The request in a `gh api --include --method M [...] PATH` argv (as GhClient builds it)."""
    assert argv[1:3] == ["api", "--include"], argv
    method = argv[argv.index("--method") + 1]
    body = json.loads(stdin) if stdin else None
    return Call(method, argv[-1], body)


def request_headers(argv: Sequence[str]) -> dict[str, str]:
    """The ``-H "Name: value"`` headers of a `gh api` argv."""
    pairs = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in ("-H", "--header")]
    return {name.strip(): value.strip() for name, _, value in (p.partition(":") for p in pairs)}


def included(status: int, body: Any, headers: Mapping[str, str] | None = None) -> str:
    """What `gh api --include` prints: status line, headers, blank line, JSON body."""
    all_headers = {"Date": FIXED_DATE, "Content-Type": "application/json", **(headers or {})}
    lines = [f"HTTP/2.0 {status} {'OK' if status < 400 else 'Error'}"]
    lines += [f"{name}: {value}" for name, value in all_headers.items()]
    text = "" if body is None else json.dumps(body)
    return "\r\n".join(lines) + "\r\n\r\n" + text


@dataclass
class Stub:
    method: str
    path: str
    status: int
    body: Any
    headers: dict[str, str]
    matches_body: Callable[[Any], bool]
    used: bool = False


@dataclass
class GhStubs:
    """Expected requests → canned responses, each answered once, in registration order."""

    stubs: list[Stub] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    unmatched: list[Call] = field(default_factory=list)

    def register(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        request: Callable[[Any], bool] = lambda _: True,
    ) -> None:
        """Answer the next ``method path`` request (whose JSON body passes ``request``)."""
        self.stubs.append(Stub(method, path, status, body, dict(headers or {}), request))

    def graphql(self, operation: str, data: Any) -> None:
        """Answer the next GraphQL request named ``operation`` with ``{"data": data}``."""
        self.register(
            "POST",
            "graphql",
            {"data": data},
            request=lambda body: Call("POST", "graphql", body).operation == operation,
        )

    def run(
        self, argv: Sequence[str], *, input: str | None = None, **_: Any
    ) -> process.ProcessResult:
        call = parse_gh_api(argv, input)
        self.calls.append(call)
        for stub in self.stubs:
            if (
                not stub.used
                and (stub.method, stub.path) == (call.method, call.path)
                and stub.matches_body(call.body)
            ):
                stub.used = True
                stdout = included(stub.status, stub.body, stub.headers)
                return process.ProcessResult(tuple(argv), int(stub.status >= 400), stdout, "")
        self.unmatched.append(call)
        return process.ProcessResult(
            tuple(argv), 1, "", f"gh_stubs: no stub for {call.method} {call.path}"
        )

    def verify(self) -> None:
        """Every registered request was made, and no unregistered one."""
        assert not self.unmatched, f"requests without a stub: {self.unmatched}"
        unused = [f"{s.method} {s.path}" for s in self.stubs if not s.used]
        assert not unused, f"registered but never requested: {unused}"


@dataclass
class InProcessEmulator:
    """The emulator answering GhClient directly: its store, no socket, no gh."""

    emulator: Emulator
    calls: list[Call] = field(default_factory=list)
    token: str = "sandbox-token"

    def run(
        self,
        argv: Sequence[str],
        *,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        **_: Any,
    ) -> process.ProcessResult:
        call = parse_gh_api(argv, input)
        self.calls.append(call)
        # gh acts with GH_TOKEN; here only a token this emulator issued (an App's
        # installation token) replaces the fixed one, and `-H` replaces gh's header.
        acting = (env or {}).get("GH_TOKEN", "")
        token = acting if acting in self.emulator.store.apps.tokens else self.token
        headers = {"Authorization": f"token {token}", "Host": f"api.{GH_HOST}"}
        headers |= request_headers(argv)
        body = (input or "").encode()
        answer = self.emulator.handle(call.method, "/" + call.path, headers, body)
        date = email.utils.formatdate(self.emulator.store.clock(), usegmt=True)
        stdout = included(answer.status, answer.body, {"Date": date, **answer.headers})
        return process.ProcessResult(tuple(argv), int(answer.status >= 400), stdout, "")


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    calls: list[Call]

    def json(self) -> Any:
        """stdout as the one JSON document `--json` promises."""
        return json.loads(self.stdout)


@dataclass
class FakeClock:
    """Sleeping takes no time but moves the clocks: ours, and the emulator's (GitHub's)."""

    transport: GhStubs | InProcessEmulator
    now: float = 1000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        if isinstance(self.transport, InProcessEmulator):
            self.transport.emulator.advance_clock(max(seconds, 0.0))


def _runner(transport: GhStubs | InProcessEmulator, tmp_path: Path) -> Callable[..., CliResult]:
    from maverick_ext import cli

    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    base_env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "GH_REPO": f"{GH_HOST}/{OWNER}/{REPO}",
        "MAVERICK_INSTANCE_ID": "agent-a",
        "PATH": "/nonexistent",  # nothing may start gh or git behind the transport's back
    }

    clock = FakeClock(transport)

    def run_cli(
        *args: str,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        input: str | None = None,
    ) -> CliResult:
        first = len(transport.calls)
        app = App(
            env={**base_env, **(env or {})},
            gh_run=transport.run,
            sleep=clock.sleep,
            monotonic=clock.monotonic,
            cwd=str(cwd or tmp_path),
        )
        code = 0
        with CliRunner().isolation(input=input) as (out, err, _):
            try:
                cli.main(list(args), app=app)
            except SystemExit as exit_:
                code = int(exit_.code or 0)
            stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
        return CliResult(code, stdout, stderr, transport.calls[first:])

    return run_cli


@pytest.fixture
def gh_stubs() -> Iterator[GhStubs]:
    stubs = GhStubs()
    yield stubs
    stubs.verify()


@pytest.fixture
def inproc_emulator() -> InProcessEmulator:
    """The demo seed (octo/widgets: epic #1, stories #2-#7, a bug) behind GhClient."""
    return InProcessEmulator(Emulator(seed="demo"))


@dataclass(frozen=True)
class DemoRepo:
    """The in-process emulator's demo repository (octo/widgets) and its owner, for tests
    that set GitHub's state up by hand."""

    store: Any
    repo: Any
    owner: Any


@pytest.fixture
def demo(inproc_emulator: InProcessEmulator) -> DemoRepo:
    store = inproc_emulator.emulator.store
    return DemoRepo(store, store.repo(OWNER, REPO), store.identify(f"as:{OWNER}:OWNER"))


@pytest.fixture
def run_stubbed(gh_stubs: GhStubs, tmp_path: Path) -> Callable[..., CliResult]:
    """``run_stubbed("issue", "policy", "--json")`` against ``gh_stubs``."""
    return _runner(gh_stubs, tmp_path)


@pytest.fixture
def run_emulated(inproc_emulator: InProcessEmulator, tmp_path: Path) -> Callable[..., CliResult]:
    """``run_emulated("claim", "2", "--json")`` against the in-process emulator."""
    return _runner(inproc_emulator, tmp_path)


LOCAL_GH = """#!/bin/sh
# Stand-in for the local gh's two non-API answers (preflight asks them); every API request
# goes through the in-process transport. The real gh's answers: tests/e2e/test_preflight.py.
case "$1" in
  --version) echo "gh version 2.60.0 (stand-in)" ;;
  auth) exit 0 ;;
  *) echo "stand-in gh: only --version and auth status" >&2; exit 1 ;;
esac
"""


@pytest.fixture
def local_tools(tmp_path: Path) -> str:
    """A PATH (for ``env=``) with the real git and a stand-in local gh, nothing else: for
    commands that run git (worktrees, preflight) or ask gh about itself (preflight)."""
    tools = tmp_path / "local-tools"
    tools.mkdir()
    git = shutil.which("git")
    assert git, "git is required"
    (tools / "git").symlink_to(git)
    (tools / "gh").write_text(LOCAL_GH)
    (tools / "gh").chmod(0o755)
    return str(tools)
