"""The scheduled daily post through the fake Discord: exactly once per local day, DST, downtime, failures."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.services.daily import prompts as prompt_svc
from bot.services.questions.schema import CATEGORIES
from discord_standin.access import P
from discord_standin.server import FakeDiscord
from discord_standin.world import PUBLIC_THREAD, Overwrite
from tests.e2e.conftest import BotFactory
from tests.e2e.daily_support import (
    at,
    configure,
    custom_ids,
    daily_posts,
    drill,
    prompts_of,
    schedule_row,
    thread_of,
    tick_at,
    timestamp,
)

MON = dt.date(2026, 6, 1)


async def setup_daily(fake: FakeDiscord, **values: object) -> None:
    """Configure the default guild: #prompts at 09:00 UTC on weekdays, unless told otherwise."""
    world = fake.default
    options = {"time": "09:00", "timezone": "UTC", "days": "mon-fri", **values}
    reply = await configure(world.dana, world.prompts, **options)
    assert "Nothing was changed" not in reply.content, reply.content


async def test_the_post_has_embed_button_ping_and_thread(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """At the local time one embed with an Answer button goes out, pinging only the role, with a thread."""
    world = fake_discord.default
    await setup_daily(fake_discord, ping_role=world.member_role, archive=60)
    assert await tick_at(drillbot, clock, at(2026, 6, 1, 8, 59)) == 0
    assert fake_discord.messages(world.prompts) == []
    assert await tick_at(drillbot, clock, at(2026, 6, 1, 9, 0)) == 1
    [post] = fake_discord.messages(world.prompts)
    [prompt] = await prompts_of(drillbot, world.guild.id)
    assert post.author.id == fake_discord.world.bot.id and len(post.embeds) == 1
    assert post.content == f"<@&{world.member_role.id}>"
    assert post.allowed_mentions == {"parse": [], "roles": [world.member_role.id]}
    assert custom_ids(post) == [f"drill:answer:{prompt.id}"]
    assert post.nonce == prompt_svc.prompt_nonce(world.guild.id, MON)
    assert CATEGORIES[0] in post.embeds[0]["title"] and prompt.question_id in post.embeds[0]["footer"]["text"]
    thread = thread_of(fake_discord, post)
    assert thread.type == PUBLIC_THREAD and thread.parent_id == world.prompts.id
    assert thread.auto_archive_duration == 60
    assert (prompt.state, prompt.message_id, prompt.thread_id) == ("threaded", post.id, thread.id)
    assert prompt.local_date == MON and prompt.category == CATEGORIES[0]


async def test_without_a_ping_role_nobody_is_mentioned(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """With no ping role the post has no content and allows no mentions."""
    await setup_daily(fake_discord)
    await tick_at(drillbot, clock, at(2026, 6, 1, 9, 0))
    [post] = daily_posts(fake_discord, fake_discord.default.prompts)
    assert post.content == "" and post.allowed_mentions == {"parse": []}
    assert thread_of(fake_discord, post).auto_archive_duration == 1440


async def test_re_ticks_the_same_day_post_nothing_more(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A second tick, and ticks later the same local day, post nothing more."""
    await setup_daily(fake_discord)
    assert await tick_at(drillbot, clock, at(2026, 6, 1, 9, 0)) == 1
    for hour, minute in ((9, 0), (9, 1), (15, 30), (23, 59)):
        assert await tick_at(drillbot, clock, at(2026, 6, 1, hour, minute)) == 0
    assert len(daily_posts(fake_discord, fake_discord.default.prompts)) == 1
    assert len(await prompts_of(drillbot, fake_discord.guild.id)) == 1


async def test_each_prompt_day_takes_the_next_category(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Round-robin: each prompt day posts the next category, each with its own thread and question."""
    await setup_daily(fake_discord)
    for offset in range(4):
        assert await tick_at(drillbot, clock, at(2026, 6, 1 + offset, 9, 0)) == 1
    prompts = await prompts_of(drillbot, fake_discord.guild.id)
    assert [p.category for p in prompts] == list(CATEGORIES[:4])
    assert [p.local_date for p in prompts] == [MON + dt.timedelta(days=n) for n in range(4)]
    assert len({p.question_id for p in prompts}) == 4 and len({p.thread_id for p in prompts}) == 4


async def test_a_weekday_rotation_picks_that_days_category(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """rotation mon=sql,tue=case posts sql on Monday and case on Tuesday."""
    await setup_daily(fake_discord, rotation="mon=sql,tue=case")
    await tick_at(drillbot, clock, at(2026, 6, 1, 9, 0))
    await tick_at(drillbot, clock, at(2026, 6, 2, 9, 0))
    assert [p.category for p in await prompts_of(drillbot, fake_discord.guild.id)] == ["sql", "case"]


async def test_other_days_and_paused_days_post_nothing(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """With days mon,wed,fri and a pause until Friday, only Friday and later prompt days post."""
    await setup_daily(fake_discord, days="mon,wed,fri", pause_until="2026-06-05")
    row = await schedule_row(drillbot, fake_discord.guild.id)
    assert row is not None and row["next_post_at"] == at(2026, 6, 5, 9, 0)
    posted = {}
    for day in range(1, 9):  # Mon 1 June .. Mon 8 June
        posted[day] = await tick_at(drillbot, clock, at(2026, 6, day, 9, 0))
        posted[day] += await tick_at(drillbot, clock, at(2026, 6, day, 21, 0))
    assert posted == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1, 6: 0, 7: 0, 8: 1}
    dates = [p.local_date for p in await prompts_of(drillbot, fake_discord.guild.id)]
    assert dates == [dt.date(2026, 6, 5), dt.date(2026, 6, 8)]


SPRING = [  # (zone, local date, time inside the gap, end of the gap in UTC)
    ("America/New_York", dt.date(2026, 3, 8), "02:30", at(2026, 3, 8, 7, 0)),
    ("Europe/Helsinki", dt.date(2026, 3, 29), "03:30", at(2026, 3, 29, 1, 0)),
    ("Australia/Lord_Howe", dt.date(2026, 10, 4), "02:15", at(2026, 10, 3, 15, 30)),
]
FALL = [  # (zone, local date, ambiguous time, first occurrence in UTC, second occurrence in UTC)
    ("America/New_York", dt.date(2026, 11, 1), "01:30", at(2026, 11, 1, 5, 30), at(2026, 11, 1, 6, 30)),
    ("Europe/Helsinki", dt.date(2026, 10, 25), "03:30", at(2026, 10, 25, 0, 30), at(2026, 10, 25, 1, 30)),
    ("Australia/Lord_Howe", dt.date(2026, 4, 5), "01:45", at(2026, 4, 4, 14, 45), at(2026, 4, 4, 15, 15)),
]


@pytest.mark.parametrize(("zone", "day", "time", "gap_end"), SPRING, ids=[z for z, *_ in SPRING])
async def test_spring_forward_posts_at_the_end_of_the_gap(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock, zone: str, day: dt.date, time: str,
    gap_end: dt.datetime,
) -> None:  # fmt: skip
    """A post time that does not exist that day is posted once, at the first valid instant after it."""
    clock.set(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(12, 0), tzinfo=dt.UTC))
    reply = await configure(fake_discord.default.dana, fake_discord.default.prompts, time=time, timezone=zone,
                            days="daily")  # fmt: skip
    assert timestamp(gap_end) in reply.content
    assert await tick_at(drillbot, clock, gap_end - dt.timedelta(minutes=1)) == 0
    assert await tick_at(drillbot, clock, gap_end) == 1
    assert await tick_at(drillbot, clock, gap_end + dt.timedelta(hours=2)) == 0
    [prompt] = await prompts_of(drillbot, fake_discord.guild.id)
    assert prompt.local_date == day and prompt.due_at == gap_end and prompt.posted_at == gap_end


@pytest.mark.parametrize(("zone", "day", "time", "first", "second"), FALL, ids=[z for z, *_ in FALL])
async def test_fall_back_posts_once_at_the_first_occurrence(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock, zone: str, day: dt.date, time: str,
    first: dt.datetime, second: dt.datetime,
) -> None:  # fmt: skip
    """An ambiguous post time is posted at its first occurrence and not again at the second."""
    clock.set(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(12, 0), tzinfo=dt.UTC))
    reply = await configure(fake_discord.default.dana, fake_discord.default.prompts, time=time, timezone=zone,
                            days="daily")  # fmt: skip
    assert timestamp(first) in reply.content
    assert await tick_at(drillbot, clock, first - dt.timedelta(minutes=1)) == 0
    assert await tick_at(drillbot, clock, first) == 1
    assert await tick_at(drillbot, clock, second) == 0
    assert await tick_at(drillbot, clock, second + dt.timedelta(minutes=1)) == 0
    [prompt] = await prompts_of(drillbot, fake_discord.guild.id)
    assert prompt.local_date == day and prompt.posted_at == first
    assert len(daily_posts(fake_discord, fake_discord.default.prompts)) == 1
    next_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.fromisoformat(time), tzinfo=ZoneInfo(zone))
    assert await tick_at(drillbot, clock, next_day - dt.timedelta(minutes=1)) == 0
    assert await tick_at(drillbot, clock, next_day) == 1


async def test_a_restart_after_the_post_time_posts_late_once(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """Down at 09:00, started again at 11:30 the same day: the prompt is posted late, once."""
    first = await start_drillbot()
    await setup_daily(fake_discord)
    await first.close()
    clock.set(at(2026, 6, 1, 11, 30))
    second = await start_drillbot()
    assert await drill(second).poster.tick() == 1
    assert await tick_at(second, clock, at(2026, 6, 1, 12, 0)) == 0
    [prompt] = await prompts_of(second, fake_discord.guild.id)
    assert prompt.local_date == MON and prompt.posted_at == at(2026, 6, 1, 11, 30)
    assert len(daily_posts(fake_discord, fake_discord.default.prompts)) == 1


async def test_a_day_missed_entirely_is_never_posted_later(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """Down all Monday: Monday's prompt is skipped; Tuesday's comes at its time."""
    first = await start_drillbot()
    await setup_daily(fake_discord)
    await first.close()
    clock.set(at(2026, 6, 2, 8, 0))
    second = await start_drillbot()
    assert await drill(second).poster.tick() == 0
    assert await prompts_of(second, fake_discord.guild.id) == []
    assert await tick_at(second, clock, at(2026, 6, 2, 9, 0)) == 1
    assert [p.local_date for p in await prompts_of(second, fake_discord.guild.id)] == [dt.date(2026, 6, 2)]


async def test_a_claim_left_by_a_crash_is_posted_once(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """A claim that never reached Discord is posted by the next process, once; one already sent is found."""
    first = await start_drillbot()
    await setup_daily(fake_discord, days="daily")
    clock.set(at(2026, 6, 1, 9, 0))
    async with first.db.write() as session:  # the first process dies right after claiming Monday
        assert await prompt_svc.claim_due_prompt(session=session, bank=first.bank, guild_id=fake_discord.guild.id,
                                                 now=clock.now())  # fmt: skip
    await first.close()
    clock.set(at(2026, 6, 1, 9, 5))
    second = await start_drillbot()
    assert await drill(second).poster.tick() == 1
    assert await drill(second).poster.tick() == 0
    [post] = daily_posts(fake_discord, fake_discord.default.prompts)
    [prompt] = await prompts_of(second, fake_discord.guild.id)
    assert prompt.state == "threaded" and prompt.message_id == post.id and post.thread_id == prompt.thread_id


async def test_a_post_sent_before_a_crash_is_found_not_sent_again(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """A claim whose post reached Discord before the crash is found in the channel's history."""
    bot = await start_drillbot()
    await setup_daily(fake_discord, days="daily")
    clock.set(at(2026, 6, 1, 9, 0))
    async with bot.db.write() as session:
        claim = await prompt_svc.claim_due_prompt(session=session, bank=bot.bank, guild_id=fake_discord.guild.id,
                                                  now=clock.now())  # fmt: skip
    assert claim is not None
    button = {"type": 2, "style": 1, "label": "Answer", "custom_id": f"drill:answer:{claim.prompt.id}"}
    sent = fake_discord.seed_message(fake_discord.default.prompts, fake_discord.world.bot, "",
                                     embeds=[{"title": "Daily prompt"}],
                                     components=[{"type": 1, "components": [button]}])  # fmt: skip
    assert await drill(bot).poster.tick() == 1
    assert daily_posts(fake_discord, fake_discord.default.prompts) == [sent]
    [prompt] = await prompts_of(bot, fake_discord.guild.id)
    assert prompt.message_id == sent.id and prompt.thread_id == sent.thread_id and prompt.state == "threaded"


async def test_a_claim_from_a_past_day_is_not_posted_today(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """A claim left by a crash on Monday is not posted on Tuesday; Tuesday's own prompt is."""
    first = await start_drillbot()
    await setup_daily(fake_discord, days="daily")
    clock.set(at(2026, 6, 1, 9, 0))
    async with first.db.write() as session:
        await prompt_svc.claim_due_prompt(session=session, bank=first.bank, guild_id=fake_discord.guild.id,
                                          now=clock.now())  # fmt: skip
    await first.close()
    clock.set(at(2026, 6, 2, 9, 0))
    second = await start_drillbot()
    assert await drill(second).poster.tick() == 1
    [post] = daily_posts(fake_discord, fake_discord.default.prompts)
    posted = [p for p in await prompts_of(second, fake_discord.guild.id) if p.message_id is not None]
    assert [(p.local_date, p.message_id) for p in posted] == [(dt.date(2026, 6, 2), post.id)]
    assert "02 Jun" in thread_of(fake_discord, post).name


async def test_a_403_disables_only_that_guild(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """Losing Send Messages turns that guild's prompts off with the reason in /config show; others post."""
    world = fake_discord.default
    other = fake_discord.add_guild("Other Guild")
    other_channel = fake_discord.add_text_channel(other, "daily")
    other_owner = fake_discord.member(other, "owner")
    bot = await start_drillbot()
    await setup_daily(fake_discord)
    reply = await configure(other_owner, other_channel, time="09:00", timezone="UTC", days="mon-fri")
    assert "Nothing was changed" not in reply.content
    world.prompts.overwrites.append(Overwrite(id=world.bot_role.id, type=0, deny=int(P.SEND_MESSAGES)))
    assert await tick_at(bot, clock, at(2026, 6, 1, 9, 0)) == 1
    assert daily_posts(fake_discord, world.prompts) == []
    assert len(daily_posts(fake_discord, other_channel)) == 1
    row = await schedule_row(bot, world.guild.id)
    assert row is not None and row["enabled"] is False and row["next_post_at"] is None
    assert "403" in (row["last_error"] or "")
    assert await prompts_of(bot, world.guild.id) == []  # the failed claim is dropped
    shown = (await world.dana.slash("config show")).text()
    assert "Posting problem" in shown and "403" in shown and "**Status:** off" in shown
    assert await tick_at(bot, clock, at(2026, 6, 2, 9, 0)) == 1  # only the other guild, again
    assert daily_posts(fake_discord, world.prompts) == [] and len(daily_posts(fake_discord, other_channel)) == 2
    world.prompts.overwrites.clear()
    await setup_daily(fake_discord, time="10:00")  # choosing the channel again turns posting back on
    assert "Posting problem" not in (await world.dana.slash("config show")).text()
    assert await tick_at(bot, clock, at(2026, 6, 2, 10, 0)) == 1
    assert len(daily_posts(fake_discord, world.prompts)) == 1


@pytest.mark.parametrize(
    ("status", "code", "reason"), [(403, 50013, "Missing Permissions"), (404, 10003, "Unknown Channel")]
)
async def test_a_403_or_404_from_discord_is_recorded(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock, status: int, code: int, reason: str
) -> None:
    """A post answered 403 Missing Permissions or 404 Unknown Channel disables the schedule and records why."""
    await setup_daily(fake_discord)
    fake_discord.faults.fail("POST /channels/*/messages", status=status, code=code, message=reason)
    assert await tick_at(drillbot, clock, at(2026, 6, 1, 9, 0)) == 0
    row = await schedule_row(drillbot, fake_discord.guild.id)
    assert row is not None and row["enabled"] is False and reason in (row["last_error"] or "")
    assert str(status) in (row["last_error"] or "")
    assert await tick_at(drillbot, clock, at(2026, 6, 1, 9, 1)) == 0
    assert daily_posts(fake_discord, fake_discord.default.prompts) == []


async def test_post_now_posts_once_and_the_schedule_moves_on(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """/drill post-now posts at once; a second post-now and the scheduled time post nothing more."""
    world = fake_discord.default
    await setup_daily(fake_discord)
    reply = await world.dana.slash("drill post-now")
    [post] = daily_posts(fake_discord, world.prompts)
    assert reply.ephemeral and reply.followups and f"/{post.id}" in reply.followups[-1].content
    assert thread_of(fake_discord, post) is not None
    again = await world.dana.slash("drill post-now")
    assert "already posted" in again.followups[-1].content and f"/{post.id}" in again.followups[-1].content
    assert await tick_at(drillbot, clock, at(2026, 6, 1, 9, 0)) == 0
    assert await tick_at(drillbot, clock, at(2026, 6, 1, 18, 0)) == 0
    assert len(daily_posts(fake_discord, world.prompts)) == 1
    assert await tick_at(drillbot, clock, at(2026, 6, 2, 9, 0)) == 1


async def test_post_now_is_refused_for_members_and_without_a_channel(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """A member's post-now is refused; an admin's before any channel is set asks for one; nothing posts."""
    world = fake_discord.default
    early = await world.dana.slash("drill post-now")
    assert early.ephemeral and "/config prompts" in early.content
    await setup_daily(fake_discord)
    refused = await world.alice.slash("drill post-now")
    assert refused.ephemeral and "admin" in refused.content.lower()
    assert fake_discord.messages(world.prompts) == []
    assert await prompts_of(drillbot, world.guild.id) == []


async def test_a_guild_missing_from_the_cache_does_not_stop_the_others(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """A due guild the bot has no cache for (unavailable) waits for its thread; the other guild posts in full."""
    world = fake_discord.default
    other = fake_discord.add_guild("Other Guild")
    other_channel = fake_discord.add_text_channel(other, "daily")
    bot = await start_drillbot()
    await setup_daily(fake_discord)
    reply = await configure(fake_discord.member(other, "owner"), other_channel, time="09:00", timezone="UTC",
                            days="mon-fri")  # fmt: skip
    assert "Nothing was changed" not in reply.content
    cached = bot.get_guild(world.guild.id)
    assert cached is not None
    bot._connection._remove_guild(cached)  # the guild went unavailable: nothing of it is cached
    await tick_at(bot, clock, at(2026, 6, 1, 9, 0))
    [other_prompt] = await prompts_of(bot, other.id)
    [other_post] = daily_posts(fake_discord, other_channel)
    assert other_prompt.state == "threaded" and thread_of(fake_discord, other_post) is not None
    [waiting] = await prompts_of(bot, world.guild.id)
    assert waiting.state == "sent" and waiting.thread_id is None  # posted; its thread waits for the guild
    bot._connection._add_guild(cached)  # the guild is back
    await tick_at(bot, clock, at(2026, 6, 1, 9, 1))
    [done] = await prompts_of(bot, world.guild.id)
    assert done.state == "threaded" and done.thread_id is not None
    assert len(daily_posts(fake_discord, world.prompts)) == 1  # the same post, not a second one
