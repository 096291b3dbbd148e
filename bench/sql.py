"""SQL answers under a burst: 50 members submit SQL answers at once while 50 others run /help.

Run: ``.venv/bin/python -m bench.sql [--members 50] [--postgres URL]``.

The real DrillBot runs in this process with its sandbox (worker processes running DuckDB); the
fake Discord and its members run in a child process, as in ``bench.latency``. The day's prompt is a
SQL question (the rotation is set to SQL; which one the bank picks is printed). Every member opens
the Answer modal first (not measured); then at one instant every member submits: even members the
question's reference query (must be told ✅), odd members its first pitfall (must be told ❌);
0.3 s later, while those queries run in the sandbox, as many other members run /help at once.
Measured by the fake: the time from each INTERACTION_CREATE to the request carrying the private
verdict (the follow-up after the deferral), and /help's reply then beside /help alone before it.
Targets: verdict p99 under 3 s; /help p99 during the burst within 1.5x of alone. The workers'
memory (RSS) is read from /proc after the burst.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.common import (
    START,
    CpuMeter,
    Endpoint,
    add_backend_arguments,
    bench_database,
    configure_schedule,
    discord_in_subprocess,
    machine_line,
    ms,
    percentile,
    quiet_logging,
    running_drillbot,
)
from bench.latency import REPLY_TIMEOUT, _NoValidation, content_latencies
from bot.clock import ManualClock
from bot.models import DailyPrompt, PromptSchedule
from discord_standin.actors import Actor
from discord_standin.server import FakeDiscord

VERDICT_P99 = 3.0
HELP_RATIO = 1.5
HELP_AFTER = 0.3  # seconds after the submits: they are acknowledged and their queries are running
QUERY = "Your query"
NOTES = "Notes (optional)"


# --- the Discord side (runs in the child process) ---------------------------------------------------


async def discord_setup(fake: FakeDiscord, state: dict[str, Any], *, members: int) -> dict[str, Any]:
    """Build the default world, ``members`` members who answer and as many who ask for /help."""
    world = fake.build_default_world()
    state["world"] = world
    state["answering"] = [
        fake.add_member(world.guild, f"sql{i:03d}", roles=[world.member_role]) for i in range(members)
    ]
    state["helping"] = [fake.add_member(world.guild, f"help{i:03d}", roles=[world.member_role]) for i in range(members)]
    return {"guild_id": world.guild.id, "prompts_id": world.prompts.id}


async def _helps(fake: FakeDiscord, helping: list[Actor]) -> list[float]:
    """Every /help member at once (each sends as soon as it is built); their content latencies."""
    replies = await asyncio.gather(*(m.slash("help", timeout=REPLY_TIMEOUT) for m in helping))
    assert all(r.embed is not None for r in replies), "every /help gets its embed"
    return content_latencies(fake, [r.interaction for r in replies])


async def op_help_alone(fake: FakeDiscord, state: dict[str, Any]) -> list[float]:
    """Every /help member at once, nothing else running (after one warm-up each)."""
    helping: list[Actor] = state["helping"]
    await _helps(fake, helping)
    return await _helps(fake, helping)


async def op_open(fake: FakeDiscord, state: dict[str, Any]) -> None:
    """Every answering member opens the Answer modal (kept for the burst)."""
    answering: list[Actor] = state["answering"]
    state["modals"] = list(await asyncio.gather(*(m.slash("drill answer", timeout=REPLY_TIMEOUT) for m in answering)))
    assert all(r.kind == "modal" for r in state["modals"]), "every member gets the SQL answer modal"


async def op_submit(fake: FakeDiscord, state: dict[str, Any], *, right: str, wrong: str) -> dict[str, Any]:
    """Submit every SQL answer at one instant; while the queries run, the others run /help. Check each verdict.

    The submits are held until all are built, then delivered back to back (as in ``bench.latency``);
    the /help burst goes out HELP_AFTER later, when every submit has been acknowledged and the
    queries are running in the sandbox: it measures what SQL checking costs other members.
    """
    answering: list[Actor] = state["answering"]
    helping: list[Actor] = state["helping"]
    registry = fake.interactions
    deliver = registry.deliver
    held: list[Any] = []
    built = asyncio.Event()

    async def gate(session: Any) -> None:
        if session.label.startswith("/help"):
            await deliver(session)
            return
        held.append(session)
        if len(held) == len(answering):
            built.set()
        await built.wait()
        await deliver(session)

    registry.deliver = gate  # type: ignore[method-assign]
    validator = fake.validator
    fake.validator = _NoValidation()  # type: ignore[assignment]
    try:
        submits = asyncio.gather(*(
            m.submit_modal(r, {QUERY: right if i % 2 == 0 else wrong, NOTES: ""}, timeout=REPLY_TIMEOUT)
            for i, (m, r) in enumerate(zip(answering, state["modals"], strict=True))
        ))  # fmt: skip
        await built.wait()
        await asyncio.sleep(HELP_AFTER)
        helps = await _helps(fake, helping)
        verdicts = await submits
    finally:
        registry.deliver = deliver  # type: ignore[method-assign]
        fake.validator = validator
    wrongly = [i for i, r in enumerate(verdicts) if ("✅" if i % 2 == 0 else "❌") not in r.text()]
    if wrongly:
        raise AssertionError(f"{len(wrongly)} verdicts were not as expected, e.g. {verdicts[wrongly[0]].text()!r}")
    return {"verdict": content_latencies(fake, [r.interaction for r in verdicts]), "help": helps}


OPS = {"help_alone": op_help_alone, "open": op_open, "submit": op_submit}


# --- the run --------------------------------------------------------------------------------------


def rss_mb(pid: int | None) -> float:
    """Return a process's resident memory in MB (0 when unknown)."""
    if pid is None:
        return 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def measure(members: int, postgres: str | None) -> dict[str, Any]:
    """Post a SQL prompt, then measure /help alone and the SQL burst; return the figures."""
    async with (
        bench_database(postgres) as target,
        discord_in_subprocess(discord_setup, OPS, setup_kwargs={"members": members}) as side,
    ):
        clock = ManualClock(START)
        async with running_drillbot(Endpoint(side.token, side.api_base), target, clock) as bot:
            guild_id = side.info["guild_id"]
            await configure_schedule(bot, guild_id=guild_id, channel_id=side.info["prompts_id"], now=clock.now())
            async with bot.db.write() as session:
                schedule = await session.get(PromptSchedule, guild_id)
                assert schedule is not None
                schedule.rotation = "mon=sql,tue=sql,wed=sql,thu=sql,fri=sql,sat=sql,sun=sql"
            cog: Any = bot.get_cog("DrillCog")
            claim = await cog.poster.post_now(guild_id)
            async with bot.db.read() as session:
                prompt = (await session.scalars(select(DailyPrompt).where(DailyPrompt.id == claim.prompt.id))).one()
            question = bot.bank.get(prompt.question_id)
            assert question is not None and question.reference and question.pitfalls
            alone = await side.call("help_alone")
            await side.call("open")
            await bot.sql.reference(question)  # the reference result, computed once (as the first answer would)
            with CpuMeter() as cpu:
                during = await side.call("submit", right=question.reference, wrong=question.pitfalls[0].query)
            workers = [rss_mb(w.pid) for w in bot.sql.sandbox._workers]
            await bot.outbox.close()
            return {"question": question.id, "pitfall": question.pitfalls[0].why, "alone": alone, "cpu": cpu.cpu,
                    "workers": workers, "label": target.label, **during}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sql", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50, help="members submitting SQL answers at once")
    add_backend_arguments(parser)
    args = parser.parse_args(argv)
    quiet_logging()
    print(machine_line())
    result = asyncio.run(measure(args.members, args.postgres))
    verdict, help_during, help_alone = result["verdict"], result["help"], result["alone"]
    print(f"SQL answers: {args.members} members submit at once while {args.members} others run /help; "
          f"database {result['label']}")  # fmt: skip
    print(f"  question {result['question']}: even members its reference query, odd members its first pitfall "
          f"({result['pitfall']})")  # fmt: skip
    print(f"  private verdict       p50 {ms(percentile(verdict, 50))}  p99 {ms(percentile(verdict, 99))}"
          f"  max {ms(max(verdict))}")  # fmt: skip
    print(f"  /help alone           p50 {ms(percentile(help_alone, 50))}  p99 {ms(percentile(help_alone, 99))}")
    print(f"  /help during the burst p50 {ms(percentile(help_during, 50))}  p99 {ms(percentile(help_during, 99))}")
    print(f"  bot CPU during the burst {result['cpu'] * 1000:.0f} ms; sandbox workers' RSS "
          + ", ".join(f"{mb:.0f} MB" for mb in result["workers"]))  # fmt: skip
    ratio = percentile(help_during, 99) / max(percentile(help_alone, 99), 1e-9)
    met_verdict = percentile(verdict, 99) < VERDICT_P99
    met_help = ratio <= HELP_RATIO
    print(f"  target verdict p99 < {VERDICT_P99:.0f} s: {'met' if met_verdict else 'MISSED'}; "
          f"/help p99 within {HELP_RATIO}x of alone ({ratio:.2f}x): {'met' if met_help else 'MISSED'}")  # fmt: skip
    return 0 if met_verdict and met_help else 1


if __name__ == "__main__":
    sys.exit(main())
