"""Gateway faults (op 7, op 9, dropped sockets), sharding, and 429s that discord.py waits out."""

from __future__ import annotations

import asyncio

import discord
import pytest

from discord_standin.server import FakeDiscord

from .fixtures import ClientFactory, FakeTestBot
from .testbot import configure


@pytest.fixture
async def bot(discord_client_factory: ClientFactory, fake_discord: FakeDiscord) -> FakeTestBot:
    bot = await discord_client_factory(configure)
    await fake_discord.wait_for_commands_synced(["echo"])
    return bot


def connected(fake: FakeDiscord) -> bool:
    return any(s.conn is not None and s.ready for s in fake.gateway.live_sessions())


async def test_rate_limited_callback_is_retried(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A 429 (with Via and retry_after) on the callback route is waited out; the command still answers."""
    fake_discord.faults.rate_limit("POST /interactions/*/*/callback", times=1, retry_after=0.05)
    reply = await fake_discord.default.alice.slash("echo", text="hi")
    assert reply.content.startswith("hi")
    limited = [r for r in fake_discord.records.requests_to("POST /interactions/*/*/callback") if r.status == 429]
    assert len(limited) == 1 and fake_discord.records.rate_limited == 1


async def test_global_rate_limit_on_messages_is_retried(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A global 429 on message creation is retried by discord.py and the message lands once."""
    fake_discord.faults.rate_limit("POST /channels/*/messages", times=2, retry_after=0.05, global_=True)
    channel = bot.get_channel(fake_discord.default.general.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("after the storm")
    assert [m.content for m in fake_discord.messages(channel.id)] == ["after the storm"]
    assert fake_discord.records.rate_limited == 2


async def test_injected_failure_reaches_the_bot(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """fail() answers a chosen status and code."""
    fake_discord.faults.fail("GET /channels/*", status=403, code=50001, times=1)
    with pytest.raises(discord.Forbidden):
        await bot.fetch_channel(fake_discord.default.general.id)
    assert (await bot.fetch_channel(fake_discord.default.general.id)).id == fake_discord.default.general.id


async def test_channel_message_bucket_headers_pace_discord_py(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """With real per-channel buckets, discord.py follows X-RateLimit headers and every message lands."""
    fake_discord.configure_rate_limits(channel_message_limit=(2, 0.2))
    channel = bot.get_channel(fake_discord.default.mock.id)
    assert isinstance(channel, discord.TextChannel)
    for i in range(5):
        await channel.send(f"m{i}")
    assert [m.content for m in fake_discord.messages(channel.id)] == [f"m{i}" for i in range(5)]
    ok = [r for r in fake_discord.records.requests_to("POST /channels/*/messages") if r.status == 200]
    assert len(ok) == 5 and fake_discord.records.rate_limited == 0


async def test_reconnect_op7_resumes(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """After op 7 the client RESUMEs the same session, and the next interaction is answered."""
    sessions_before = set(fake_discord.gateway.sessions)
    await fake_discord.gateway.request_reconnect()
    await fake_discord.changed.wait_for(
        lambda: fake_discord.gateway.resume_count == 1 and connected(fake_discord), timeout=5, what="resume"
    )
    assert set(fake_discord.gateway.sessions) == sessions_before
    assert fake_discord.records.events_named("RESUMED")
    assert (await fake_discord.default.alice.slash("echo", text="back")).content.startswith("back")


async def test_invalid_session_reidentifies(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """After op 9 (not resumable) the client IDENTIFYs again and gets READY + GUILD_CREATE."""
    await fake_discord.gateway.invalidate_session(resumable=False)
    await fake_discord.changed.wait_for(
        lambda: fake_discord.gateway.identify_count == 2 and connected(fake_discord), timeout=5, what="re-identify"
    )
    assert len(fake_discord.records.events_named("READY")) == 2
    assert len(fake_discord.records.events_named("GUILD_CREATE")) == 2
    assert (await fake_discord.default.alice.slash("echo", text="again")).content.startswith("again")


async def test_resumable_invalid_session_resumes(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """After op 9 with d=true the client RESUMEs."""
    await fake_discord.gateway.invalidate_session(resumable=True)
    await fake_discord.changed.wait_for(
        lambda: fake_discord.gateway.resume_count == 1 and connected(fake_discord), timeout=5, what="resume"
    )
    assert fake_discord.gateway.identify_count == 1


async def test_dropped_socket_replays_missed_events(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """Events sent while the socket was down are replayed on RESUME; an interaction sent then is answered."""
    await fake_discord.gateway.drop_connection()
    reply = await fake_discord.default.alice.slash("echo", text="buffered")
    assert reply.content.startswith("buffered")
    assert fake_discord.gateway.resume_count == 1


async def test_two_shards_route_guild_events(discord_client_factory: ClientFactory, fake_discord: FakeDiscord) -> None:
    """With two shards, each guild's GUILD_CREATE and interactions go to (guild_id >> 22) % 2."""
    first = fake_discord.guild
    other = fake_discord.add_guild("Other Guild", guild_id=first.id + (1 << 22))
    fake_discord.add_text_channel(other, "lobby")
    erin = fake_discord.add_member(other, "erin")
    fake_discord.shard_count = 2
    bot = await discord_client_factory(configure)
    await fake_discord.wait_until_ready(2)
    assert bot.shard_count == 2
    shard_of = {e.data["id"]: e.shard_id for e in fake_discord.records.events_named("GUILD_CREATE")}
    assert shard_of == {str(first.id): (first.id >> 22) % 2, str(other.id): (other.id >> 22) % 2}
    assert sorted(e.data["shard"] for e in fake_discord.records.events_named("READY")) == [[0, 2], [1, 2]]
    await fake_discord.wait_for_commands_synced(["echo"])
    reply = await erin.slash("echo", text="sharded")
    assert reply.content.startswith("sharded")
    delivered = fake_discord.records.events_named("INTERACTION_CREATE")[-1]
    assert delivered.shard_id == (other.id >> 22) % 2


async def test_dispatch_to_guild_shard(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """fake.dispatch sends an arbitrary event to the guild's shard."""
    seen: asyncio.Future[discord.Guild] = asyncio.get_running_loop().create_future()

    async def on_guild_update(before: discord.Guild, after: discord.Guild) -> None:
        if not seen.done():
            seen.set_result(after)

    bot.add_listener(on_guild_update)
    guild = fake_discord.guild
    sent = await fake_discord.dispatch(guild.id, "GUILD_UPDATE", {"id": str(guild.id), "name": "Renamed"})
    assert sent == 1
    assert (await asyncio.wait_for(seen, 2)).name == "Renamed"
