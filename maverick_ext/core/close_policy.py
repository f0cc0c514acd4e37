"""After a story's pull request merged: the audit line, and whether the issue closes.

``issue_lifecycle.close_policy`` (config): ``on_pr_merge`` closes always,
``on_default_branch_merge`` only when the PR merged into the default branch (a team that
promotes develop → main closes at promotion), ``manual`` never.
"""

from __future__ import annotations

# Finds our own audit comment again, so a re-run after a crash posts no second one.
AUDIT_TAG = "<!-- maverick close-on-merge pr={pr} -->"


def closes(policy: str, target: str, default_branch: str | None) -> bool:
    if policy == "on_pr_merge":
        return True
    if policy == "on_default_branch_merge":
        return default_branch is not None and target == default_branch
    return False


def audit_body(pr: int, target: str, label: str, closing: bool, policy: str) -> str:
    outcome = "closing this issue" if closing else f"leaving it open (close policy: {policy})"
    return (
        f"{AUDIT_TAG.format(pr=pr)}\n"
        f"Pull request #{pr} merged into `{target}`: labelled `{label}`, {outcome}."
    )
