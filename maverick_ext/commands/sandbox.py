"""``gh maverick sandbox``: run the local GitHub emulator in the foreground."""

from __future__ import annotations

import click

from maverick_ext.commands.output import echo

SEED_CHOICES = ("empty", "demo")


@click.command(
    "sandbox",
    short_help="Start the local GitHub emulator and print its env.",
    epilog="""\b
Example:
  gh maverick sandbox --seed demo --env-file /tmp/sandbox.env &
  source /tmp/sandbox.env      # once the file exists
  gh api user --jq .login      # -> maverick-sandbox, served by the emulator
  gh maverick epic next 1

\b
Tokens: any GH_TOKEN works; 'as:LOGIN' or 'as:LOGIN:ASSOCIATION' (OWNER, MEMBER,
COLLABORATOR, CONTRIBUTOR, NONE) acts as another user.""",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Loopback port to listen on (0 = any free port).",
)
@click.option(
    "--seed",
    type=click.Choice(SEED_CHOICES),
    default="demo",
    show_default=True,
    help="Starting state: an empty repo, or a demo epic with six stories.",
)
@click.option("--latency-ms", type=click.IntRange(min=0), default=0, help="Delay every answer.")
@click.option(
    "--jitter-ms",
    type=click.IntRange(min=0),
    default=0,
    help="Random extra delay, up to this much.",
)
@click.option(
    "--visibility-delay-ms",
    type=click.IntRange(min=0),
    default=0,
    help="Keep new comments out of listings this long (stale reads).",
)
@click.option(
    "--error-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Probability of a 5xx answer that does not apply the request.",
)
@click.option(
    "--ambiguous-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Probability that a write is applied but answered with 502.",
)
@click.option(
    "--throttle-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Probability of a 403/429 rate-limit answer with Retry-After.",
)
@click.option("--clock-skew-s", type=float, default=0.0, help="Seconds added to the server clock.")
@click.option("--fault-seed", type=int, default=0, help="Seed for reproducible faults.")
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the export lines here once listening.",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Stop after this many seconds without a request.",
)
@click.option(
    "--max-lifetime",
    type=click.FloatRange(min=0, min_open=True),
    help="Stop after this many seconds in any case.",
)
def sandbox(
    port: int,
    seed: str,
    latency_ms: int,
    jitter_ms: int,
    visibility_delay_ms: int,
    error_rate: float,
    ambiguous_rate: float,
    throttle_rate: float,
    clock_skew_s: float,
    fault_seed: int,
    env_file: str | None,
    idle_timeout: float | None,
    max_lifetime: float | None,
) -> None:
    """Start the local GitHub emulator and print the environment that points gh at it.

    Prints `export NAME=VALUE` lines on stdout (eval them, or use --env-file), then
    serves on 127.0.0.1 until Ctrl-C or SIGTERM. Nothing leaves the machine.
    """
    import shutil
    import signal
    import tempfile
    import threading
    from pathlib import Path

    from maverick_ext.emulator import Emulator, Faults
    from maverick_ext.emulator.seeds import USER_TOKEN
    from maverick_ext.emulator.server import env_lines, serve_until_stopped
    from maverick_ext.errors import UsageError
    from maverick_ext.services.processes import parent_watch

    faults = Faults(
        latency_ms=latency_ms,
        jitter_ms=jitter_ms,
        visibility_delay_ms=visibility_delay_ms,
        error_rate=error_rate,
        ambiguous_rate=ambiguous_rate,
        throttle_rate=throttle_rate,
        clock_skew_s=clock_skew_s,
        seed=fault_seed,
    )
    emulator = Emulator(port=port, seed=seed, faults=faults).start()
    config_dir = tempfile.mkdtemp(prefix="maverick-sandbox-gh-")
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        # A person at a shell: the owner, a plain user (`gh api user` works).
        lines = env_lines(emulator.env(token=USER_TOKEN, config_dir=config_dir))
        echo(lines, nl=False)
        if env_file:
            target = Path(env_file)
            partial = target.with_name(target.name + ".tmp")
            try:
                partial.write_text(lines)
                # Atomic: a watcher never sources a half-written file.
                partial.replace(target)
            except OSError as exc:
                raise UsageError(
                    f"cannot write --env-file {env_file}: {exc.strerror}",
                    hint="choose a writable path",
                ) from None
        echo(f"sandbox listening on {emulator.url} (seed {seed}); Ctrl-C to stop", err=True)
        # gh forwards no SIGTERM: `gh maverick sandbox & ... kill $!` ends only gh.
        why = serve_until_stopped(emulator, stop, idle_timeout, max_lifetime, parent_watch())
        if why == "parent":
            echo("sandbox stopping: the process that started it ended", err=True)
        elif why != "signal":
            echo(f"sandbox stopping: {why} limit reached", err=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        emulator.stop()
        shutil.rmtree(config_dir, ignore_errors=True)
        if env_file:
            # A stale env file would point gh at a dead port.
            Path(env_file).unlink(missing_ok=True)
