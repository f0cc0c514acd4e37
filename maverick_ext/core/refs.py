"""Repository and issue references as users type them, parsed without any I/O.

Accepted repository forms: ``OWNER/REPO``, ``HOST/OWNER/REPO``, a URL, or a git remote URL.
Accepted issue forms: ``123``, ``#123``, ``OWNER/REPO#123``, ``HOST/OWNER/REPO#123`` and an
issue URL. A pull request URL is refused: PR and issue numbers share one sequence, so
``…/pull/1`` read as issue #1 would act on a different thing than the user named. A host
with a port is refused too: gh cannot address one (``--hostname`` rejects it).
"""

from __future__ import annotations

import contextlib
import re

from maverick_ext.errors import UsageError
from maverick_ext.records import dataclass

# GitHub's own limits: owner 1-39 chars of [A-Za-z0-9-]; repo names [A-Za-z0-9._-]{1,100}.
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_NAME = r"[A-Za-z0-9._-]{1,100}"
_HOST = r"[A-Za-z0-9.-]+(?::\d+)?"  # a port parses, to be refused with a clear line
_REPO_RE = re.compile(rf"^(?:(?P<host>{_HOST})/)?(?P<owner>{_OWNER})/(?P<name>{_NAME})$")
_ISSUE_IN_REPO_RE = re.compile(rf"^(?P<repo>(?:{_HOST}/)?{_OWNER}/{_NAME})#(?P<number>\d+)$")
_NUMBER_RE = re.compile(r"^#?(?P<number>\d+)$")
_SCP_REMOTE_RE = re.compile(rf"^[\w.-]+@(?P<host>{_HOST}):(?P<path>.+)$")

MAX_ISSUE_NUMBER = 2**31 - 1  # GraphQL's Int, which `issue(number:)` takes
_ASCII_DIGITS = re.compile(r"[0-9]+")


