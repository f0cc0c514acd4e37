"""Named starting states for the emulator (``--seed``)."""

from __future__ import annotations

from collections.abc import Callable

from maverick_ext.emulator.store import Store

OWNER = "maverick-sandbox"
REPO = "demo"
# Who the sandbox's clients are (tokens, see ``Store.identify``). Agents run as a GitHub
# App's Bot with write access, as a fleet on github.com usually does: ``viewer.login`` is
# ``maverick-agent[bot]``, GraphQL ``author.login`` ``maverick-agent``, REST /user refused.
# Any other token acts as the repository's owner, a plain user (what a person at a shell is).
AGENT_APP = "maverick-agent"
AGENT_TOKEN = f"bot:{AGENT_APP}:NONE:write"
USER_TOKEN = "sandbox-token"

# (number, title, summary, text dependencies, native blocked-by, files)
_STORIES: tuple[tuple[int, str, str, tuple[int, ...], tuple[int, ...], tuple[str, ...]], ...] = (
    (2, "Config loader", "Load settings from the environment and a TOML file.", (), (),
     ("app/config.py",)),
    (3, "Database schema", "Tables and migrations for widgets.", (), (), ("app/db.py",)),
    (4, "API endpoints", "CRUD endpoints for widgets.", (2,), (3,), ("app/api.py",)),
    (5, "CLI entry point", "A `widgets` command wrapping the service.", (2,), (),
     ("app/cli.py",)),
    (6, "Admin UI", "A small admin page over the API.", (), (4,), ("app/admin.py",)),
    (7, "Docs", "User documentation for CLI and admin UI.", (5, 6), (), ("docs/index.md",)),
)  # fmt: skip


def seed_empty(store: Store) -> None:
    """User ``maverick-sandbox`` and repo ``maverick-sandbox/demo`` with no issues."""
    store.ensure_user(OWNER)
    store.create_repo(OWNER, REPO, description="gh-maverick sandbox repository")


def seed_demo(store: Store) -> None:
    """The empty seed plus maverick labels, a six-story epic (#1–#7) and a bug (#8)."""
    seed_empty(store)
    repo = store.repo(OWNER, REPO)
    owner = store.identify(f"as:{OWNER}:OWNER")
    store.create_label(repo, "claude-in-progress", "fbca04", "Claimed by a Maverick instance")
    store.create_label(repo, "needs-human", "b60205", "Needs a human decision")
    table = "\n".join(f"| #{n} | {title} |" for n, title, *_ in _STORIES)
    epic = store.create_issue(
        repo,
        owner,
        "Epic: ship the widget service",
        "Ship the widget service, story by story, in dependency order.\n\n"
        "## Stories\n\n| Story | Title |\n| --- | --- |\n" + table + "\n",
    )
    for number, title, summary, text_deps, _, files in _STORIES:
        lines = [summary, ""]
        lines += [f"depends on #{dep}" for dep in text_deps]
        lines += ["", "Files:"] if text_deps else ["Files:"]
        lines += [f"- {path}" for path in files]
        story = store.create_issue(repo, owner, title, "\n".join(lines) + "\n")
        assert story.number == number, "seed stories must get their documented numbers"
        store.add_sub_issue(epic, story)
    for number, _, _, _, blocked_by, _ in _STORIES:
        for blocker in blocked_by:
            store.add_blocked_by(store.issue(repo, number), store.issue(repo, blocker))
    store.create_issue(
        repo,
        owner,
        "Standalone bug: fix typo in README",
        "The README says 'widgit'.\n\nFiles:\n- README.md\n",
        labels=["bug"],
    )


SEEDS: dict[str, Callable[[Store], None]] = {"empty": seed_empty, "demo": seed_demo}
