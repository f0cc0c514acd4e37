"""The emulator's HTTP server: loopback only, threaded, with admin endpoints and a request log.

The real ``gh`` reaches it as an HTTP proxy (``HTTP_PROXY``) for the host
``api.github.localhost``; plain clients may also use origin-form paths directly.
"""

from __future__ import annotations

import email.utils
import errno
import json
import shlex
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from maverick_ext.emulator.faults import Faults
from maverick_ext.emulator.rest import Api, Request, Response, error_body
from maverick_ext.emulator.seeds import AGENT_TOKEN, OWNER, REPO, SEEDS
from maverick_ext.emulator.store import Store, isoformat
from maverick_ext.errors import UsageError
from maverick_ext.records import asdict, dataclass

LOOPBACK = "127.0.0.1"
GH_HOST = "github.localhost"
ADMIN_PREFIX = "/_emulator/"


@dataclass(frozen=True)
class LogEntry:
    """One API request as the emulator saw it (admin calls are not logged)."""

    method: str
    path: str
    query: str
    status: int
    operation: str | None  # GraphQL operation name, if any
    timestamp: float  # server clock, epoch seconds


class Emulator:
    """A GitHub emulator on 127.0.0.1; use as a context manager or ``start()``/``stop()``."""

    def __init__(
        self,
        port: int = 0,
        seed: str = "empty",
        faults: Faults | None = None,
        host: str = LOOPBACK,
    ) -> None:
        if host != LOOPBACK:
            raise UsageError(
                f"the emulator only listens on {LOOPBACK}, not {host}",
                hint="it is a test double with no real authentication",
            )
        if seed not in SEEDS:
            raise UsageError(f"unknown seed {seed!r}", hint=f"use one of: {', '.join(SEEDS)}")
        self.host = host
        self.faults = faults or Faults()
        self.store = Store(self.faults)
        SEEDS[seed](self.store)
        self.api = Api(self.store, self.faults)
        self._requested_port = port
        self._log: list[LogEntry] = []
        self._log_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.last_request_at = time.monotonic()

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Emulator:
        """Bind and serve in a background thread; ``UsageError`` if the port is taken."""
        try:
            server = ThreadingHTTPServer((self.host, self._requested_port), _handler_for(self))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {self._requested_port} on {self.host} is already in use",
                    hint="pick another --port, or --port 0 for any free port",
                ) from None
            if exc.errno == errno.EACCES:
                raise UsageError(
                    f"not allowed to listen on port {self._requested_port}",
                    hint="use a port above 1023, or --port 0 for any free port",
                ) from None
            raise
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- test helpers ------------------------------------------------------------------

    @property
    def request_log(self) -> list[LogEntry]:
        with self._log_lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def advance_clock(self, seconds: float) -> None:
        self.store.advance_clock(seconds)

    def env(self, token: str = AGENT_TOKEN, config_dir: str | Path | None = None) -> dict[str, str]:
        """Environment that points the real ``gh`` at this emulator (as the agents' Bot)."""
        proxy = self.url
        env = {
            "GH_HOST": GH_HOST,
            "GH_TOKEN": token,
            "GH_REPO": f"{GH_HOST}/{OWNER}/{REPO}",
            "HTTP_PROXY": proxy,
            "http_proxy": proxy,
            "NO_PROXY": "",
            "no_proxy": "",
            "GH_PROMPT_DISABLED": "1",
            "GH_NO_UPDATE_NOTIFIER": "1",
        }
        if config_dir is not None:
            env["GH_CONFIG_DIR"] = str(config_dir)
        return env

    # -- request handling --------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one HTTP request (API or admin)."""
        self.last_request_at = time.monotonic()
        req = Request.parse(method, target, headers, body)
        if req.path.startswith(ADMIN_PREFIX) or req.path == ADMIN_PREFIX.rstrip("/"):
            return self._admin(req)
        response = self.api.handle(req)
        query = target.partition("?")[2]
        entry = LogEntry(
            req.method,
            req.path,
            query,
            response.status,
            response.graphql_operation,
            self.store.clock(),
        )
        with self._log_lock:
            self._log.append(entry)
        return response

    def _admin(self, req: Request) -> Response:
        try:
            data: Any = json.loads(req.body) if req.body.strip() else {}
        except ValueError:
            return Response(400, error_body("Problems parsing JSON", 400))
        key = (req.method, req.path[len(ADMIN_PREFIX) :])
        try:
            if key == ("GET", "log"):
                return Response(200, [asdict(e) for e in self.request_log])
            if key == ("POST", "log/clear"):
                self.clear_log()
                return Response(204)
            if key == ("POST", "clock"):
                if "advance_s" in data:
                    self.advance_clock(float(data["advance_s"]))
                if "skew_s" in data:
                    self.store.set_skew(float(data["skew_s"]))
                return Response(200, {"now": isoformat(self.store.now())})
            if key == ("GET", "faults"):
                return Response(200, self.faults.to_json())
            if key == ("POST", "faults"):
                self.faults.update(**data)
                return Response(200, self.faults.to_json())
        except (TypeError, ValueError) as exc:
            return Response(422, error_body(str(exc), 422))
        return Response(404, error_body("Not Found", 404))


def _handler_for(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: gh reuses connections
        # Headers and body go out in separate writes; with Nagle on, the client's delayed
        # ACK would add ~40 ms to every answer.
        disable_nagle_algorithm = True
        server_version = "GitHub.com"
        sys_version = ""

        def _read_body(self) -> bytes:
            # gh streams `--input -` bodies with chunked transfer encoding (no length).
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()  # the CRLF after each chunk
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailer headers, if any
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _serve(self) -> None:
            body = self._read_body()
            response = emulator.handle(self.command, self.path, dict(self.headers.items()), body)
            payload = b"" if response.status in (204, 304) else response.encoded()
            self.send_response(response.status)
            headers = {"Content-Type": "application/json; charset=utf-8"} | response.headers
            headers.setdefault("Date", email.utils.formatdate(emulator.store.clock(), usegmt=True))
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload and self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

        def send_response(self, code: int, message: str | None = None) -> None:
            # The stock version adds a Date from the real clock; ours comes from the
            # (skewable) server clock, which the lease protocol compares against.
            self.send_response_only(code, message)
            self.send_header("Server", self.version_string())

        def log_message(self, format: str, *args: Any) -> None:
            """Silence per-request stderr lines (the request log records them)."""

    return Handler


def env_lines(env: dict[str, str]) -> str:
    """``export NAME=VALUE`` lines, shell-quoted, for ``eval`` or ``source``."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


def serve_until_stopped(
    emulator: Emulator,
    stop: threading.Event,
    idle_timeout: float | None = None,
    max_lifetime: float | None = None,
    parent_alive: Callable[[], bool] = lambda: True,
) -> str:
    """Block until ``stop`` is set, the emulator is idle too long, lives too long, or the
    process that started it is gone.

    Returns why it stopped ("signal", "idle", "lifetime", "parent"). The caller installs
    the signal handlers that set ``stop`` (only the main thread may).
    """
    started = time.monotonic()
    while not stop.wait(0.2):
        if not parent_alive():
            return "parent"
        now = time.monotonic()
        if idle_timeout is not None and now - emulator.last_request_at >= idle_timeout:
            return "idle"
        if max_lifetime is not None and now - started >= max_lifetime:
            return "lifetime"
    return "signal"
