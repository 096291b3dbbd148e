"""/config prompts and /config show through the fake Discord: good settings, every bad input, refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.client import DrillBot
from discord_standin.access import P
from discord_standin.options import CommandNotAvailable
from discord_standin.server import FakeDiscord
from discord_standin.world import Overwrite
from tests.e2e.daily_support import at, configure, schedule_row, timestamp

BAD_INPUTS: list[tuple[dict[str, object], str]] = [
    ({"timezone": "Mars/Olympus"}, "time zone"),
    ({"timezone": "Europe"}, "time zone"),
    ({"timezone": "Europe/"}, "time zone"),
    ({"timezone": "localtime"}, "time zone"),
    ({"timezone": "../etc/passwd"}, "time zone"),
    ({"time": "25:00"}, "not a time"),
    ({"time": "12:60"}, "not a time"),
    ({"time": "noon"}, "not a time"),
    ({"time": "9"}, "not a time"),
    ({"days": "funday"}, "days"),
    ({"days": "monkey"}, "days"),
    ({"days": ","}, "day"),
    ({"days": "mon-"}, "days"),
    ({"rotation": "mon=cooking"}, "category"),
    ({"rotation": "sql"}, "round-robin"),
    ({"rotation": "someday=sql"}, "days"),
    ({"tracks": "astronaut"}, "track"),
    ({"tracks": "data-scientist,astronaut"}, "track"),
    ({"pause_until": "2026-13-01"}, "date"),
    ({"pause_until": "next week"}, "date"),
    ({"time": "07:15", "timezone": "Nowhere/Atlantis", "days": "daily"}, "time zone"),
    ({"days": "sat,sun", "rotation": "mon=sql,tue=nope"}, "category"),
]


async def show_text(fake: FakeDiscord) -> str:
    """Return the text of /config show as the admin sees it."""
    reply = await fake.default.dana.slash("config show")
    assert reply.ephemeral and reply.embed is not None
    return reply.text()


async def test_a_good_configuration_is_stored_and_shown(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Every option is stored; the reply and /config show give all of it, with the next post time."""
    world = fake_discord.default
    reply = await configure(
        world.dana, world.prompts, time="18:30", timezone="Europe/Helsinki", days="mon,wed,fri",
        rotation="mon=sql, wed=behavioral, fri=case", tracks="ml-engineer, data-scientist",
        ping_role=world.member_role, archive=4320, pause_until="2026-06-10",
    )  # fmt: skip
    due = at(2026, 6, 10, 18, 30, "Europe/Helsinki")  # the first prompt day on or after the pause
    assert reply.ephemeral and "on" in reply.content and timestamp(due) in reply.content
    row = await schedule_row(drillbot, world.guild.id)
    assert row is not None
    assert {k: row[k] for k in ("channel_id", "post_time", "timezone", "days", "rotation", "tracks")} == {
        "channel_id": world.prompts.id,
        "post_time": "18:30",
        "timezone": "Europe/Helsinki",
        "days": "mon,wed,fri",
        "rotation": "mon=sql,wed=behavioral,fri=case",
        "tracks": ["data-scientist", "ml-engineer"],
    }
    assert row["ping_role_id"] == world.member_role.id and row["archive_minutes"] == 4320
    assert row["pause_until"] == dt.date(2026, 6, 10) and row["enabled"] is True
    assert row["next_post_at"] == due
    text = await show_text(fake_discord)
    for expected in (
        f"<#{world.prompts.id}>", "18:30 Europe/Helsinki", "mon,wed,fri", "mon=sql,wed=behavioral,fri=case",
        "data-scientist, ml-engineer", f"<@&{world.member_role.id}>", "4320 min", "2026-06-10", timestamp(due),
    ):  # fmt: skip
        assert expected in text, expected


