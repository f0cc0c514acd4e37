"""`gh maverick init` against the stub registry: the exact requests, nothing else."""

from __future__ import annotations

from maverick_ext.errors import ExitCode

LABELS = "repos/maverick-sandbox/demo/labels"
EXISTS = {
    "message": "Validation Failed",
    "errors": [{"resource": "Label", "code": "already_exists", "field": "name"}],
}


def label_named(name: str):
    return lambda body: body["name"] == name


def test_init_creates_each_missing_label_once(gh_stubs, run_stubbed) -> None:
    gh_stubs.register("POST", LABELS, {"name": "claude-in-progress"}, status=201,
                      request=label_named("claude-in-progress"))  # fmt: skip
    gh_stubs.register("POST", LABELS, EXISTS, status=422, request=label_named("needs-human"))
    result = run_stubbed("init", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {
        "schema_version": 1,
        "repo": "maverick-sandbox/demo",
        "labels": [
            {"name": "claude-in-progress", "created": True},
            {"name": "needs-human", "created": False},
        ],
    }
    assert [(c.method, c.path, c.body["name"], c.body["color"]) for c in result.calls] == [
        ("POST", LABELS, "claude-in-progress", "fbca04"),
        ("POST", LABELS, "needs-human", "b60205"),
    ]


def test_init_without_permission_says_githubs_reason_in_one_line(gh_stubs, run_stubbed) -> None:
    gh_stubs.register("POST", LABELS, {"message": "Must have admin rights to Repository."},
                      status=403)  # fmt: skip
    result = run_stubbed("init")
    assert result.exit_code == ExitCode.FAILURE and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "Must have admin rights" in line
