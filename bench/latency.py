"""Interaction latency: N members submit the /drill answer modal at once, beside a bare command.

Run: ``.venv/bin/python -m bench.latency [--members 200] [--postgres URL]``.

The real DrillBot runs in this process; the fake Discord and its member actors run in a child
process, as Discord runs on other machines. Latency is measured by the fake: from the moment it
sends an INTERACTION_CREATE frame to the moment the bot's first callback POST reaches it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from sqlalchemy import func, select

from bench.common import (
    START,
    CpuMeter,
    DiscordSide,
    Endpoint,
    add_backend_arguments,
    bench_database,
    callback_latencies,
    configure_schedule,
    discord_in_subprocess,
    machine_line,
    ms,
    percentile,
    quiet_logging,
    running_drillbot,
)
from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import Answer
from tests.fake_discord.actors import Actor
from tests.fake_discord.interactions import InteractionSession
from tests.fake_discord.replies import Reply
from tests.fake_discord.server import FakeDiscord

P99_TARGET = 0.250
RATIO_TARGET = 1.5
REPLY_TIMEOUT = 60.0
VALIDATE_BURSTS = False
ANSWER = "I would start from the metric the team owns, state my assumptions, then size it bottom-up."


# --- the bot side ---------------------------------------------------------------------------------


@app_commands.command(name="ping", description="Benchmark only: answer at once, no database work")
async def ping(interaction: discord.Interaction[Any]) -> None:
    await interaction.response.send_message("pong", ephemeral=True)


def add_ping(bot: DrillBot) -> None:
    """Register the bare command on the bot's own tree (synced with the rest at start-up)."""
    bot.tree.add_command(ping)


# --- the Discord side (runs in the child process) ---------------------------------------------------


async def discord_setup(fake: FakeDiscord, state: dict[str, Any], *, members: int) -> dict[str, Any]:
    """Build the default world plus ``members`` members (before the bot connects)."""
    world = fake.build_default_world()
    state["world"] = world
    state["members"] = [
        fake.add_member(world.guild, f"member{i:03d}", roles=[world.member_role]) for i in range(members)
    ]
    return {"guild_id": world.guild.id, "prompts_id": world.prompts.id}


class _NoValidation:
    """Stands in for the fake's body validator during a measured burst (see ``_burst``)."""

    def validate(self, method: str, path: str, body: Any) -> list[str]:
        return []


async def _burst(fake: FakeDiscord, calls: Sequence[Awaitable[Reply]]) -> tuple[list[float], float, float, list[Reply]]:
    """Run actor calls so that their interactions go out back to back, as if all clicked at one instant.

    Two things about driving 200 actors at once would otherwise be measured as bot latency: each
    actor builds its interaction (permissions, payload) right before its frame goes out, so the
    fake would still be building the last ones while the first callbacks queue behind it; and
    each actor waits for its reply on the fake's change signal, so every change wakes all 200
    waiters. So ``deliver`` is held until every interaction is built, and after sending, each
    actor waits on one watcher of "all answered" (then reads its reply as usual).

    The fake also checks every body against Discord's OpenAPI spec (about 1 ms each with
    jsonschema); in its single event loop that delays when later callbacks are even read. The
    warm-up sends every body shape once with validation on; the measured bursts run without it
    (``VALIDATE_BURSTS``).
    """
    registry = fake.interactions
    deliver = registry.deliver
    sessions: list[InteractionSession] = []
    built, answered = asyncio.Event(), asyncio.Event()

    async def held_deliver(session: InteractionSession) -> None:
        sessions.append(session)
        if len(sessions) == len(calls):
            built.set()
        await built.wait()
        await deliver(session)
        await answered.wait()

    def all_answered() -> bool:  # acknowledged, and a deferred reply filled in
        return len(sessions) == len(calls) and all((s.acknowledged and not s.loading) or s.rejections for s in sessions)

    async def watch() -> None:
        await built.wait()
        try:
            await fake.wait_for(all_answered, timeout=REPLY_TIMEOUT, what="every interaction answered")
        finally:
            answered.set()

    registry.deliver = held_deliver  # type: ignore[method-assign]
    validator = fake.validator
    if not VALIDATE_BURSTS:
        fake.validator = _NoValidation()  # type: ignore[assignment]
    try:
        cpu = time.process_time()
        watcher = asyncio.ensure_future(watch())
        replies = list(await asyncio.gather(*calls))
        await watcher
        cpu = time.process_time() - cpu
    finally:
        registry.deliver = deliver  # type: ignore[method-assign]
        fake.validator = validator
    latencies = callback_latencies(fake, [r.interaction for r in replies])
    first = min(r.interaction.created_at for r in replies)
    span = max(r.interaction.created_at + lat for r, lat in zip(replies, latencies, strict=True)) - first
    return latencies, span, cpu, replies


