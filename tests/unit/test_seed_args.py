"""The seeds' `<repo> <issue>` argument order, hoisted into `--repo` before click parses."""

from __future__ import annotations

import click
import pytest

from maverick_ext.commands.lazy import click_shape
from maverick_ext.commands.root import cli
from maverick_ext.commands.seed_args import Shape, hoist_repo, json_by_default
from maverick_ext.errors import UsageError


def command(*path: str) -> Shape:
    """What the seeds' argument order knows of `gh maverick PATH...` (as its group sees it)."""
    group: click.Command = cli
    ctx = click.Context(cli)
    for name in path:
        assert isinstance(group, click.Group)
        group = group.get_command(ctx, name)  # type: ignore[assignment]
        ctx = click.Context(group, parent=ctx)
    return click_shape(group)


@pytest.mark.parametrize(
    ("path", "given", "expected"),
    [
        (("coord", "read"), ["o/r", "12"], ["--repo", "o/r", "12"]),
        (("claim",), ["o/r", "12", "13"], ["--repo", "o/r", "12", "13"]),
        (("coord", "claim"), ["o/r", "--scope", "1,2"], ["--repo", "o/r", "--scope", "1,2"]),
        (
            ("coord", "release"),
            ["--reason", "x/y", "o/r", "5"],
            ["--reason", "x/y", "--repo", "o/r", "5"],
        ),
        (
            ("coord", "read"),
            ["github.example.com/o/r", "1"],
            ["--repo", "github.example.com/o/r", "1"],
        ),
        # An issue reference that names its repository stays an issue.
        (("coord", "read"), ["o/r#12"], ["o/r#12"]),
        (
            ("coord", "read"),
            ["https://github.com/o/r/issues/3"],
            ["https://github.com/o/r/issues/3"],
        ),
        (("dag", "waves"), ["o/r", "100"], ["--repo", "o/r", "100"]),
        (("state", "set"), ["o/r", "104", "ejected"], ["--repo", "o/r", "104", "ejected"]),
        # The same repository twice is fine; -R alone is untouched.
        (("coord", "read"), ["o/r", "1", "-R", "o/r"], ["1", "-R", "o/r"]),
        (("coord", "read"), ["1", "-R", "o/r"], ["1", "-R", "o/r"]),
        # A command whose first argument is not an issue never loses a slash argument.
        (("worktree", "create"), ["feature/x"], ["feature/x"]),
        # After `--` nothing is rewritten.
        (("claim",), ["--", "o/r"], ["--", "o/r"]),
    ],
)
def test_a_leading_repository_becomes_the_repo_option(path, given, expected) -> None:
    assert hoist_repo(command(*path), list(given)) == expected


def test_two_different_repositories_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match="two repositories"):
        hoist_repo(command("coord", "read"), ["o/r", "1", "-R", "other/r"])


def test_coord_implies_json_only_where_a_command_has_it() -> None:
    assert json_by_default(command("coord", "read"), ["1"]) == ["--json", "1"]
    assert json_by_default(command("coord", "read"), ["1", "--json"]) == ["1", "--json"]
    plain = click_shape(click.Command("plain", params=[click.Argument(["x"])]))
    assert json_by_default(plain, ["b"]) == ["b"]
