"""Entry point: run the command tree and turn failures into the exit-code contract."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from maverick_ext.errors import Exit, ExitCode, MaverickError

if TYPE_CHECKING:
    from maverick_ext.commands.app import App


def _json_error(code: int, message: str, hint: str | None) -> None:
    """Under --json a failure is still one JSON document on stdout (docs/json.md)."""
    import json

    from maverick_ext.commands import output

    if output.run_state.json_emitted:
        return  # the command already printed its document (e.g. a failing preflight report)

    document = {"schema_version": output.SCHEMA_VERSION, "exit_code": code, "error": message}
    output.echo(json.dumps({**document, "hint": hint}, indent=2, sort_keys=True))


def gh_debug_enabled(env: Mapping[str, str]) -> bool:
    """gh's own rule: GH_DEBUG set to anything but "", 0, false or no (``api`` included)."""
    value = env.get("GH_DEBUG")
    return value is not None and value not in ("", "0", "false", "no")


def main(argv: list[str] | None = None, app: App | None = None) -> None:
    """``gh maverick ARGV``; exits with the contract's code. Tests pass their own ``app``."""
    from maverick_ext.commands import fast, output
    from maverick_ext.commands.app import App

    args = list(sys.argv[1:] if argv is None else argv)
    # gh users put flags after the subcommand: accept --debug (and --as-app) anywhere
    # before a `--`.
    end = args.index("--") if "--" in args else len(args)
    debug = "--debug" in args[:end] or gh_debug_enabled(os.environ if app is None else app.env)
    as_app = "--as-app" in args[:end]
    options = [a for a in args[:end] if a not in ("--debug", "--as-app")]
    as_json = "--json" in options
    args = options + args[end:]
    if app is None:
        app = App(debug=debug)
    app.debug = app.debug or debug
    app.as_app = app.as_app or as_app

    output.run_state.json_emitted = False
    try:
        # The commands agents call most run without click when their arguments parse
        # (commands/fast.py); click takes everything else, help and usage errors included.
        code = 0 if fast.run(app, args) else _run_click(app, args, as_json)
    except Exit as exc:
        code = exc.code
    except MaverickError as exc:
        output.end_progress()
        output.echo(f"gh-maverick: {exc.one_line()}", err=True)
        if as_json:
            _json_error(int(exc.exit_code), exc.message, exc.hint)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        output.echo("gh-maverick: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # Downstream of a pipe closed early (`| head`): not our failure.
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:  # a bug: say so in one line unless asked for the traceback
        if debug:
            raise
        message = f"unexpected error: {type(exc).__name__}: {exc}"
        output.echo(f"gh-maverick: {message} (rerun with --debug for the traceback)", err=True)
        if as_json:
            _json_error(int(ExitCode.FAILURE), message, "rerun with --debug for the traceback")
        sys.exit(int(ExitCode.FAILURE))
    output.end_progress()
    sys.exit(code)


def _run_click(app: App, args: list[str], as_json: bool) -> int:
    """What the fast path leaves to click: every other command, help, usage errors."""
    import click

    from maverick_ext.commands import output
    from maverick_ext.commands.root import cli

    try:
        result = cli.main(args=args, prog_name="gh maverick", standalone_mode=False, obj=app)
    except click.exceptions.NoArgsIsHelpError as exc:
        output.echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        return int(ExitCode.USAGE)
    except click.UsageError as exc:
        exc.show()
        if as_json:
            _json_error(int(ExitCode.USAGE), exc.format_message(), "see --help")
        return int(ExitCode.USAGE)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        raise KeyboardInterrupt from None
    return int(result) if isinstance(result, int) else 0