def issue_number(value: object) -> int | None:
    """An issue number as written in a marker, a label or a payload; None if it is none.

    The one rule every reader applies: a positive whole number that fits GraphQL's Int,
    given as an integer, a whole float (``3.0``: JSON writers differ) or ASCII digits with an
    optional ``#``. ``-1``, ``0``, ``3.5``, ``"abc"``, ``"²"`` and booleans are not numbers.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    elif isinstance(value, str):
        text = value.strip().removeprefix("#")
        value = int(text) if _ASCII_DIGITS.fullmatch(text) else None
    if isinstance(value, int) and 0 < value <= MAX_ISSUE_NUMBER:
        return value
    return None


@dataclass(frozen=True)
class RepoRef:
    owner: str
    name: str
    host: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def __str__(self) -> str:
        return f"{self.host}/{self.full_name}" if self.host else self.full_name


@dataclass(frozen=True)
class IssueRef:
    number: int
    repo: RepoRef | None = None

    def __str__(self) -> str:
        return f"{self.repo}#{self.number}" if self.repo else f"#{self.number}"


def _strip_git_suffix(name: str) -> str:
    return name[:-4] if name.endswith(".git") else name


def parse_repo(text: str) -> RepoRef:
    """Parse ``[HOST/]OWNER/REPO`` or a repository URL; raise UsageError otherwise."""
    candidate = text.strip()
    if "://" in candidate:
        # urllib.parse (and the ipaddress it imports): ~4 ms a start, only for URLs
        from urllib.parse import urlsplit

        parts = urlsplit(candidate)
        segments = [s for s in parts.path.split("/") if s]
        if parts.hostname and len(segments) >= 2:
            candidate = f"{parts.netloc.rsplit('@', 1)[-1]}/{segments[0]}/{segments[1]}"
    match = _REPO_RE.match(_strip_git_suffix(candidate))
    if not match:
        raise UsageError(
            f"invalid repository {text!r}: expected OWNER/REPO or HOST/OWNER/REPO",
            "for example -R cli/cli",
        )
    host = match["host"] or None
    if host and ":" in host:
        raise UsageError(
            f"invalid repository {text!r}: gh cannot address a host with a port ({host})",
            "name the host without the port, e.g. -R ghe.example.com/OWNER/REPO",
        )
    return RepoRef(owner=match["owner"], name=match["name"], host=host)


def parse_remote_url(url: str) -> RepoRef | None:
    """The repository a git remote URL points at, or None if it is not OWNER/REPO shaped."""
    url = url.strip()
    scp = _SCP_REMOTE_RE.match(url)
    if scp and "://" not in url:
        url = f"ssh://{scp['host']}/{scp['path']}"
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if not parts.hostname:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) != 2:
        return None
    try:
        return parse_repo(f"{parts.hostname}/{segments[0]}/{_strip_git_suffix(segments[1])}")
    except UsageError:
        return None


def _checked_number(raw: str, text: str) -> int:
    number = int(raw)
    if not 0 < number <= MAX_ISSUE_NUMBER:
        raise UsageError(f"invalid issue number in {text!r}", "issue numbers start at 1")
    return number


def parse_issue_ref(text: str) -> IssueRef:
    """Parse one issue reference as typed on the command line."""
    candidate = text.strip()
    if match := _NUMBER_RE.match(candidate):
        return IssueRef(number=_checked_number(match["number"], text))
    if match := _ISSUE_IN_REPO_RE.match(candidate):
        return IssueRef(_checked_number(match["number"], text), parse_repo(match["repo"]))
    if "://" in candidate:
        from urllib.parse import urlsplit

        parts = urlsplit(candidate)
        segments = [s for s in parts.path.split("/") if s]
        if parts.hostname and len(segments) >= 4 and segments[2] == "pull":
            raise UsageError(
                f"{text!r} is a pull request, not an issue",
                "pass the issue the pull request closes",
            )
        if (
            parts.hostname
            and len(segments) >= 4
            and segments[2] == "issues"
            and issue_number(segments[3]) is not None
        ):
            repo = parse_repo(f"{parts.netloc}/{segments[0]}/{segments[1]}")
            return IssueRef(_checked_number(segments[3], text), repo)
    raise UsageError(
        f"invalid issue reference {text!r}",
        "use a number (123), OWNER/REPO#123, an issue URL, or - to read numbers from stdin",
    )


def parse_pull_ref(text: str) -> IssueRef:
    """A pull request as typed on the command line: 12, #12, OWNER/REPO#12 or a PR URL."""
    candidate = text.strip()
    if "://" in candidate:
        from urllib.parse import urlsplit

        parts = urlsplit(candidate)
        segments = [s for s in parts.path.split("/") if s]
        pull = parts.hostname and len(segments) >= 4 and segments[2] == "pull"
        if pull and issue_number(segments[3]) is not None:
            repo = parse_repo(f"{parts.netloc}/{segments[0]}/{segments[1]}")
            return IssueRef(_checked_number(segments[3], text), repo)
    else:
        with contextlib.suppress(UsageError):
            return parse_issue_ref(candidate)
    raise UsageError(
        f"invalid pull request {text!r}",
        "use a number (12), OWNER/REPO#12 or a pull request URL",
    )


def parse_issue_refs(args: list[str], stdin_lines: list[str] | None = None) -> list[IssueRef]:
    """Expand ``-`` into the issue references read from stdin (one per line, blanks skipped)."""
    refs: list[IssueRef] = []
    for arg in args:
        if arg == "-":
            refs.extend(parse_issue_ref(line) for line in stdin_lines or [] if line.strip())
        else:
            refs.append(parse_issue_ref(arg))
    return refs


# gh's preference when several remotes point at GitHub.
_REMOTE_PRIORITY = ("upstream", "github", "origin")


def pick_remote(remotes: dict[str, str], resolved: str | None = None) -> RepoRef | None:
    """The repository gh would use for a clone: ``gh repo set-default`` first, then by name."""
    parsed = {name: ref for name, url in remotes.items() if (ref := parse_remote_url(url))}
    if resolved in parsed:
        return parsed[resolved]
    for name in _REMOTE_PRIORITY:
        if name in parsed:
            return parsed[name]
    return parsed[min(parsed)] if parsed else None
