"""The demo's script: several agents take the demo epic from DAG to summary.

Epic #1 has six stories: #2 config and #3 schema start it; #4 API needs both; #5 CLI needs
#2; #6 admin UI needs #4; #7 docs needs #5 and #6. The review of #4 fails, so #6 and #7
end up blocked for a human. Every claim, heartbeat and release is a real command run by a
separate process; the script checks the protocol's promises as it goes.
"""

from __future__ import annotations

import random

from maverick_ext.demo.world import Step, World

EPIC = "1"
MINUTE = 60.0


def winners(steps: list[Step]) -> list[Step]:
    return [step for step in steps if step.exit_code == 0]


def next_stories(world: World, agent: str) -> list[int]:
    step = world.run(agent, "epic", "next", EPIC, "--json")
    world.expect(step.exit_code == 0, f"epic next failed: {step.message}")
    return [story["number"] for story in step.json()["stories"]]


def merge(world: World, agent: str, story: int, branch: str) -> None:
    """The agent's PR passes review and is squash-merged (done on the emulator directly)."""
    store = world.emulator.store
    repo = store.repo("maverick-sandbox", "demo")
    viewer = store.identify(f"as:{agent}")
    pull = store.create_pull(repo, viewer, f"Story #{story}", branch, "main", f"Closes #{story}")
    store.merge_pull(pull, viewer, "squash")
    world.say(f"{agent} opened PR #{pull.issue.number} for #{story}: review PASS, squash-merged")
    world.run(agent, "state", "set", EPIC, str(story), "merged")
    released = world.run(agent, "release", str(story), "--reason", "merged", "--json")
    world.expect(released.exit_code == 0, f"release of #{story} failed: {released.message}")


def race_for(world: World, story: int, agents: list[str]) -> str:
    """All agents claim one story at the same moment: exactly one may come out holding it."""
    steps = world.together([(agent, ["claim", str(story), "--json"]) for agent in agents])
    won = winners(steps)
    world.expect(len(won) == 1, f"{len(won)} agents believe they hold #{story}")
    world.expect(
        all(step.exit_code in (11, 13) for step in steps if step not in won),
        "a losing claimer got an exit code other than 11 (held) or 13 (race lost)",
    )
    return won[0].agent


def run(world: World, agents: list[str], rng: random.Random) -> None:
    lead = agents[0]

    world.heading("Setup: labels, then the epic's DAG built from GitHub")
    world.run(lead, "init", show=True)
    world.run(lead, "dag", "build", EPIC, "--write", show=True)
    world.run(lead, "dag", "waves", EPIC, show=True)

    world.heading("Wave 1: every agent races for each story of the first wave")
    wave = next_stories(world, lead)
    holders: dict[int, str] = {}
    free = list(agents)
    for story in wave:
        if not free:
            break
        rng.shuffle(free)
        holders[story] = race_for(world, story, free)
        free.remove(holders[story])
    for story, agent in holders.items():
        world.run(agent, "heartbeat", str(story), "--json")

    first, second = wave[0], wave[1]
    survivor, dead = holders[first], holders[second]
    taker = free[0] if free else survivor
    world.heading(f"A crash: {dead} dies holding #{second} (no heartbeat, no release)")
    for _ in range(3):
        world.emulator.advance_clock(4 * MINUTE)
        world.say("GitHub's clock moves 4 minutes (the emulator lets the demo skip the wait)")
        world.run(survivor, "heartbeat", str(first), "--json")
    step = world.run(taker, "claim", str(second), "--json")
    world.expect(step.exit_code == 12, "a stale holder was not reported as stale (12)")
    step = world.run(taker, "takeover", str(second), "--json")
    world.expect(step.exit_code == 0, f"takeover failed: {step.message}")
    step = world.run(dead, "heartbeat", str(second), "--json")
    world.expect(step.exit_code == 13, "the superseded holder did not learn it lost the claim")
    world.say(f"{dead} comes back, learns it lost #{second}, stops and pushes nothing")
    holders[second] = taker

    world.heading("Wave 1 merges")
    for story, agent in holders.items():
        merge(world, agent, story, f"story/{story}")

    world.heading("Wave 2: stories in parallel; the review of one fails")
    wave = next_stories(world, lead)
    world.expect(4 in wave, f"wave 2 should offer #4, got {wave}")
    claims = world.together(
        [(agents[i % len(agents)], ["claim", str(story), "--json"]) for i, story in enumerate(wave)]
    )
    world.expect(all(step.exit_code == 0 for step in claims), "a free story could not be claimed")
    holders = {int(step.args[1]): step.agent for step in claims}
    ejected_by = holders[4]
    world.say(f"{ejected_by}: review of #4 FAILED; ejecting it for a human")
    world.run(ejected_by, "state", "set", EPIC, "4", "ejected")
    bprop = world.run(ejected_by, "bprop", "run", EPIC, "--ejected", "4")
    world.expect(bprop.exit_code == 0, f"block propagation failed: {bprop.message}")
    world.run(ejected_by, "release", "4", "--reason", "ejected", "--json")
    for story, agent in holders.items():
        if story != 4:
            merge(world, agent, story, f"story/{story}")

    world.heading("Nothing left to start: the rest waits behind the ejected story")
    world.expect(next_stories(world, lead) == [], "blocked stories were offered as next")
    step = world.run(agents[-1], "claim", "6", "--json")
    world.expect(step.exit_code == 10, "a blocked story could be claimed")

    world.heading("Summary")
    world.run(lead, "epic", "summary", EPIC, show=True)
    world.heading("Status")
    world.run(lead, "epic", "status", EPIC, show=True)
