"""Pairing rounds meeting failures through the fake: refused or rate-limited threads, crashes, closed DMs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.db import Database
from bot.models import MockGroup, MockProfile
from bot.services.mock.rounds import NOT_ASKED
from discord_standin.running import stop_bot
from discord_standin.server import FakeDiscord
from tests.e2e.conftest import BotFactory
from tests.e2e.daily_support import at, custom_ids
from tests.e2e.mock_support import (
    bot_posts,
    crash_tick,
    everyone_joins,
    fill_active_threads,
    join,
    latest_groups,
    members,
    pair_threads,
    profile,
    rounds_of,
    rows,
    setup_pairing,
    tick,
)

THREAD_FAULTS = {
    "forbidden": ("fail", "403 (50013)"),
    "rate-limited": ("rate_limit", "429 (0)"),  # discord.py waits out 4 429s; the fifth is an error
}


async def test_a_restart_mid_round_sets_up_the_rest_once(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """Thread creation failing, then a restart: the new process creates each missing thread once, pairs kept."""
    world = fake_discord.default
    first_bot = await start_drillbot()
    await everyone_joins(fake_discord, 6)
    fake_discord.faults.fail("POST /channels/*/threads", status=403, code=50013, times=None)
    await tick(first_bot, clock, at(2026, 6, 3, 18))
    before = [(g.state, ids) for g, ids in await latest_groups(first_bot)]
    assert [state for state, _ids in before] == ["failed"] * 3 and pair_threads(fake_discord, world.mock) == []
    await stop_bot(first_bot)
    fake_discord.faults.clear()
    second_bot = await start_drillbot()
    await tick(second_bot, clock, at(2026, 6, 3, 18, 1))
    await tick(second_bot, clock, at(2026, 6, 3, 18, 2))
    after = await latest_groups(second_bot)
    assert [ids for _g, ids in after] == [ids for _s, ids in before] and len(await rounds_of(second_bot)) == 1
    assert [g.state for g, _ids in after] == ["threaded"] * 3
    assert len(pair_threads(fake_discord, world.mock)) == 3


@pytest.mark.parametrize("fault", THREAD_FAULTS, ids=list(THREAD_FAULTS))
async def test_a_failed_thread_does_not_lose_the_round_and_is_retried(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock, fault: str
) -> None:
    """One thread creation refused: the other groups are set up, stats report it, the next tick retries it."""
    world = fake_discord.default
    await everyone_joins(fake_discord, 6)
    kind, reported = THREAD_FAULTS[fault]
    if kind == "fail":
        fake_discord.faults.fail("POST /channels/*/threads", status=403, code=50013, times=1)
    else:
        fake_discord.faults.rate_limit("POST /channels/*/threads", times=5, retry_after=0.01)
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    groups = await latest_groups(drillbot)
    assert [g.state for g, _ids in groups] == ["failed", "threaded", "threaded"]
    assert groups[0][0].attempts == 1 and (groups[0][0].last_error or "").startswith(reported)
    assert (
        f"1 group(s) could not be set up (retried on the next ticks): {reported}"
        in (await world.dana.slash("mock stats")).text()
    )
    await tick(drillbot, clock, at(2026, 6, 3, 18, 1))
    groups = await latest_groups(drillbot)
    assert [g.state for g, _ids in groups] == ["threaded"] * 3
    threads = pair_threads(fake_discord, world.mock)
    assert sorted(t.id for t in threads) == sorted(g.thread_id for g, _ids in groups)
    for group, ids in groups:
        assert sorted(fake_discord.thread_members(group.thread_id or 0)) == sorted([fake_discord.world.bot.id, *ids])
        assert len(bot_posts(fake_discord, group.thread_id or 0, "mock:pack:")) == 1
    assert "could not be set up" not in (await world.dana.slash("mock stats")).text()
    assert await rows(drillbot, MockProfile, col(MockProfile.active).is_(False)) == []
    assert await rows(drillbot, MockGroup, col(MockGroup.state) == "dissolved") == []


@pytest.mark.parametrize("crash_at", ["thread", "intro"])
async def test_a_crash_around_thread_creation_reuses_the_thread_on_restart(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock, database: Database, crash_at: str
) -> None:
    """Killed once Discord made the thread (before its id was saved, or before the group was marked set up):
    the restart finds the thread by its name and reuses it; one thread, one intro."""
    world = fake_discord.default
    first_bot = await start_drillbot()
    await everyone_joins(fake_discord, 2)
    glob = f"POST /channels/{world.mock.id}/threads" if crash_at == "thread" else "POST /channels/*/messages"
    fake_discord.faults.slow(glob, 0.3, times=1)  # time for the test to lock the database
    await crash_tick(first_bot, clock, at(2026, 6, 3, 18), fake_discord, glob, database)
    await stop_bot(first_bot)
    [(group, ids)] = await latest_groups(first_bot)
    [thread] = pair_threads(fake_discord, world.mock)
    assert group.state == "creating" and f"#{group.id}" in thread.name
    assert group.thread_id == (None if crash_at == "thread" else thread.id)
    second_bot = await start_drillbot()
    await tick(second_bot, clock, at(2026, 6, 3, 18, 1))
    await tick(second_bot, clock, at(2026, 6, 3, 18, 2))
    [(group, _ids)] = await latest_groups(second_bot)
    assert group.state == "threaded" and group.thread_id == thread.id
    assert pair_threads(fake_discord, world.mock) == [thread]
    assert len(fake_discord.records.requests_to(f"POST /channels/{world.mock.id}/threads")) == 1
    assert sorted(fake_discord.thread_members(thread)) == sorted([fake_discord.world.bot.id, *ids])
    assert len(bot_posts(fake_discord, thread, "mock:pack:")) == 1


async def test_a_crash_before_archiving_finishes_the_round_once_on_restart(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """Killed after next week's round was stored but before last week's thread was archived: the restart
    archives it first, then opens the new thread and tells the unpaired member, each once."""
    world = fake_discord.default
    first_bot = await start_drillbot()
    await setup_pairing(fake_discord)
    alice, bob, carol = members(fake_discord, 3)
    for actor in (alice, bob, carol):
        await join(actor)
    for other in (alice, bob):
        await carol.slash("mock avoid", member=other)
    await tick(first_bot, clock, at(2026, 6, 3, 18))
    [old] = pair_threads(fake_discord, world.mock)
    assert len(fake_discord.dms(carol)) == 1
    archive = f"PATCH /channels/{old.id}"
    fake_discord.faults.fail(archive, status=500, times=None)
    await crash_tick(first_bot, clock, at(2026, 6, 10, 18), fake_discord, archive)
    await stop_bot(first_bot)
    fake_discord.faults.clear()
    stored = await rounds_of(first_bot)
    assert [r.state for r in stored] == ["done", "matched"] and not old.archived
    assert pair_threads(fake_discord, world.mock) == [old] and len(fake_discord.dms(carol)) == 1
    mark = len(fake_discord.records.requests)
    second_bot = await start_drillbot()
    await tick(second_bot, clock, at(2026, 6, 10, 18, 1))
    await tick(second_bot, clock, at(2026, 6, 10, 18, 2))
    after = fake_discord.records.requests[mark:]
    archived = [i for i, r in enumerate(after) if r.method == "PATCH" and r.path == f"/channels/{old.id}"]
    opened = [i for i, r in enumerate(after) if r.method == "POST" and r.path == f"/channels/{world.mock.id}/threads"]
    assert len(archived) == 1 and len(opened) == 1 and archived[0] < opened[0]
    [_old, new] = pair_threads(fake_discord, world.mock)
    assert old.archived and not new.archived
    assert [r.state for r in await rounds_of(second_bot)] == ["done", "open"]
    [(group, ids)] = await latest_groups(second_bot)
    assert group.thread_id == new.id and sorted(ids) == sorted([alice.id, bob.id])
    told = [m for m in fake_discord.dms(carol) if "could not be paired" in m.content]
    assert len(told) == 2


async def test_a_group_whose_thread_fails_every_time_meets_by_dm(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Five refused attempts, one per tick: the pair is then introduced by DM, and /mock stats says why."""
    world = fake_discord.default
    people = await everyone_joins(fake_discord, 2)
    fake_discord.faults.fail("POST /channels/*/threads", status=403, code=50013, times=None)
    for minute in range(4):
        await tick(drillbot, clock, at(2026, 6, 3, 18, minute))
    [(group, _ids)] = await latest_groups(drillbot)
    assert (group.state, group.attempts) == ("failed", 4) and all(fake_discord.dms(a) == [] for a in people)
    await tick(drillbot, clock, at(2026, 6, 3, 18, 4))
    await tick(drillbot, clock, at(2026, 6, 3, 18, 5))
    [(group, ids)] = await latest_groups(drillbot)
    assert group.state == "dm" and len(fake_discord.records.requests_to("POST /channels/*/threads")) == 5
    for actor in people:
        [dm_intro] = [m for m in fake_discord.dms(actor) if any(i.startswith("mock:pack:") for i in custom_ids(m))]
        reply = await actor.press(dm_intro, "Show my question pack")
        partner = ids[(ids.index(actor.id) + 1) % 2]
        assert reply.ephemeral and reply.embeds and f"interviewing <@{partner}>" in reply.content
    text = (await world.dana.slash("mock stats")).text()
    assert "1 group(s) introduced by DM, their thread failed every time: 403 (50013)" in text
    assert "could not be set up" not in text and "thread limit" not in text


