"""The real gh binary against the in-process emulator."""

from __future__ import annotations

import json
from typing import Any

from maverick_ext.emulator import Emulator


def test_gh_api_user(gh: Any) -> None:
    done = gh("api", "user", "--jq", ".login")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "maverick-sandbox"


def test_gh_identity_token(gh: Any) -> None:
    done = gh(
        "api",
        "repos/{owner}/{repo}/issues/2/comments",
        "-f",
        "body=from outside",
        "--jq",
        ".author_association",
        token="as:stranger:NONE",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "NONE"


def test_gh_paginate_follows_link_headers(emu: Emulator, gh: Any) -> None:
    for i in range(5):
        made = gh("api", "repos/{owner}/{repo}/issues/3/comments", "-f", f"body=c{i}")
        assert made.returncode == 0, made.stderr
    emu.clear_log()
    done = gh(
        "api", "--paginate", "repos/{owner}/{repo}/issues/3/comments?per_page=2", "--jq", ".[].body"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [f"c{i}" for i in range(5)]
    assert [e.query for e in emu.request_log] == [
        "per_page=2",
        "per_page=2&page=2",
        "per_page=2&page=3",
    ]


def test_gh_labels_with_encoded_names(emu: Emulator, gh: Any) -> None:
    added = gh("api", "repos/{owner}/{repo}/issues/6/labels", "-f", "labels[]=blocked-by:#4")
    assert added.returncode == 0, added.stderr
    assert [lb["name"] for lb in json.loads(added.stdout)] == ["blocked-by:#4"]
    removed = gh("api", "-X", "DELETE", "repos/{owner}/{repo}/issues/6/labels/blocked-by%3A%234")
    assert removed.returncode == 0, removed.stderr
    missing = gh("api", "-X", "DELETE", "repos/{owner}/{repo}/issues/6/labels/blocked-by%3A%234")
    assert missing.returncode != 0
    assert "HTTP 404" in missing.stderr


def test_gh_sub_issue_with_typed_id(gh: Any) -> None:
    bug_id = gh("api", "repos/{owner}/{repo}/issues/8", "--jq", ".id").stdout.strip()
    added = gh("api", "repos/{owner}/{repo}/issues/1/sub_issues", "-F", f"sub_issue_id={bug_id}")
    assert added.returncode == 0, added.stderr
    subs = gh("api", "repos/{owner}/{repo}/issues/1/sub_issues", "--jq", ".[].number")
    assert subs.stdout.split()[-1] == "8"


def test_gh_sees_server_date_under_skew(emu: Emulator, gh: Any) -> None:
    emu.store.set_skew(86_400 * 365)
    done = gh("api", "-i", "repos/{owner}/{repo}/issues/1")
    assert done.returncode == 0, done.stderr
    year = emu.store.now().year
    date_line = next(ln for ln in done.stdout.splitlines() if ln.lower().startswith("date:"))
    assert str(year) in date_line
