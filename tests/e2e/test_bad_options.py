"""Bad options through the fake Discord: DMs, pause dates, roles, channel kinds, blank and crafted values.

Each class of input is tried with several members, as a clumsy member, a hostile admin or a crafted
client would send them; each gets a clear ephemeral reply, never an error id.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import GuildSettings, PairingConfig
from discord_standin.access import P
from discord_standin.options import find_command
from discord_standin.server import FakeDiscord
from discord_standin.world import ANNOUNCEMENT, VOICE
from tests.e2e.conftest import BotFactory
from tests.e2e.daily_support import (
    at,
    configure,
    schedule_row,
)
from tests.e2e.input_support import clear
from tests.e2e.mock_support import config_row, configure_pairing, join, rounds_of, tick
from tests.e2e.streak_support import settings_row

# --- 1. commands in a DM -----------------------------------------------------------------------

DM_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("drill today", {}),
    ("drill answer", {}),
    ("drill history", {}),
    ("drill remind", {"state": "on"}),
    ("question show", {"id": "beh-001"}),
    ("question list", {}),
    ("mock join", {"track": "data-scientist", "level": "mid", "timezone": "UTC", "availability": "evenings"}),
    ("mock leave", {}),
    ("mock pause", {"weeks": 1}),
    ("mock status", {}),
    ("mock history", {}),
    ("feedback give", {}),
    ("feedback mine", {}),
    ("streak", {}),
    ("leaderboard", {}),
    ("privacy export", {}),
]


async def test_server_commands_are_declared_for_servers_only(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Discord is told every command but /help needs a server, so it does not offer them in DMs."""
    synced = fake_discord.world.application.global_commands
    assert {c["name"] for c in synced} >= {"drill", "question", "mock", "feedback", "streak", "leaderboard"}
    for command in synced:
        if command["name"] == "help":
            continue
        assert command.get("dm_permission") is False or command.get("contexts") == [0], command["name"]


@pytest.mark.parametrize(("command", "options"), DM_COMMANDS, ids=[c for c, _ in DM_COMMANDS])
async def test_a_dm_that_still_arrives_is_told_to_use_a_server(
    fake_discord: FakeDiscord, drillbot: DrillBot, command: str, options: dict[str, Any]
) -> None:
    """A server command reaching the bot from a DM (an old client, a crafted one) says where to use it."""
    alice = fake_discord.default.alice
    reply = await alice.slash(command, channel=alice.dm_channel, bypass_permissions=True, **options)
    clear(reply, "server")


async def test_a_dm_with_a_member_option_names_nobody_by_repr(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """/mock avoid and /drill history with a member, from a DM: a clear reply, no Python repr."""
    world = fake_discord.default
    for command in ("mock avoid", "mock unavoid", "drill history"):
        reply = await world.alice.slash(
            command, channel=world.alice.dm_channel, bypass_permissions=True, member=world.bob.user
        )
        clear(reply, "server")


# --- 2. pause dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "said"),
    [
        ("2030-01-01", "a year"),
        ("9999-12-31", "a year"),
        ("2027-06-03", "a year"),
        ("2020-01-01", "past"),
        ("0001-01-01", "past"),
        ("2026-05-30", "past"),
    ],
)
async def test_a_pause_date_far_ahead_or_past_is_refused(
    fake_discord: FakeDiscord, drillbot: DrillBot, date: str, said: str
) -> None:
    """The clock says 2026-06-01: a pause must end from today to a year ahead; nothing is stored otherwise."""
    world = fake_discord.default
    await configure(world.dana, world.prompts, time="09:00", timezone="UTC", days="daily")
    reply = await configure(world.dana, pause_until=date)
    clear(reply, said, "Nothing was changed")
    row = await schedule_row(drillbot, world.guild.id)
    assert row is not None and row["pause_until"] is None


