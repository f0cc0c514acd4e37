"""Fleet commands: `claims` (every live claim) and `whoami` (this instance)."""
