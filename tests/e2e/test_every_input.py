"""Bad and edge-case inputs through the fake Discord: each gets a clear ephemeral reply, never an error id.

Each class of input (DM use, invisible text, blank values, out-of-range or undeclared values) is
tried with several members, as a clumsy member, a hostile admin or a crafted client would send them.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import Answer, GuildSettings, PairingConfig, Review
from bot.services import questions as svc
from discord_standin.access import P
from discord_standin.actors import Actor
from discord_standin.options import find_command
from discord_standin.replies import Reply
from discord_standin.server import FakeDiscord
from discord_standin.world import ANNOUNCEMENT, VOICE, Message
from tests.e2e.conftest import BotFactory
from tests.e2e.daily_support import (
    answer_posts,
    at,
    configure,
    daily_posts,
    drain,
    notices,
    rows,
    schedule_row,
    thread_of,
    tick_at,
)
from tests.e2e.mock_support import config_row, configure_pairing, join, rounds_of, tick
from tests.e2e.streak_support import settings_row

SCORES = {"Structure": ["4"], "Clarity": ["5"], "Depth": ["3"]}
INVISIBLE = [
    "\u200b\u200b\u200b",  # zero-width spaces
    " \u2060\ufeff\u200c ",  # word joiner, BOM, zero-width non-joiner, spaces
    "\u00ad\u200d\u200e\u200f",  # soft hyphen, zero-width joiner, direction marks
    "\u3164\u3164\u3164",  # Hangul fillers
    "\u2800\u2800",  # blank Braille pattern
    "\u3000\u00a0\u2028\n\t",  # ideographic and no-break spaces, a line separator
]


def clear(reply: Reply, *words: str) -> None:
    """Assert an ephemeral, clear reply (no error id) that says each of ``words``."""
    text = reply.text()
    assert reply.ephemeral, text
    assert "error id" not in text and "went wrong" not in text, text
    assert "<User" not in text and "<AppCommand" not in text and "object at 0x" not in text, text
    for word in words:
        assert word.lower() in text.lower(), (word, text)


async def open_day(fake: FakeDiscord, bot: DrillBot, clock: ManualClock) -> tuple[Message, Any]:
    """Configure daily prompts and post June 1st's; return the post and its thread."""
    await configure(fake.default.dana, fake.default.prompts, time="09:00", timezone="UTC", days="daily")
    assert await tick_at(bot, clock, at(2026, 6, 1, 9, 0)) == 1
    post = daily_posts(fake, fake.default.prompts)[-1]
    return post, thread_of(fake, post)


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


# --- 3. one notice per review --------------------------------------------------------------------


