"""Messages: multipart uploads, nonce dedupe, history, edits/deletes, member messages and intents."""

from __future__ import annotations

import asyncio
import io

import aiohttp
import discord
import pytest

from discord_standin.server import FakeDiscord

from .fixtures import ClientFactory, FakeTestBot


@pytest.fixture
async def bot(discord_client_factory: ClientFactory) -> FakeTestBot:
    return await discord_client_factory(sync_global=False)


def general(fake: FakeDiscord, bot: FakeTestBot) -> discord.TextChannel:
    channel = bot.get_channel(fake.default.general.id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_multipart_upload_is_stored_with_bytes(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A file sent as multipart (payload_json + files[0]) is stored with its bytes and served back."""
    sent = await general(fake_discord, bot).send("notes", file=discord.File(io.BytesIO(b"a,b\n1,2\n"), "scores.csv"))
    stored = fake_discord.messages(fake_discord.default.general)[-1]
    assert stored.content == "notes"
    assert [(a.filename, a.data, a.content_type) for a in stored.attachments] == [
        ("scores.csv", b"a,b\n1,2\n", "text/csv")
    ]
    assert await sent.attachments[0].read() == b"a,b\n1,2\n"
    assert fake_discord.records.requests_to("POST /channels/*/messages")[-1].files == [("scores.csv", b"a,b\n1,2\n")]


async def test_nonce_dedupe_returns_first_message(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A second create with the same nonce (enforce_nonce) returns the first message instead of posting."""
    channel = general(fake_discord, bot)
    first = await channel.send("daily prompt", nonce=424242)
    second = await channel.send("daily prompt", nonce=424242)
    assert first.id == second.id
    assert len(fake_discord.messages(channel.id)) == 1
    assert len(fake_discord.records.events_named("MESSAGE_CREATE")) == 1
    third = await channel.send("daily prompt", nonce=7)
    assert third.id != first.id


async def test_history_with_limit_before_after(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """History pages newest first and honours before/after."""
    d = fake_discord.default
    seeded = [fake_discord.seed_message(d.general, d.alice, f"m{i}") for i in range(7)]
    channel = general(fake_discord, bot)
    newest = [m.content async for m in channel.history(limit=3)]
    assert newest == ["m6", "m5", "m4"]
    older = [m.content async for m in channel.history(limit=2, before=discord.Object(seeded[4].id))]
    assert older == ["m3", "m2"]
    after = [m.content async for m in channel.history(limit=3, after=discord.Object(seeded[1].id))]
    assert after == ["m2", "m3", "m4"]


async def test_edit_and_delete_rules(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """The bot edits and deletes its own messages; others' need Manage Messages (403 50005 / 50013)."""
    d = fake_discord.default
    channel = general(fake_discord, bot)
    own = await channel.send("draft")
    edited = await own.edit(content="final", embed=discord.Embed(title="T"))
    assert edited.content == "final" and fake_discord.world.messages[own.id].embeds[0]["title"] == "T"
    theirs = await channel.fetch_message(fake_discord.seed_message(d.general, d.alice, "mine").id)
    with pytest.raises(discord.Forbidden) as no_edit:
        await theirs.edit(content="hijack")
    assert no_edit.value.code == 50005
    with pytest.raises(discord.Forbidden) as no_delete:
        await theirs.delete()
    assert no_delete.value.code == 50013
    await own.delete()
    assert own.id not in [m.id for m in fake_discord.messages(channel.id)]
    assert own.id in [m.id for m in fake_discord.all_messages(channel.id)]


async def test_member_message_content_needs_the_intent(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """Without the message-content intent a member's text is blank unless it mentions the bot."""
    d = fake_discord.default
    got: asyncio.Queue[discord.Message] = asyncio.Queue()

    async def on_message(message: discord.Message) -> None:
        await got.put(message)

    bot.add_listener(on_message)
    await d.alice.say(d.general, "plain answer")
    assert (await asyncio.wait_for(got.get(), 2)).content == ""
    await d.alice.say(d.general, f"<@{fake_discord.world.bot.id}> hello")
    assert (await asyncio.wait_for(got.get(), 2)).content.endswith("hello")


async def test_member_message_with_intent(discord_client_factory: ClientFactory, fake_discord: FakeDiscord) -> None:
    """With the intent requested (and enabled for the app), member messages arrive with content."""
    intents = discord.Intents.default()
    intents.message_content = True
    bot = await discord_client_factory(intents=intents, sync_global=False)
    got: asyncio.Future[discord.Message] = asyncio.get_running_loop().create_future()

    async def on_message(message: discord.Message) -> None:
        if not got.done():
            got.set_result(message)

    bot.add_listener(on_message)
    d = fake_discord.default
    question = fake_discord.seed_message(d.general, d.alice, "q")
    await d.bob.say(d.general, "SELECT 1", reply_to=question)
    received = await asyncio.wait_for(got, 2)
    assert received.content == "SELECT 1" and received.author.id == d.bob.id
    assert received.reference is not None and received.reference.message_id == question.id


async def test_privileged_intent_not_enabled_is_refused(
    discord_client_factory: ClientFactory, fake_discord: FakeDiscord
) -> None:
    """Identifying with a privileged intent the app lacks closes the socket with 4014."""
    fake_discord.message_content_intent = False
    intents = discord.Intents.default()
    intents.message_content = True
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await discord_client_factory(intents=intents, sync_global=False)


async def test_rate_limit_headers_and_429_body(fake_discord: FakeDiscord) -> None:
    """Buckets send X-RateLimit headers; an exceeded bucket answers 429 with Via, Retry-After and a JSON body."""
    fake_discord.configure_rate_limits(channel_message_limit=(2, 5.0))
    url = f"{fake_discord.api_base}/channels/{fake_discord.default.general.id}/messages"
    headers = {"Authorization": f"Bot {fake_discord.token}"}
    async with aiohttp.ClientSession() as session:
        statuses = []
        for i in range(3):
            async with session.post(url, json={"content": f"x{i}"}, headers=headers) as response:
                statuses.append(response.status)
                last_headers, last_body = response.headers, await response.json()
                if i == 0:
                    assert response.headers["X-RateLimit-Remaining"] == "1"
                    assert "X-RateLimit-Reset-After" in response.headers
                    assert response.headers["Content-Type"] == "application/json"
    assert statuses == [200, 200, 429]
    assert last_headers["Via"] and last_headers["X-RateLimit-Scope"] == "user" and "Retry-After" in last_headers
    assert last_body["retry_after"] > 0 and last_body["global"] is False and "message" in last_body
    assert fake_discord.records.rate_limited == 1


async def test_global_rate_limit(fake_discord: FakeDiscord) -> None:
    """Past N requests per second the fake answers a global 429."""
    fake_discord.configure_rate_limits(global_rate_limit=3)
    url = f"{fake_discord.api_base}/users/@me"
    headers = {"Authorization": f"Bot {fake_discord.token}"}
    async with aiohttp.ClientSession() as session:
        statuses = []
        for _ in range(4):
            async with session.get(url, headers=headers) as response:
                statuses.append(response.status)
                last = response
        assert statuses == [200, 200, 200, 429]
        assert last.headers["X-RateLimit-Global"] == "true"


async def test_member_edit_and_delete_reach_the_bot(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A member's edit and delete send MESSAGE_UPDATE (content blanked without the intent) and MESSAGE_DELETE."""
    d = fake_discord.default
    said = await d.carol.say(d.general, "first try")
    await d.carol.edit(said, "second try")
    await d.carol.delete(said)
    update = fake_discord.records.events_named("MESSAGE_UPDATE")[-1].data
    assert update["id"] == str(said.id) and update["content"] == ""
    assert fake_discord.records.events_named("MESSAGE_DELETE")[-1].data["id"] == str(said.id)
    assert said not in fake_discord.messages(d.general)