async def op_warm_up(fake: FakeDiscord, state: dict[str, Any]) -> None:
    """Run every path once, then a ping from every member (the bot's HTTP pool holds N connections after)."""
    alice: Actor = state["world"].alice
    await alice.slash("ping")
    modal = await alice.slash("drill answer")
    done = await alice.submit_modal(modal, {"Answer": ANSWER})
    assert "Answer saved" in done.content, done.content
    members: list[Actor] = state["members"]
    await asyncio.gather(*(m.slash("ping", timeout=REPLY_TIMEOUT) for m in members))


async def op_ping(fake: FakeDiscord, state: dict[str, Any]) -> tuple[list[float], float, float]:
    """Every member runs /ping at once."""
    members: list[Actor] = state["members"]
    latencies, span, cpu, _ = await _burst(fake, [m.slash("ping", timeout=REPLY_TIMEOUT) for m in members])
    return latencies, span, cpu


async def op_open(fake: FakeDiscord, state: dict[str, Any]) -> tuple[list[float], float, float]:
    """Every member runs /drill answer at once; the modals are kept for ``op_submit``."""
    members: list[Actor] = state["members"]
    latencies, span, cpu, replies = await _burst(
        fake, [m.slash("drill answer", timeout=REPLY_TIMEOUT) for m in members]
    )
    bad = [r for r in replies if r.kind != "modal"]
    if bad:
        raise AssertionError(f"{len(bad)} members got no modal, e.g. a {bad[0].kind}: {bad[0].content!r}")
    state["modals"] = replies
    return latencies, span, cpu


async def op_submit(fake: FakeDiscord, state: dict[str, Any]) -> tuple[list[float], float, float]:
    """Every member submits their answer modal at once; each must be told it was saved."""
    members: list[Actor] = state["members"]
    calls = [
        m.submit_modal(r, {"Answer": f"{ANSWER} ({m.user.username})"}, timeout=REPLY_TIMEOUT)
        for m, r in zip(members, state["modals"], strict=True)
    ]
    latencies, span, cpu, replies = await _burst(fake, calls)
    refused = [r for r in replies if not (r.ephemeral and "Answer saved" in r.content)]
    if refused:
        raise AssertionError(f"{len(refused)} submits were not stored, e.g. {refused[0].content!r}")
    return latencies, span, cpu


OPS = {"warm_up": op_warm_up, "ping": op_ping, "open": op_open, "submit": op_submit}


# --- the run --------------------------------------------------------------------------------------

BURSTS = (  # in this order: the bare burst runs right before the submits it is compared with
    ("open", "/drill answer (opens the modal)"),
    ("ping", "bare /ping (no database)"),
    ("submit", "/drill answer modal submit"),
)


@dataclass
class Burst:
    """One burst of concurrent interactions: the fake's measured latencies, its span, CPU used."""

    name: str
    latencies: list[float]
    span: float
    discord_cpu: float
    bot_cpu: float

    def p(self, q: float) -> float:
        return percentile(self.latencies, q)

    def line(self) -> str:
        return (
            f"  {self.name:<32} n={len(self.latencies):<4} p50 {ms(self.p(50))}  p99 {ms(self.p(99))}"
            f"  max {ms(max(self.latencies))} | span {self.span:4.2f} s, CPU bot {self.bot_cpu:4.2f} s,"
            f" fake {self.discord_cpu:4.2f} s"
        )