async def test_a_review_sent_many_times_gives_one_notice(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Bob sends two review forms, Carol twenty at once: two reviews, two notices; an edit adds none."""
    world = fake_discord.default
    post, thread = await open_day(fake_discord, drillbot, clock)
    form = await world.alice.press(post, "Answer")
    await world.alice.submit_modal(form, {"Answer": "I would size it bottom-up from stores and visits."})
    await drain(drillbot)
    [shown] = answer_posts(fake_discord, thread)

    async def reviews(actor: Actor, count: int, comment: str) -> list[Reply]:
        forms = [await actor.press(shown, "Review") for _ in range(count)]
        return list(await asyncio.gather(*(actor.submit_modal(f, {**SCORES, "Comment": comment}) for f in forms)))

    done = [*await reviews(world.bob, 2, "Good structure."), *await reviews(world.carol, 20, "Add numbers.")]
    assert all(r.ephemeral and "error id" not in r.text() for r in done)
    await drain(drillbot)
    assert len(await rows(drillbot, Review)) == 2
    sent = notices(fake_discord, thread)
    assert len(sent) == 2, [m.content for m in sent]
    await reviews(world.bob, 1, "Good structure; now quantify the impact.")
    await drain(drillbot)
    assert len(notices(fake_discord, thread)) == 2


# --- 4. invisible text -----------------------------------------------------------------------


async def test_an_invisible_answer_is_refused_everywhere(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Answers made of invisible characters are refused, by button and by command; nothing is posted."""
    world = fake_discord.default
    post, thread = await open_day(fake_discord, drillbot, clock)
    for index, text in enumerate(INVISIBLE):
        actor = (world.alice, world.bob, world.carol)[index % 3]
        form = await (actor.press(post, "Answer") if index % 2 else actor.slash("drill answer"))
        clear(await actor.submit_modal(form, {"Answer": text}), "empty answer")
    await drain(drillbot)
    assert await rows(drillbot, Answer) == []
    assert answer_posts(fake_discord, thread) == []


async def test_an_invisible_review_comment_is_no_comment(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A review comment of zero-width characters is stored as no comment at all."""
    world = fake_discord.default
    post, thread = await open_day(fake_discord, drillbot, clock)
    form = await world.alice.press(post, "Answer")
    await world.alice.submit_modal(form, {"Answer": "Clarify the goal, then pick a north-star metric."})
    await drain(drillbot)
    [shown] = answer_posts(fake_discord, thread)
    form = await world.bob.press(shown, "Review")
    clear(await world.bob.submit_modal(form, {**SCORES, "Comment": "\u200b\u2060 \u200b"}), "saved")
    [review] = await rows(drillbot, Review)
    assert review.comment == ""


@pytest.mark.parametrize("text", INVISIBLE)
async def test_an_invisible_question_is_not_added(fake_discord: FakeDiscord, drillbot: DrillBot, text: str) -> None:
    """/question add refuses a question (or a rubric) with nothing visible in it."""
    dana = fake_discord.default.dana
    modal = await dana.slash("question add", category="case", difficulty="easy")
    reply = await dana.submit_modal(
        modal,
        {
            "Tracks": ["business-analyst"],
            "Question": text * 10,
            "Rubric: what a strong answer covers": f"{text}\n{text}\nStates the assumptions",
        },
    )
    clear(reply, "not saved")
    async with drillbot.db.read() as session:
        assert await svc.server_questions(session=session, guild_id=fake_discord.guild.id) == []


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


# --- 7. deeply nested YAML -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "questions: " + "[" * 50_000,
        "questions: " + "{a: " * 5_000,
        "questions:\n" + "".join("  " * i + "-\n" for i in range(200)),
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
async def test_a_deeply_nested_import_is_refused(fake_discord: FakeDiscord, drillbot: DrillBot, body: str) -> None:
    """Too-deep documents are refused with the reason and a line; nothing is imported."""
    dana = fake_discord.default.dana
    reply = await dana.slash("question import", file=("deep.yaml", body.encode()), timeout=15)
    clear(reply, "nested more than", "Nothing was imported")


# --- 8. post-now pressed by many ---------------------------------------------------------------


async def test_twenty_post_now_make_one_post_and_twenty_links(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Twenty /drill post-now at once: one post; every caller gets its link, nobody is told it failed."""
    world = fake_discord.default
    await configure(world.dana, world.prompts, time="09:00", timezone="UTC", days="daily")
    replies = await asyncio.gather(*(world.dana.slash("drill post-now", timeout=15) for _ in range(20)))
    [post] = daily_posts(fake_discord, world.prompts)
    link = f"https://discord.com/channels/{world.guild.id}/{world.prompts.id}/{post.id}"
    for reply in replies:
        text = reply.followups[-1].content if reply.followups else reply.text()
        assert "failed" not in text.lower() and link in text, text
    assert sum("Posted:" in (r.followups[-1].content if r.followups else r.text()) for r in replies) == 1


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


# --- 12. the same question added twice ---------------------------------------------------------

SAME = {
    "Tracks": ["business-analyst"],
    "Question": "How would you size the market for electric scooters in Lisbon?",
    "Rubric: what a strong answer covers": "States the assumptions\nChecks the number against a second method",
}


async def test_twenty_identical_adds_store_one_question(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Twenty identical /question add submits at once: one question; the others are told it exists."""
    dana = fake_discord.default.dana
    forms = [await dana.slash("question add", category="case", difficulty="easy") for _ in range(20)]
    replies = await asyncio.gather(*(dana.submit_modal(f, SAME) for f in forms))
    async with drillbot.db.read() as session:
        stored = await svc.server_questions(session=session, guild_id=fake_discord.guild.id)
    assert [q.id for q in stored] == ["case-s1"]
    assert sum("Added" in r.text() for r in replies) == 1
    for reply in replies:
        if "Added" not in reply.text():
            clear(reply, "already", "case-s1")
    same_spaced = {**SAME, "Question": "  how would you SIZE the market for electric scooters   in Lisbon?\u200b"}
    clear(await dana.submit_modal(await dana.slash("question add", category="case", difficulty="hard"), same_spaced),
          "already")  # fmt: skip


async def test_a_shipped_question_cannot_be_added_again(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """A prompt the shipped bank already asks is refused with its id."""
    dana = fake_discord.default.dana
    shipped = drillbot.bank.all()[0]
    modal = await dana.slash("question add", category="case", difficulty="easy")
    clear(await dana.submit_modal(modal, {**SAME, "Question": shipped.prompt}), "already", shipped.id)


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


# --- the error handler still catches real bugs ---------------------------------------------------


async def test_a_real_bug_still_gets_an_error_id(
    fake_discord: FakeDiscord, drillbot: DrillBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception inside a command is logged and answered with an error id, ephemerally."""
    from cogs import daily

    async def broken(**_: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(daily.daily_today, "today", broken)
    reply = await fake_discord.default.alice.slash("drill today")
    assert reply.ephemeral and "error id" in reply.text()