async def test_options_left_out_keep_their_values(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """A later /config prompts with one option changes only that one; no_ping and pause off clear."""
    world = fake_discord.default
    await configure(world.dana, world.prompts, time="07:00", ping_role=world.member_role, pause_until="2026-07-01")
    await configure(world.dana, time="07:45", no_ping=True, pause_until="off")
    row = await schedule_row(drillbot, world.guild.id)
    assert row is not None and row["channel_id"] == world.prompts.id and row["post_time"] == "07:45"
    assert row["ping_role_id"] is None and row["pause_until"] is None
    assert row["next_post_at"] == at(2026, 6, 2, 7, 45)  # Monday's 07:45 UTC had passed at 08:00


async def test_every_bad_input_is_refused_and_changes_nothing(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Unknown zone, impossible time, bad days/rotation/track/date: a clear ephemeral error, nothing changed."""
    world = fake_discord.default
    await configure(world.dana, world.prompts, time="09:00", timezone="America/New_York", tracks="data-analyst")
    before_row = await schedule_row(drillbot, world.guild.id)
    before_show = await show_text(fake_discord)
    for values, reason in BAD_INPUTS:
        reply = await configure(world.dana, **values)
        assert reply.ephemeral and reply.embed is None, values
        assert reason in reply.content and "Nothing was changed" in reply.content, (values, reply.content)
        assert await schedule_row(drillbot, world.guild.id) == before_row, values
    assert await show_text(fake_discord) == before_show


async def test_everyone_is_not_a_ping_role(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """@everyone as the ping role is refused; nothing is stored."""
    world = fake_discord.default
    reply = await configure(world.dana, world.prompts, ping_role=world.everyone)
    assert reply.ephemeral and "@everyone" in reply.content and "Nothing was changed" in reply.content
    assert await schedule_row(drillbot, world.guild.id) is None


async def test_turning_prompts_on_without_a_channel_is_refused(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """enabled:true before any channel was chosen asks for a channel; nothing is stored."""
    reply = await configure(fake_discord.default.dana, enabled=True, time="10:00")
    assert reply.ephemeral and "channel" in reply.content and "Nothing was changed" in reply.content
    assert await schedule_row(drillbot, fake_discord.guild.id) is None


@pytest.mark.parametrize(
    "permission",
    [P.VIEW_CHANNEL, P.SEND_MESSAGES, P.EMBED_LINKS, P.CREATE_PUBLIC_THREADS, P.SEND_MESSAGES_IN_THREADS],
    ids=lambda p: p.name.lower(),
)
async def test_a_channel_the_bot_cannot_use_is_refused(
    fake_discord: FakeDiscord, drillbot: DrillBot, permission: P
) -> None:
    """A channel whose overwrite denies the bot one needed permission is refused, naming it; nothing changes."""
    world = fake_discord.default
    await configure(world.dana, world.prompts, time="09:00")
    before_row = await schedule_row(drillbot, world.guild.id)
    before_show = await show_text(fake_discord)
    denied = Overwrite(id=world.bot_role.id, type=0, deny=int(permission))
    channel = fake_discord.add_text_channel(world.guild, "locked", overwrites=[denied])
    await fake_discord.flush()
    reply = await configure(world.dana, channel, time="10:00")
    name = permission.name.replace("_", " ").title()
    assert reply.ephemeral and f"<#{channel.id}>" in reply.content
    assert name in reply.content and "Nothing was changed" in reply.content
    assert await schedule_row(drillbot, world.guild.id) == before_row
    assert await show_text(fake_discord) == before_show


async def test_a_channel_overwrite_for_the_bot_member_counts_too(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """A member overwrite denying the bot Send Messages is caught as well; an allow overwrite fixes it."""
    world = fake_discord.default
    bot_id = fake_discord.world.bot.id
    denied = fake_discord.add_text_channel(
        world.guild, "denied", overwrites=[Overwrite(id=bot_id, type=1, deny=int(P.SEND_MESSAGES))]
    )
    everyone_denied = Overwrite(id=world.guild.id, type=0, deny=int(P.SEND_MESSAGES))
    bot_allowed = Overwrite(id=world.bot_role.id, type=0, allow=int(P.SEND_MESSAGES))
    allowed = fake_discord.add_text_channel(world.guild, "bot-only", overwrites=[everyone_denied, bot_allowed])
    await fake_discord.flush()
    refused = await configure(world.dana, denied)
    assert "Send Messages" in refused.content and await schedule_row(drillbot, world.guild.id) is None
    accepted = await configure(world.dana, allowed)
    assert "Nothing was changed" not in accepted.content
    row = await schedule_row(drillbot, world.guild.id)
    assert row is not None and row["channel_id"] == allowed.id


async def test_members_are_refused_even_past_discords_gate(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """/config is hidden from members by default permissions, and refused at run time when forced."""
    world = fake_discord.default
    with pytest.raises(CommandNotAvailable):
        await configure(world.alice, world.prompts, time="10:00")
    forced = await world.alice.slash("config prompts", options={"channel": world.prompts}, bypass_permissions=True)
    assert forced.ephemeral and "admin" in forced.content.lower()
    shown = await world.alice.slash("config show", bypass_permissions=True)
    assert shown.embed is None and "admin" in shown.content.lower()
    assert await schedule_row(drillbot, world.guild.id) is None


async def test_the_configured_admin_role_may_configure(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """A holder of the configured admin role (without Manage Server) passes the run-time check."""
    world = fake_discord.default
    await world.dana.slash("config admin-role", role=world.member_role)
    reply = await world.alice.slash("config prompts", options={"channel": world.prompts}, bypass_permissions=True)
    assert "Nothing was changed" not in reply.content and "admin" not in reply.content.lower()
    row = await schedule_row(drillbot, world.guild.id)
    assert row is not None and row["channel_id"] == world.prompts.id


async def test_timezone_autocomplete(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Typing part of a zone suggests matching IANA names, prefix matches first, at most 25."""
    dana = fake_discord.default.dana
    helsinki = [c["value"] for c in await dana.autocomplete("config prompts", "timezone", "Europe/Hel")]
    assert helsinki == ["Europe/Helsinki"]
    new_york = [c["value"] for c in await dana.autocomplete("config prompts", "timezone", "new y")]
    assert "America/New_York" in new_york
    lord = [c["value"] for c in await dana.autocomplete("config prompts", "timezone", "lord_howe")]
    assert "Australia/Lord_Howe" in lord
    everything = await dana.autocomplete("config prompts", "timezone", "")
    assert len(everything) == 25 and all(c["name"] == c["value"] for c in everything)
    assert await dana.autocomplete("config prompts", "timezone", "zzzz-no-zone") == []


async def test_show_before_any_setup_says_how_to_start(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """/config show on a fresh server says prompts are not set up."""
    text = await show_text(fake_discord)
    assert "not set up" in text and "/config prompts" in text


async def test_turning_prompts_off_clears_the_next_post(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """enabled:false keeps the settings, stops posting and shows no next post."""
    world = fake_discord.default
    await configure(world.dana, world.prompts, time="09:00")
    reply = await configure(world.dana, enabled=False)
    assert reply.ephemeral and "off" in reply.content
    row = await schedule_row(drillbot, world.guild.id)
    assert row is not None and row["enabled"] is False and row["next_post_at"] is None
    assert row["channel_id"] == world.prompts.id
    text = await show_text(fake_discord)
    assert "**Status:** off" in text and "not scheduled" in text
