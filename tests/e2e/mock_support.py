"""Shared helpers of the mock-pairing end-to-end tests: set up, join, run rounds, find threads and rows."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import text
from sqlmodel import col, select

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.db import Database
from bot.models import MockGroup, MockGroupMember, MockProfile, MockRound, PairingConfig
from discord_standin.access import P
from discord_standin.actors import Actor
from discord_standin.records import RequestRecord
from discord_standin.replies import Reply
from discord_standin.server import FakeDiscord
from discord_standin.world import Channel, Message, Overwrite
from tests.e2e.daily_support import custom_ids

if TYPE_CHECKING:
    from cogs.mock import MockCog

NAMES = ("erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert")


def mock_cog(bot: DrillBot) -> MockCog:
    """Return the bot's mock-pairing cog."""
    cog = bot.get_cog("MockCog")
    assert cog is not None
    return cast("MockCog", cog)


async def tick(bot: DrillBot, clock: ManualClock, when: dt.datetime) -> None:
    """Move the clock to ``when`` and run one round-runner tick."""
    clock.set(when)
    await mock_cog(bot).runner.tick()


async def configure_pairing(actor: Actor, channel: Channel | None = None, **values: Any) -> Reply:
    """Run /config pairing (``channel`` is the option)."""
    options = {"channel": channel} if channel is not None else {}
    return await actor.slash("config pairing", options=options, **values)


async def setup_pairing(fake: FakeDiscord, **values: Any) -> Reply:
    """Pair in #mock on Wednesdays 18:00 UTC with a 24 h heads-up, unless told otherwise."""
    options = {"weekday": 2, "time": "18:00", "timezone": "UTC", "heads_up_hours": 24, **values}
    reply = await configure_pairing(fake.default.dana, fake.default.mock, **options)
    assert "Nothing was changed" not in reply.content, reply.content
    return reply


async def join(actor: Actor, **values: Any) -> Reply:
    """Run /mock join with sensible defaults."""
    options = {"track": "data-scientist", "level": "mid", "timezone": "UTC", "availability": "weekday evenings"}
    reply = await actor.slash("mock join", **{**options, **values})
    assert reply.ephemeral and "not changed" not in reply.content, reply.content
    return reply


async def crash_tick(
    bot: DrillBot, clock: ManualClock, when: dt.datetime, fake: FakeDiscord, glob: str, database: Database | None = None
) -> None:
    """Run a tick at ``when`` and kill it (cancel its task, as a killed process stops) at a request matching ``glob``.

    Without ``database`` the tick dies while the request is in flight. With it, the test holds the
    database's write lock while the fake answers (put a ``slow`` fault on the route), so Discord has
    done something the bot cannot record when it dies.
    """
    clock.set(when)
    task = asyncio.create_task(mock_cog(bot).runner.tick())
    await request_seen(fake, glob, lambda r: True)
    if database is None:
        task.cancel()
    else:
        async with write_locked(database):
            await request_seen(fake, glob)
            # The bot takes the answer and waits for the locked database: inside the bot, so nothing the
            # fake could signal; a short wait lets it get there.
            await asyncio.sleep(0.3)
            task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@contextlib.asynccontextmanager
async def write_locked(database: Database) -> AsyncIterator[None]:
    """Hold a write lock on the groups table (SQLite: the one writer; PostgreSQL: a table lock) until exit."""
    async with database.write() as session:
        if database.url.startswith("postgresql"):
            await session.execute(text("LOCK TABLE mock_group IN EXCLUSIVE MODE"))
        else:
            await session.execute(text("SELECT 1"))  # writes begin IMMEDIATE: this takes SQLite's write lock
        yield


async def request_seen(
    fake: FakeDiscord, glob: str, check: Any = lambda r: r.status, timeout: float = 5.0
) -> RequestRecord:
    """Wait until the fake has a request matching ``glob`` for which ``check(record)`` holds (default: answered)."""
    found: RequestRecord = await fake.changed.wait_for(
        lambda: next((r for r in fake.records.requests_to(glob) if check(r)), None), timeout=timeout,
        what=f"a request {glob}",
    )  # fmt: skip
    return found


async def everyone_joins(fake: FakeDiscord, count: int, **values: str) -> list[Actor]:
    """Set pairing up (Wednesdays 18:00 UTC, heads-up 24 h) and have ``count`` members join."""
    await setup_pairing(fake)
    people = members(fake, count)
    for actor in people:
        await join(actor, **values)
    return people


