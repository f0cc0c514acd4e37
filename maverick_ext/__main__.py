from maverick_ext.services import processes

# Who started us, noted first thing: a loop or the sandbox asking later (after slow
# imports) would find itself already re-parented if gh was killed meanwhile.
processes.note_parent()

from maverick_ext.cli import main  # noqa: E402

main()