async def _measure_burst(side: DiscordSide, op: str, name: str) -> Burst:
    with CpuMeter() as cpu:
        latencies, span, discord_cpu = await side.call(op)
    return Burst(name, latencies, span, discord_cpu, cpu.cpu)


async def measure(members: int, postgres: str | None) -> tuple[dict[str, Burst], str]:
    """Set up the guild, post the prompt, run the bursts; return them by op, and the database label."""
    async with (
        bench_database(postgres) as target,
        discord_in_subprocess(discord_setup, OPS, setup_kwargs={"members": members}) as side,
    ):
        clock = ManualClock(START)
        async with running_drillbot(Endpoint(side.token, side.api_base), target, clock, configure=add_ping) as bot:
            guild_id, prompts_id = side.info["guild_id"], side.info["prompts_id"]
            await configure_schedule(bot, guild_id=guild_id, channel_id=prompts_id, now=clock.now())
            cog: Any = bot.get_cog("DrillCog")
            claim, error = await cog.poster.post_now(guild_id)
            if claim is None:
                raise SystemExit(f"the prompt was not posted: {error}")
            await side.call("warm_up")
            await bot.outbox.wait_idle()
            bursts = {op: await _measure_burst(side, op, name) for op, name in BURSTS}
            async with bot.db.read() as session:
                stored = await session.scalar(select(func.count()).select_from(Answer))
            if stored != members + 1:  # + the warm-up answer
                raise SystemExit(f"expected {members + 1} stored answers, found {stored}")
            # Posting 200 answers in the thread (5 messages per 5 s) takes ~20 s more; not measured.
            await bot.outbox.close()
            return bursts, target.label


def report(runs: list[dict[str, Burst]], label: str, members: int) -> bool:
    """Print every run's figures and the verdict (on the run with the median submit p99)."""
    print(f"interaction latency: {members} members at once; database {label}")
    print("  INTERACTION_CREATE frame sent -> bot's first callback POST received, measured by the fake Discord")
    print("  (fake Discord and its members in a child process; the bot alone in this process)")
    for index, bursts in enumerate(runs, 1):
        if len(runs) > 1:
            print(f" run {index}:")
        for op, _ in BURSTS:
            print(bursts[op].line())
        bare, submit = bursts["ping"], bursts["submit"]
        print(f"  ratio submit / bare: p50 {submit.p(50) / bare.p(50):.2f}x, p99 {submit.p(99) / bare.p(99):.2f}x")
    ordered = sorted(runs, key=lambda b: b["submit"].p(99))
    median = ordered[(len(ordered) - 1) // 2]
    p99, ratio = median["submit"].p(99), median["submit"].p(99) / median["ping"].p(99)
    p99_ok, ratio_ok = p99 < P99_TARGET, ratio <= RATIO_TARGET
    which = " (median run)" if len(runs) > 1 else ""
    verdict = {True: "met", False: "MISSED"}
    print(f"  target submit p99 < {P99_TARGET * 1000:.0f} ms{which}: {verdict[p99_ok]} ({ms(p99).strip()})")
    print(f"  target submit p99 within {RATIO_TARGET}x of bare{which}: {verdict[ratio_ok]} ({ratio:.2f}x)")
    return p99_ok and ratio_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200, help="members answering at once (default 200)")
    parser.add_argument("--repeat", type=int, default=1, help="independent runs (fresh database, fake and bot)")
    add_backend_arguments(parser)
    args = parser.parse_args(argv)
    quiet_logging()
    print(machine_line())
    runs: list[dict[str, Burst]] = []
    label = ""
    for _ in range(args.repeat):
        bursts, label = asyncio.run(measure(args.members, args.postgres))
        runs.append(bursts)
    return 0 if report(runs, label, args.members) else 1


if __name__ == "__main__":
    sys.exit(main())
