"""`issue policy`, `branch name` and `dag descendants`, run in-process (tests/commands/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

from maverick_ext.errors import ExitCode


def project(tmp_path: Path, config: dict) -> Path:
    """A checkout (``.git`` is enough for the config lookup) with a project config."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / ".maverick").mkdir()
    (tmp_path / "repo" / ".maverick" / "config.json").write_text(json.dumps(config))
    return tmp_path / "repo"


def test_issue_policy_is_on_pr_merge_by_default_and_asks_github_nothing(run_stubbed) -> None:
    result = run_stubbed("issue", "policy")
    assert (result.exit_code, result.stdout, result.calls) == (0, "on_pr_merge\n", [])
    assert run_stubbed("issue", "policy", "--json").json() == {
        "schema_version": 1,
        "close_policy": "on_pr_merge",
        "sources": [],
    }


def test_issue_policy_reads_the_project_file(run_stubbed, tmp_path: Path) -> None:
    repo = project(tmp_path, {"issue_lifecycle": {"close_policy": "manual"}, "aws": {"x": 1}})
    assert run_stubbed("issue", "policy", cwd=repo).stdout == "manual\n"
    document = run_stubbed("issue", "policy", "--json", cwd=repo).json()
    assert document == {
        "schema_version": 1,
        "close_policy": "manual",
        "sources": [str(repo / ".maverick" / "config.json")],
    }


def test_issue_policy_names_the_file_and_key_of_a_bad_value(run_stubbed, tmp_path: Path) -> None:
    repo = project(tmp_path, {"issue_lifecycle": {"close_policy": "sometimes"}})
    result = run_stubbed("issue", "policy", cwd=repo)
    assert result.exit_code == ExitCode.INVALID_DATA and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "config.json: issue_lifecycle.close_policy" in line and "'sometimes'" in line


def test_branch_name_offline_makes_no_call_and_strips_shell_syntax(run_stubbed) -> None:
    result = run_stubbed(
        "branch", "name", "12", "--title", "Crash on $(rm -rf ~); empty `config`", "--label", "bug"
    )
    assert result.exit_code == 0 and result.calls == []
    assert result.stdout == "fix/12-crash-rm-rf-empty-config\n"


def test_branch_name_reads_title_and_labels_from_the_issue(run_emulated) -> None:
    result = run_emulated("branch", "name", "8", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {
        "schema_version": 1,
        "issue": 8,
        "title": "Standalone bug: fix typo in README",
        "labels": ["bug"],
        "branch": "fix/8-standalone-bug-fix-typo-readme",
    }
    assert [call.path for call in result.calls] == ["graphql"]  # one snapshot read


def test_branch_name_honours_the_projects_prefixes(run_emulated, tmp_path: Path) -> None:
    repo = project(tmp_path, {"git_workflow": {"branch_prefixes": {"bug": "hotfix"}}})
    assert run_emulated("branch", "name", "8", cwd=repo).stdout.startswith("hotfix/8-")


def test_branch_name_of_a_missing_issue_is_a_usage_error(run_emulated) -> None:
    result = run_emulated("branch", "name", "999")
    assert result.exit_code == ExitCode.USAGE and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "#999" in result.stderr


def test_dag_descendants_are_transitive(run_emulated) -> None:
    # demo seed: 4 <- 6 (native blocked-by) <- 7 (text "depends on #6")
    result = run_emulated("dag", "descendants", "1", "4", "--json")
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert (document["epic"], document["story"], document["descendants"]) == (1, 4, [6, 7])
    assert [(s["number"], s["deps"], s["status"]) for s in document["stories"]] == [
        (6, [4], "pending"), (7, [5, 6], "pending"),
    ]  # fmt: skip
    assert run_emulated("dag", "descendants", "1", "3").stdout == "#4 #6 #7\n"


def test_dag_descendants_of_a_leaf_is_nothing(run_emulated) -> None:
    result = run_emulated("dag", "descendants", "1", "7")
    assert (result.exit_code, result.stdout) == (0, "nothing depends on #7\n")


def test_dag_descendants_reads_the_epic_and_its_stories_in_one_call(run_emulated) -> None:
    """Never one call per story: one GraphQL snapshot of the epic with its stories."""
    result = run_emulated("dag", "descendants", "1", "2", "--json")
    assert result.json()["descendants"] == [4, 5, 6, 7]
    assert [(c.method, c.operation) for c in result.calls] == [("POST", "EpicSnapshot")]
