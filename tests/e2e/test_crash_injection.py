"""The crash-injection double itself: a command dies right after its Nth gh call."""

from __future__ import annotations


def test_the_command_is_killed_after_the_chosen_call_and_the_call_was_applied(
    gh_maverick, crash_after_calls, emulator
):
    emulator.clear_log()
    result = gh_maverick("claim", "2", "--settle", "0", env=crash_after_calls(4))
    assert result.returncode != 0  # killed, not a clean exit
    # read, claim commit, ref CAS, then comment + label (applied, though the caller died)
    assert len(emulator.request_log) == 4
    assert "claude-in-progress" in [
        label.name
        for label in emulator.store.issue(emulator.store.repo("maverick-sandbox", "demo"), 2).labels
    ]
