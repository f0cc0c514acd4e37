"""`.maverick/config.json` over the user config: defaults, merging, seeds' files, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maverick_ext.config import DEFAULT_BRANCH_PREFIXES, load_config
from maverick_ext.errors import ExitCode, InvalidData

# The shape the seeds' `maverick init` writes: many sections we do not use.
SEEDS_FILE = {
    "aws": {"region": "us-east-1", "key_pair": "", "ec2_subnet": "legacy"},
    "worker": {"webhook_label": "claude-do"},
    "integration": {"init": True, "alignment": False},
    "issue_lifecycle": {"close_policy": "manual"},
    "git_workflow": {
        "story_base": "develop",
        "pr_target": "develop",
        "promotion_chain": ["develop", "main"],
        "branch_prefixes": {"bug": "bugfix"},
    },
    "hooks": {"worktree_post_create": "scripts/setup-worktree.sh"},
    "llm": {"default": "some-model", "agents": {}, "skills": {}},
    "modules": ["x"],
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A directory that looks like a git checkout (config discovery needs only `.git`)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def project_file(repo: Path) -> Path:
    return repo / ".maverick" / "config.json"


def user_file(env: dict[str, str]) -> Path:
    return Path(env["XDG_CONFIG_HOME"]) / "gh-maverick" / "config.json"


def test_without_files_everything_has_its_default(repo, env):
    config = load_config(repo, env=env)
    assert config.git_workflow.story_base == "main"
    assert config.git_workflow.pr_target == "main"
    assert config.git_workflow.promotion_chain == ["main"]
    assert config.git_workflow.branch_prefixes == DEFAULT_BRANCH_PREFIXES
    assert config.issue_lifecycle.close_policy == "on_pr_merge"  # the seeds' default too
    assert config.coordination.max_concurrent_worktrees == 4
    assert config.coordination.lease_ttl_s == 600
    assert config.coordination.trusted_bots == []
    assert config.worktrees.root == ".maverick/worktrees"
    assert config.post_create_argv() is None
    assert config.sources == ()


def test_the_seeds_file_is_read_as_is_and_never_rewritten(repo, env):
    path = write(project_file(repo), json.dumps(SEEDS_FILE, indent=2))
    before = (path.read_bytes(), path.stat().st_mtime_ns)

    config = load_config(repo, env=env)

    assert config.git_workflow.story_base == "develop"
    assert config.git_workflow.promotion_chain == ["develop", "main"]
    assert config.git_workflow.branch_prefixes["bug"] == "bugfix"
    assert config.git_workflow.branch_prefixes["feature"] == "feat"  # defaults kept
    assert config.issue_lifecycle.close_policy == "manual"
    assert config.post_create_argv() == ["scripts/setup-worktree.sh"]
    assert config.model_extra["llm"]["default"] == "some-model"  # other tools' sections kept
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_project_file_overrides_the_user_file_key_by_key(repo, env):
    write(
        user_file(env),
        {"coordination": {"max_concurrent_worktrees": 8, "trusted_bots": ["ci-bot"]}},
    )
    write(project_file(repo), {"coordination": {"max_concurrent_worktrees": 2}})

    config = load_config(repo, env=env)

    assert config.coordination.max_concurrent_worktrees == 2
    assert config.coordination.trusted_bots == ["ci-bot"]
    assert config.sources == (user_file(env), project_file(repo))


def test_found_from_a_subdirectory_and_from_a_linked_worktree(repo, env, tmp_path):
    write(project_file(repo), {"issue_lifecycle": {"close_policy": "manual"}})
    nested = repo / "src" / "pkg"
    nested.mkdir(parents=True)
    assert load_config(nested, env=env).issue_lifecycle.close_policy == "manual"

    # A linked worktree's `.git` is a file naming <main>/.git/worktrees/<name>; its own
    # checkout has no (uncommitted) config, so the main checkout's applies.
    linked = repo / ".maverick" / "worktrees" / "feat__1-x"
    (repo / ".git" / "worktrees" / "feat__1-x").mkdir(parents=True)
    write(linked / ".git", f"gitdir: {repo / '.git' / 'worktrees' / 'feat__1-x'}\n")
    assert load_config(linked, env=env).issue_lifecycle.close_policy == "manual"


def test_user_file_defaults_to_dot_config_without_xdg(repo, tmp_path):
    home = tmp_path / "home"
    write(home / ".config" / "gh-maverick" / "config.json", {"worktrees": {"root": "/tmp/wt"}})
    assert load_config(repo, env={"HOME": str(home)}).worktrees.root == "/tmp/wt"


@pytest.mark.parametrize(
    ("content", "key"),
    [
        ({"issue_lifecycle": {"close_policy": "sometimes"}}, "issue_lifecycle.close_policy"),
        (
            {"coordination": {"max_concurrent_worktrees": 0}},
            "coordination.max_concurrent_worktrees",
        ),
        ({"coordination": {"lease_ttl_s": "ten"}}, "coordination.lease_ttl_s"),
        ({"git_workflow": {"story_base": "  "}}, "git_workflow.story_base"),
        ({"git_workflow": {"promotion_chain": "main"}}, "git_workflow.promotion_chain"),
        ({"worktrees": {"post_create": []}}, "worktrees.post_create"),
        ({"worktrees": {"post_create": "make setup"}}, "worktrees.post_create"),
        ({"git_workflow": []}, "git_workflow"),
    ],
)
def test_an_invalid_value_names_the_file_and_the_key(repo, env, content, key):
    path = write(project_file(repo), content)
    with pytest.raises(InvalidData) as raised:
        load_config(repo, env=env)
    line = raised.value.one_line()
    assert line.startswith(f"{path}: {key}: ")
    assert "\n" not in line
    assert raised.value.exit_code == ExitCode.INVALID_DATA


def test_an_error_in_the_user_file_names_the_user_file(repo, env):
    write(user_file(env), {"coordination": {"settle_s": -1}})
    write(project_file(repo), {"coordination": {"settle_s": 1}})
    with pytest.raises(InvalidData, match=str(user_file(env))):
        load_config(repo, env=env)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "\xff"])
def test_a_broken_file_is_reported_not_ignored(repo, env, text):
    path = project_file(repo)
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InvalidData, match=str(path)):
        load_config(repo, env=env)


def test_our_hook_setting_wins_over_the_seeds_one(repo, env):
    write(
        project_file(repo),
        {
            "worktrees": {"post_create": ["make", "setup"]},
            "hooks": {"worktree_post_create": "x.sh"},
        },
    )
    assert load_config(repo, env=env).post_create_argv() == ["make", "setup"]


def test_without_a_file_commands_get_the_defaults_without_loading_the_models(repo, env):
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from maverick_ext.commands.app import App\n"
        f"app = App(env={env!r}, cwd={str(repo)!r})\n"
        "c = app.coordination()\n"
        "print(c.settle_s, c.lease_ttl_s, c.max_concurrent_worktrees, c.trusted_bots,"
        " 'pydantic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.split() == ["2.0", "600", "4", "()", "False"], done.stderr


def test_with_a_file_commands_get_its_validated_coordination_section(repo, env):
    from maverick_ext.commands.app import App

    path = repo / ".maverick" / "config.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"coordination": {"trusted_bots": ["ci[bot]"], "settle_s": 0}}))
    coordination = App(env=env, cwd=str(repo)).coordination()
    assert coordination.trusted_bots == ("ci[bot]",) and coordination.settle_s == 0
    assert coordination.lease_ttl_s == 600
    path.write_text(json.dumps({"coordination": {"settle_s": -1}}))
    with pytest.raises(InvalidData, match=r"coordination\.settle_s"):
        App(env=env, cwd=str(repo)).coordination()


def test_one_precedence_order_environment_over_project_over_user_over_default(repo, env):
    assert load_config(repo, env=env).coordination.max_concurrent_worktrees == 4
    write(user_file(env), {"coordination": {"max_concurrent_worktrees": 2, "settle_s": 5}})
    assert load_config(repo, env=env).coordination.max_concurrent_worktrees == 2
    write(project_file(repo), {"coordination": {"max_concurrent_worktrees": 3}})
    config = load_config(repo, env=env)
    assert (config.coordination.max_concurrent_worktrees, config.coordination.settle_s) == (3, 5)
    overridden = {**env, "MAX_CONCURRENT_WORKTREES": "7", "MAVERICK_SETTLE_S": "0.5"}
    config = load_config(repo, env=overridden)
    assert (config.coordination.max_concurrent_worktrees, config.coordination.settle_s) == (7, 0.5)


def test_the_environment_overrides_the_defaults_without_a_file_too(repo, env):
    from maverick_ext.commands.app import App

    app = App(env={**env, "MAX_CONCURRENT_WORKTREES": "7"}, cwd=str(repo))
    assert app.coordination().max_concurrent_worktrees == 7
    assert load_config(repo, env=app.env).coordination.max_concurrent_worktrees == 7


def test_a_mixed_fleet_is_switched_on_by_file_or_environment(repo, env):
    from maverick_ext.commands.app import App

    assert App(env=env, cwd=str(repo)).coordination().mixed_fleet is False
    switched = {**env, "MAVERICK_MIXED_FLEET": "yes"}
    assert App(env=switched, cwd=str(repo)).coordination().mixed_fleet is True
    write(project_file(repo), {"coordination": {"mixed_fleet": True}})
    assert App(env=env, cwd=str(repo)).coordination().mixed_fleet is True
    off = {**env, "MAVERICK_MIXED_FLEET": "off"}
    assert load_config(repo, env=off).coordination.mixed_fleet is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAX_CONCURRENT_WORKTREES", "0"),
        ("MAX_CONCURRENT_WORKTREES", "many"),
        ("MAVERICK_SETTLE_S", "-1"),
        ("MAVERICK_SETTLE_S", "soon"),
        ("MAVERICK_SETTLE_S", "nan"),
        ("MAVERICK_MIXED_FLEET", "maybe"),
    ],
)
def test_an_invalid_environment_override_names_the_variable(repo, env, name, value):
    from maverick_ext.commands.app import App
    from maverick_ext.errors import UsageError

    for read in (
        lambda: load_config(repo, env={**env, name: value}),
        lambda: App(env={**env, name: value}, cwd=str(repo)).coordination(),
    ):
        with pytest.raises(UsageError) as caught:
            read()
        assert caught.value.message.startswith(f"invalid {name}={value!r}")
        assert caught.value.exit_code == ExitCode.USAGE


def test_the_app_reads_the_configuration_once_per_command_run(repo, env, monkeypatch):
    from maverick_ext import config as config_module
    from maverick_ext.commands.app import App

    write(project_file(repo), {"coordination": {"lease_ttl_s": 60}})
    reads = []
    real = config_module.load_config
    monkeypatch.setattr(
        config_module, "load_config", lambda *a, **k: reads.append(1) or real(*a, **k)
    )
    app = App(env=env, cwd=str(repo))
    assert app.config is app.config and app.coordination() is app.coordination()
    assert app.coordination().lease_ttl_s == 60 and len(reads) == 1
