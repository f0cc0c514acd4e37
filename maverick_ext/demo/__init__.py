"""`gh maverick demo`: several agents run a whole epic against the embedded emulator."""
