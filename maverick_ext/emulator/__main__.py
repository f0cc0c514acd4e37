"""``python -m maverick_ext.emulator``: the sandbox as a separate process (tests, benchmarks).

Takes the same options as ``gh maverick sandbox``.
"""

from __future__ import annotations

import sys

import click

from maverick_ext.commands.sandbox import sandbox
from maverick_ext.errors import ExitCode, MaverickError


def main() -> None:
    try:
        sandbox.main(prog_name="python -m maverick_ext.emulator", standalone_mode=False)
    except MaverickError as exc:
        click.echo(f"emulator: {exc.one_line()}", err=True)
        sys.exit(int(exc.exit_code))
    except click.ClickException as exc:
        exc.show()
        sys.exit(int(ExitCode.USAGE))


if __name__ == "__main__":
    main()
