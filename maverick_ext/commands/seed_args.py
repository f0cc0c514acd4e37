"""The seeds' argument order: the repository as the first positional argument.

The seeds' skills write ``maverick coord claim <repo> <issue>``; gh users write
``gh maverick claim <issue> -R <repo>``. Both must work, so before a command parses its
arguments, a leading ``OWNER/REPO`` (or ``HOST/OWNER/REPO``, or a repository URL) in front
of an issue-like argument is turned into ``--repo``. Only commands that take ``-R`` and
whose first argument is an issue, epic or pull request are touched, so a branch name such
as ``feature/x`` in front of anything else is never mistaken for a repository.
"""

from __future__ import annotations

from maverick_ext.errors import UsageError
from maverick_ext.records import dataclass

# The first argument's name that tells a command follows `<repo> <issue>` in the seeds.
ISSUE_LIKE_ARGUMENTS = frozenset({"issue", "issues", "epic", "pr", "story"})


def _is_repo(text: str) -> bool:
    from maverick_ext.core.refs import parse_issue_ref, parse_repo

    if not text or text.startswith("-") or "/" not in text:
        return False
    try:
        parse_issue_ref(text)  # an issue URL or OWNER/REPO#N stays an issue
        return False
    except UsageError:
        pass
    try:
        parse_repo(text)
    except UsageError:
        return False
    return True


@dataclass(frozen=True)
class Shape:
    """What the seeds' argument order needs to know of a command (click's or commands/spec's)."""

    first_argument: str | None
    has_repo: bool
    has_json: bool
    value_options: frozenset[str]  # the options that take a value

    @property
    def takes_repo_first(self) -> bool:
        return self.has_repo and self.first_argument in ISSUE_LIKE_ARGUMENTS


def _repo_flag_values(args: list[str]) -> list[str]:
    values = []
    for index, arg in enumerate(args):
        if arg in ("-R", "--repo") and index + 1 < len(args):
            values.append(args[index + 1])
        elif arg.startswith("--repo="):
            values.append(arg.split("=", 1)[1])
    return values


def hoist_repo(shape: Shape, args: list[str]) -> list[str]:
    """``<repo> <issue> ...`` becomes ``<issue> ... --repo <repo>`` for seed-shaped commands."""
    if not shape.takes_repo_first or any(a in ("-h", "--help") for a in args):
        return args
    takes_value = shape.value_options
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return args
        if arg.startswith("-") and arg != "-":
            index += 2 if arg in takes_value else 1
            continue
        if not _is_repo(arg):
            return args
        rest = args[:index] + args[index + 1 :]
        given = _repo_flag_values(rest)
        if any(value != arg for value in given):
            raise UsageError(
                f"two repositories given: {arg} and -R {given[0]}", "give the repository once"
            )
        return rest if given else [*rest[:index], "--repo", arg, *rest[index:]]
    return args


def json_by_default(shape: Shape, args: list[str]) -> list[str]:
    """Under ``coord`` the seeds parse stdout: ``--json`` is implied where a command has it."""
    if not shape.has_json or "--json" in args or any(a in ("-h", "--help") for a in args):
        return args
    return ["--json", *args]
