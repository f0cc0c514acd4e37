import sys

# Cache our modules' bytecode even where PYTHONDONTWRITEBYTECODE is set (some machines set it
# for every user): the entry script compiles them when it builds the environment, but a `git
# pull` or `gh extension upgrade` changes sources without a rebuild, and each changed module
# would then be compiled again on every start (~80 ms a command for the hot path's modules).
sys.dont_write_bytecode = False

from maverick_ext.services import processes  # noqa: E402

# Who started us, noted first thing: a loop or the sandbox asking later (after slow
# imports) would find itself already re-parented if gh was killed meanwhile.
processes.note_parent()

from maverick_ext.cli import main  # noqa: E402

main()