def members(fake: FakeDiscord, count: int) -> list[Actor]:
    """Return ``count`` plain members: alice, bob, carol, then new ones."""
    world = fake.default
    found = [world.alice, world.bob, world.carol]
    for name in NAMES[: max(0, count - 3)]:
        found.append(fake.add_member(world.guild, name, roles=[world.member_role]))
    return found[:count]


def fill_active_threads(fake: FakeDiscord, count: int) -> None:
    """Open ``count`` active threads in a channel the bot cannot see (they count toward the guild's 1,000)."""
    world = fake.default
    hidden_from_bot = Overwrite(id=world.bot_role.id, type=0, deny=int(P.VIEW_CHANNEL))
    hidden = fake.add_text_channel(world.guild, "elsewhere", overwrites=[hidden_from_bot])
    for index in range(count):
        fake.add_thread(hidden, f"busy {index}", owner=world.owner)


def moderator(fake: FakeDiscord) -> Actor:
    """Return a member holding Manage Threads (who sees every private thread)."""
    world = fake.default
    role = fake.add_role(world.guild, "Mod", permissions=int(P.MANAGE_THREADS))
    return fake.add_member(world.guild, "mo", roles=[world.member_role, role])


def pair_threads(fake: FakeDiscord, parent: Channel, *, archived: bool | None = None) -> list[Channel]:
    """Return the live threads under ``parent``, oldest first (only the (un)archived ones when told)."""
    threads = [c for c in fake.world.channels.values() if c.is_thread and c.parent_id == parent.id and not c.deleted]
    return sorted((t for t in threads if archived is None or t.archived == archived), key=lambda t: t.id)


def bot_posts(fake: FakeDiscord, channel: Channel | int, prefix: str) -> list[Message]:
    """Return the bot's messages in a channel carrying a button whose custom id starts with ``prefix``."""
    return [m for m in fake.messages(channel) if any(i.startswith(prefix) for i in custom_ids(m))]


def intro(fake: FakeDiscord, channel: Channel | int) -> Message:
    """Return the (latest) intro with the pack button in a thread or DM."""
    found = bot_posts(fake, channel, "mock:pack:")
    assert found, "no intro"
    return found[-1]


def followup(fake: FakeDiscord, channel: Channel | int) -> Message:
    """Return the follow-up with the outcome buttons in a thread or DM."""
    found = bot_posts(fake, channel, "mock:outcome:")
    assert len(found) == 1, found
    return found[0]


async def rows(bot: DrillBot, model: Any, *where: Any) -> list[Any]:
    """Return every row of ``model`` matching ``where``."""
    async with bot.db.read() as session:
        return list(await session.scalars(select(model).where(*where)))


async def profile(bot: DrillBot, actor: Actor) -> MockProfile | None:
    """Return a member's profile."""
    async with bot.db.read() as session:
        return await session.get(MockProfile, (actor.guild.id, actor.id))


async def config_row(bot: DrillBot, guild_id: int) -> dict[str, Any] | None:
    """Return the stored pairing settings as a plain dict."""
    async with bot.db.read() as session:
        row = await session.get(PairingConfig, guild_id)
        return None if row is None else row.model_dump()


async def rounds_of(bot: DrillBot) -> list[MockRound]:
    """Return every round, oldest first."""
    return sorted(await rows(bot, MockRound), key=lambda r: r.id)


async def groups_of(bot: DrillBot, round_row: MockRound) -> list[tuple[MockGroup, list[int]]]:
    """Return a round's groups that still stand, with their member ids in interview order."""
    groups = await rows(bot, MockGroup, col(MockGroup.round_id) == round_row.id, col(MockGroup.state) != "dissolved")
    out = []
    for group in sorted(groups, key=lambda g: g.id):
        found = await rows(bot, MockGroupMember, col(MockGroupMember.group_id) == group.id)
        out.append((group, [m.user_id for m in sorted(found, key=lambda m: m.position)]))
    return out


async def latest_groups(bot: DrillBot) -> list[tuple[MockGroup, list[int]]]:
    """Return the groups of the latest round."""
    return await groups_of(bot, (await rounds_of(bot))[-1])


def by_id(actors: list[Actor]) -> dict[int, Actor]:
    """Index actors by user id."""
    return {a.id: a for a in actors}