async def test_a_member_the_followup_cannot_reach_is_not_counted_as_silent(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """No room for threads and Alice's DMs closed: only Bob is asked; three silent rounds pause Bob, not Alice."""
    fill_active_threads(fake_discord, 1000)
    alice, bob = await everyone_joins(fake_discord, 2)
    alice.user.dms_closed = True
    for week in range(3):
        await tick(drillbot, clock, at(2026, 6, 3, 18) + dt.timedelta(weeks=week))
        await tick(drillbot, clock, at(2026, 6, 9, 18) + dt.timedelta(weeks=week))
        [(group, _ids)] = await latest_groups(drillbot)
        assert group.state == "dm" and group.followup_message_id not in (None, NOT_ASKED)
    asks = [m for m in fake_discord.dms(bob) if any(i.startswith("mock:outcome:") for i in custom_ids(m))]
    assert len(asks) == 3 and fake_discord.dms(alice) == []
    await tick(drillbot, clock, at(2026, 6, 24, 18))
    kept, paused = await profile(drillbot, alice), await profile(drillbot, bob)
    assert kept is not None and kept.active and kept.missed_followups == 0
    assert paused is not None and not paused.active and paused.inactive_reason == "no-response"
    assert "/mock join" in fake_discord.dms(bob)[-1].content
