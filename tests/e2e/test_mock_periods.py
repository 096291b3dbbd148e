"""One pairing round per period: /mock pair-now runs this week's round, and the scheduled one then stands down."""

from __future__ import annotations

import datetime as dt

from bot.client import DrillBot
from bot.clock import ManualClock
from discord_standin.actors import Actor
from discord_standin.server import FakeDiscord
from discord_standin.world import Message
from tests.e2e.daily_support import at, timestamp
from tests.e2e.mock_support import (
    config_row,
    everyone_joins,
    join,
    latest_groups,
    members,
    pair_threads,
    rounds_of,
    setup_pairing,
    tick,
)

EPHEMERAL = 64


async def pair_now(fake: FakeDiscord, clock: ManualClock, when: dt.datetime) -> Message:
    """Move the clock to ``when`` and run /mock pair-now as the admin; return its answer."""
    clock.set(when)
    reply = await fake.default.dana.slash("mock pair-now")
    answer = reply.followups[-1]
    assert answer.flags & EPHEMERAL, answer.content
    return answer


async def next_round_at(bot: DrillBot, fake: FakeDiscord) -> dt.datetime | None:
    """Return the stored time of the server's next scheduled round."""
    row = await config_row(bot, fake.default.guild.id)
    assert row is not None
    return row["next_round_at"]


def placed_once(fake: FakeDiscord, people: list[Actor]) -> bool:
    """Say whether every member is in exactly one pair thread and named in exactly one intro."""
    threads = pair_threads(fake, fake.default.mock)
    return all(
        sum(a.id in fake.thread_members(t) for t in threads) == 1
        and sum(1 for t in threads for m in fake.messages(t) if a.mention in m.content) == 1
        for a in people
    )


async def test_pair_now_runs_this_weeks_round_and_the_scheduled_one_stands_down(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Pair-now on Monday is the week's round: no heads-up, no Wednesday round, a clear reply to a second click."""
    world = fake_discord.default
    people = await everyone_joins(fake_discord, 4)  # Wednesdays 18:00 UTC, heads-up 24 h ahead
    ran = await pair_now(fake_discord, clock, at(2026, 6, 1, 9))
    assert ran.content.startswith("Paired 2 group(s)")
    assert await next_round_at(drillbot, fake_discord) == at(2026, 6, 10, 18)
    for when in (at(2026, 6, 2, 18), at(2026, 6, 3, 9), at(2026, 6, 3, 18), at(2026, 6, 3, 18, 1)):
        await tick(drillbot, clock, when)
    assert fake_discord.messages(world.mock) == []  # no heads-up for a round that will not run
    [round_row] = await rounds_of(drillbot)
    threads = pair_threads(fake_discord, world.mock)
    assert round_row.period_key == "2026-W23" and len(threads) == 2 and not any(t.archived for t in threads)
    assert placed_once(fake_discord, people)
    again = await pair_now(fake_discord, clock, at(2026, 6, 4, 12))
    assert again.content.startswith("This week's round already ran (2 group(s))"), again.content
    assert f"the next round is on {timestamp(at(2026, 6, 10, 18))}" in again.content
    assert len(await rounds_of(drillbot)) == 1 and pair_threads(fake_discord, world.mock) == threads
    assert placed_once(fake_discord, people)
    await tick(drillbot, clock, at(2026, 6, 9, 18))
    [heads_up] = fake_discord.messages(world.mock)
    assert f"<t:{int(at(2026, 6, 10, 18).timestamp())}:R>" in heads_up.content
    await tick(drillbot, clock, at(2026, 6, 10, 18))
    assert [r.period_key for r in await rounds_of(drillbot)] == ["2026-W23", "2026-W24"]
    assert all(t.archived for t in threads) and len(pair_threads(fake_discord, world.mock, archived=False)) == 2


async def test_pair_now_in_the_next_week_makes_a_new_round(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """After last week's scheduled round, pair-now on Monday runs this week's round; Wednesday's does nothing."""
    world = fake_discord.default
    alice, bob = await everyone_joins(fake_discord, 2)
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    [old] = pair_threads(fake_discord, world.mock)
    ran = await pair_now(fake_discord, clock, at(2026, 6, 8, 9))
    assert ran.content.startswith("Paired 1 group(s)") and "1 repeat pair(s)" in ran.content
    assert [r.period_key for r in await rounds_of(drillbot)] == ["2026-W23", "2026-W24"]
    assert await next_round_at(drillbot, fake_discord) == at(2026, 6, 17, 18)
    await tick(drillbot, clock, at(2026, 6, 10, 18))
    assert len(await rounds_of(drillbot)) == 2
    [still_old, new] = pair_threads(fake_discord, world.mock)
    assert still_old.id == old.id and old.archived and not new.archived
    assert sorted(fake_discord.thread_members(new)) == sorted([fake_discord.world.bot.id, alice.id, bob.id])


async def test_a_biweekly_pair_now_covers_its_two_weeks(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Biweekly: pair-now is the round of its two-week period; the next round is in the period after."""
    world = fake_discord.default
    await setup_pairing(fake_discord, cadence="biweekly")
    for actor in members(fake_discord, 2):
        await join(actor)
    assert (await pair_now(fake_discord, clock, at(2026, 6, 1, 9))).content.startswith("Paired 1 group(s)")
    assert await next_round_at(drillbot, fake_discord) == at(2026, 6, 17, 18)
    for when in (at(2026, 6, 2, 18), at(2026, 6, 3, 18), at(2026, 6, 9, 18), at(2026, 6, 10, 18)):
        await tick(drillbot, clock, when)
    again = await pair_now(fake_discord, clock, at(2026, 6, 11, 9))
    assert again.content.startswith("This two-week period's round already ran (1 group(s))"), again.content
    assert timestamp(at(2026, 6, 17, 18)) in again.content
    assert [r.period_key for r in await rounds_of(drillbot)] == ["2026-W23+2"]
    assert fake_discord.messages(world.mock) == []
    await tick(drillbot, clock, at(2026, 6, 16, 18))
    await tick(drillbot, clock, at(2026, 6, 17, 18))
    assert [r.period_key for r in await rounds_of(drillbot)] == ["2026-W23+2", "2026-W25+2"]
    assert len(fake_discord.messages(world.mock)) == 1 and len(await latest_groups(drillbot)) == 1


async def test_a_round_run_late_past_midnight_keeps_its_scheduled_week(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Sunday 23:59's round, run a few minutes late on Monday, is still last week's: next Sunday's runs too."""
    await setup_pairing(fake_discord, weekday=6, time="23:59", timezone="Europe/Helsinki")
    for actor in members(fake_discord, 2):
        await join(actor)
    await tick(drillbot, clock, at(2026, 6, 8, 0, 3, "Europe/Helsinki"))
    await tick(drillbot, clock, at(2026, 6, 14, 23, 59, "Europe/Helsinki"))
    assert [r.period_key for r in await rounds_of(drillbot)] == ["2026-W23", "2026-W24"]
    assert await next_round_at(drillbot, fake_discord) == at(2026, 6, 21, 23, 59, "Europe/Helsinki")