async def test_a_pause_within_a_year_and_off_still_work(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """2027-05-31 (within a year) pauses; today is accepted; `off` ends the pause."""
    world = fake_discord.default
    await configure(world.dana, world.prompts, time="09:00", timezone="UTC", days="daily")
    for date in ("2027-05-31", "2026-06-01"):
        clear(await configure(world.dana, pause_until=date), "Daily prompts are on")
        row = await schedule_row(drillbot, world.guild.id)
        assert row is not None and str(row["pause_until"]) == date
    clear(await configure(world.dana, pause_until="off"), "Daily prompts are on")
    row = await schedule_row(drillbot, world.guild.id)
    assert row is not None and row["pause_until"] is None


# --- 5, 6. roles that must not mean admin, or be granted by a streak ---------------------------


async def test_admin_role_refuses_everyone_and_managed_roles(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """@everyone and a bot's managed role cannot be the admin role; a plain role can."""
    world = fake_discord.default
    for role, said in ((world.everyone, "@everyone"), (world.bot_role, "managed")):
        clear(await world.dana.slash("config admin-role", role=role), said, "Nothing was changed")
        async with drillbot.db.read() as session:
            settings = await session.get(GuildSettings, world.guild.id)
        assert settings is None or settings.admin_role_id is None
    clear(await world.dana.slash("config admin-role", role=world.member_role), "can now run admin commands")


@pytest.mark.parametrize(
    "permissions",
    [P.MANAGE_GUILD, P.ADMINISTRATOR, P.MANAGE_ROLES, P.KICK_MEMBERS, P.BAN_MEMBERS, P.MANAGE_MESSAGES],
)
async def test_milestone_roles_with_elevated_permissions_are_refused(
    fake_discord: FakeDiscord, drillbot: DrillBot, permissions: int
) -> None:
    """A role carrying moderator powers (below the bot, so it could be granted) is refused; nothing stored."""
    world = fake_discord.default
    role = fake_discord.add_role(world.guild, "Powerful", permissions=int(permissions))
    reply = await world.dana.slash("config streaks", milestone_roles=f"7=<@&{role.id}>")
    clear(reply, "moderator powers", "Nothing was changed")
    row = await settings_row(drillbot, world.guild.id)
    assert row is None or row["milestone_roles"] in ({}, None)


async def test_a_plain_milestone_role_is_accepted(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """A role with only ordinary permissions is stored."""
    world = fake_discord.default
    role = fake_discord.add_role(world.guild, "Regular", permissions=int(P.SEND_MESSAGES))
    clear(await world.dana.slash("config streaks", milestone_roles=f"7=<@&{role.id}>"), "Streaks:")
    row = await settings_row(drillbot, world.guild.id)
    assert row is not None and {int(k): v for k, v in row["milestone_roles"].items()} == {7: role.id}


# --- 9. a pairing channel that cannot hold private threads ---------------------------------------


async def test_the_pairing_channel_is_a_text_channel(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Discord offers only text channels; an announcement or voice channel sent anyway is refused."""
    world = fake_discord.default
    pairing = next(o for o in find_command(fake_discord, None, "config", 1)["options"] if o["name"] == "pairing")
    channel_option = next(o for o in pairing["options"] if o["name"] == "channel")
    assert channel_option["channel_types"] == [0]
    news = fake_discord.add_text_channel(world.guild, "announcements", kind=ANNOUNCEMENT)
    voice = fake_discord.add_text_channel(world.guild, "lounge", kind=VOICE)
    for channel, said in ((news, "announcement"), (voice, "voice")):
        reply = await world.dana.slash("config pairing", options={"channel": channel}, crafted=True)
        clear(reply, said, "Nothing was changed")
        assert f"<#{channel.id}>" in reply.text()
    assert await config_row(drillbot, world.guild.id) is None


# --- 10. blank values, and a key given twice ----------------------------------------------------

BLANK_PROMPT_OPTIONS = ["time", "timezone", "days", "rotation", "tracks", "pause_until"]


@pytest.mark.parametrize("option", BLANK_PROMPT_OPTIONS)
async def test_a_blank_value_is_refused_for_every_option(
    fake_discord: FakeDiscord, drillbot: DrillBot, option: str
) -> None:
    """Blank (spaces, or invisible characters) is refused for each text option; the setting is kept."""
    world = fake_discord.default
    await configure(world.dana, world.prompts, time="09:00", timezone="UTC", days="mon,wed,fri",
                    rotation="mon=sql", tracks="data-analyst")  # fmt: skip
    before = await schedule_row(drillbot, world.guild.id)
    for blank in ("   ", "\u200b \u200b"):
        clear(await configure(world.dana, **{option: blank}), "blank", "Nothing was changed")
    assert await schedule_row(drillbot, world.guild.id) == before


async def test_blank_streak_texts_are_refused_and_words_reset(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Blank milestones or roles are refused; `none` clears the roles and `round-robin` the rotation."""
    world = fake_discord.default
    role = fake_discord.add_role(world.guild, "Regular", permissions=int(P.SEND_MESSAGES))
    await world.dana.slash("config streaks", milestone_roles=f"7=<@&{role.id}>")
    for option in ("milestone_roles", "milestones"):
        clear(await world.dana.slash("config streaks", **{option: "  "}), "blank", "Nothing was changed")
    row = await settings_row(drillbot, world.guild.id)
    assert row is not None and row["milestone_roles"]
    clear(await world.dana.slash("config streaks", milestone_roles="none"), "roles none")
    await configure(world.dana, world.prompts, time="09:00", timezone="UTC", days="daily", rotation="mon=sql")
    clear(await configure(world.dana, rotation="round-robin"), "Daily prompts are on")
    schedule = await schedule_row(drillbot, world.guild.id)
    assert schedule is not None and schedule["rotation"] == "round-robin"


@pytest.mark.parametrize(
    ("command", "options", "said"),
    [
        ("config prompts", {"rotation": "mon=sql,mon=behavioral"}, "named twice"),
        ("config prompts", {"rotation": "mon-fri=sql,wed=case"}, "named twice"),
        ("config streaks", {"milestones": "7,7,30"}, "named twice"),
        ("config streaks", {"milestone_roles": "7=none-such,7=other"}, "named twice"),
    ],
)
async def test_a_key_named_twice_is_refused(
    fake_discord: FakeDiscord, drillbot: DrillBot, command: str, options: dict[str, str], said: str
) -> None:
    """A day or a milestone given twice is refused, not silently resolved to the last."""
    world = fake_discord.default
    await configure(world.dana, world.prompts, time="09:00", timezone="UTC", days="daily")
    before = await schedule_row(drillbot, world.guild.id)
    clear(await world.dana.slash(command, **options), said)
    assert await schedule_row(drillbot, world.guild.id) == before
    assert await settings_row(drillbot, world.guild.id) is None


# --- 11. no reprs: channels of the wrong kind ----------------------------------------------------


async def test_a_voice_channel_for_prompts_is_named_not_printed(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """A voice channel sent as the prompts channel is refused by its mention and kind."""
    world = fake_discord.default
    voice = fake_discord.add_text_channel(world.guild, "lounge", kind=VOICE)
    reply = await configure(world.dana, voice, crafted=True)
    clear(reply, f"<#{voice.id}>", "voice channel", "Nothing was changed")
    assert await schedule_row(drillbot, world.guild.id) is None


# --- values only a crafted client sends --------------------------------------------------------

CRAFTED: list[tuple[str, dict[str, Any], str]] = [
    ("config pairing", {"heads_up_hours": -1}, "0 to 72"),
    ("config pairing", {"heads_up_hours": 73}, "0 to 72"),
    ("config pairing", {"heads_up_hours": 2**53}, "0 to 72"),
    ("config pairing", {"weekday": 9}, "weekday"),
    ("config pairing", {"cadence": "daily"}, "cadence"),
    ("config streaks", {"heads_up_hours": 0}, "1 to 23"),
    ("config prompts", {"archive": 5}, "archive"),
    ("leaderboard", {"board": "'; DROP TABLE x;--"}, "board"),
    ("drill remind", {"state": "maybe"}, "state"),
    ("mock pause", {"weeks": 0}, "1 to 12"),
    ("mock pause", {"weeks": 13}, "1 to 12"),
    ("mock join", {"track": "data-scientist", "level": "wizard", "timezone": "UTC", "availability": "any"}, "level"),
    ("question list", {"category": "cooking"}, "category"),
]


@pytest.mark.parametrize(("command", "options", "said"), CRAFTED, ids=[f"{c}-{o}" for c, o, _ in CRAFTED])
async def test_values_outside_what_a_command_declared_are_refused(
    fake_discord: FakeDiscord, drillbot: DrillBot, command: str, options: dict[str, Any], said: str
) -> None:
    """The bot re-checks every option against its declaration; nothing is stored from a crafted value."""
    world = fake_discord.default
    reply = await world.dana.slash(command, crafted=True, **options)
    clear(reply, said, "Nothing was changed")
    assert await config_row(drillbot, world.guild.id) is None
    assert await settings_row(drillbot, world.guild.id) is None
    assert await schedule_row(drillbot, world.guild.id) is None


async def test_one_guilds_bad_setting_never_stops_the_others(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """A pairing row that cannot be computed with (stored before the checks) spoils only its own guild's tick."""
    world = fake_discord.default
    other = fake_discord.add_guild("Other Guild")
    room = fake_discord.add_text_channel(other, "mock-room")
    boss_role = fake_discord.world.add_role(other, "Boss", permissions=int(P.MANAGE_GUILD), position=2)
    boss = fake_discord.add_member(other, "boss", roles=[boss_role])
    members = [fake_discord.add_member(other, f"m{i}") for i in range(4)]
    bot = await start_drillbot()
    for admin, channel, people in (
        (world.dana, world.mock, [world.alice, world.bob, world.carol]),
        (boss, room, members),
    ):
        reply = await configure_pairing(admin, channel, weekday=2, time="18:00", timezone="UTC", heads_up_hours=24)
        assert "Pairing is on" in reply.content, reply.content
        for person in people:
            await join(person)
    async with bot.db.write() as session:
        bad = await session.get(PairingConfig, world.guild.id)
        assert bad is not None
        bad.heads_up_hours = 2**31 - 1  # fits the column; 245,000 years before the round overflows
    await tick(bot, clock, at(2026, 6, 3, 18, 1))
    ran = {r.guild_id for r in await rounds_of(bot)}
    assert other.id in ran and world.guild.id not in ran
