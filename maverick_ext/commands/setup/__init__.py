"""Setup commands: `init` (labels) and `preflight`."""
