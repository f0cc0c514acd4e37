"""Every body the product posts fits GitHub's 65,536 characters (422 "Body is too long")."""

from __future__ import annotations

from maverick_ext.commands.epic import summary as summary_command
from maverick_ext.core.markers import MAX_COMMENT_CHARS, comment_length
from maverick_ext.emulator.seeds import OWNER, REPO


def test_a_huge_epic_summary_is_posted_cut_with_a_pointer(
    inproc_emulator, run_emulated, monkeypatch
) -> None:
    real = summary_command.summarize

    def huge(epic, board):
        document = real(epic, board)
        document["markdown"] += "\n".join(f"| #{n} | merged | a story |" for n in range(9000))
        return document

    monkeypatch.setattr(summary_command, "summarize", huge)
    result = run_emulated("epic", "summary", "1", "--post")
    assert result.exit_code == 0, result.stderr
    store = inproc_emulator.emulator.store
    posted = store.issue(store.repo(OWNER, REPO), 1).comments[-1].body
    assert comment_length(posted) <= MAX_COMMENT_CHARS
    assert "truncated" in posted and "gh maverick epic summary 1" in posted
