"""The fake rejects what Discord rejects, with Discord's status codes and JSON error codes."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from discord_standin.interactions import InteractionFailed
from discord_standin.permissions import P
from discord_standin.server import FakeDiscord
from discord_standin.world import Overwrite

from .fixtures import ClientFactory, FakeTestBot
from .testbot import configure


@pytest.fixture
async def bot(discord_client_factory: ClientFactory, fake_discord: FakeDiscord) -> FakeTestBot:
    bot = await discord_client_factory(configure)
    await fake_discord.wait_for_commands_synced(["bigembed", "sixmodal", "late", "twice"])
    return bot


async def test_over_long_embed_is_invalid_form_body(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """An embed description over 4,096 characters answers 400 50035 and is recorded as a violation."""
    with fake_discord.expect_violations() as window:
        reply = await fake_discord.default.alice.slash("bigembed")
    assert reply.content == "rejected 400 50035"
    assert any("description" in m for v in window.seen for m in v.messages)
    assert not fake_discord.violations


async def test_unexpected_violation_is_kept_for_the_fixture(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """Outside expect_violations() a rejected body lands in fake.violations (the fixture fails on it)."""
    await fake_discord.default.alice.slash("bigembed")
    assert len(fake_discord.violations) == 1
    fake_discord.violations.clear()


async def test_sixth_modal_component_is_rejected(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A modal with six top-level components answers 400 50035."""
    with fake_discord.expect_violations():
        reply = await fake_discord.default.alice.slash("sixmodal")
    assert reply.content == "rejected 400 50035"


async def test_late_acknowledgement_is_unknown_interaction(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A callback after the acknowledgement deadline answers 404 10062."""
    fake_discord.ack_deadline = 0.1
    with pytest.raises(InteractionFailed) as failed:
        await fake_discord.default.alice.slash("late", delay=0.25)
    assert (failed.value.status, failed.value.code) == (404, 10062)
    assert fake_discord.records.acks[-1].accepted is False
    assert fake_discord.records.acks[-1].latency > 0.1


async def test_second_acknowledgement_is_refused(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A second callback for the same interaction answers 400 40060."""
    reply = await fake_discord.default.alice.slash("twice")
    assert reply.content == "once"
    await fake_discord.changed.wait_for(lambda: reply.followups, timeout=2, what="the followup")
    assert reply.followups[0].content == "second ack refused: 400 40060"


async def test_post_without_permission_is_forbidden(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """Posting where the bot's role is denied Send Messages answers 403 50013."""
    d = fake_discord.default
    locked = fake_discord.add_text_channel(
        d.guild, "locked", overwrites=[Overwrite(d.bot_role.id, 0, deny=int(P.SEND_MESSAGES))]
    )
    await fake_discord.flush()
    channel = await bot.fetch_channel(locked.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as denied:
        await channel.send("hello")
    assert denied.value.code == 50013
    assert fake_discord.messages(locked) == []


async def test_invisible_channel_is_missing_access(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A channel the bot cannot view answers 403 50001."""
    d = fake_discord.default
    hidden = fake_discord.add_text_channel(
        d.guild, "hidden", overwrites=[Overwrite(d.guild.id, 0, deny=int(P.VIEW_CHANNEL))]
    )
    with pytest.raises(discord.Forbidden) as denied:
        await bot.fetch_channel(hidden.id)
    assert denied.value.code == 50001


async def test_unknown_channel_is_not_found(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """Posting to a channel that does not exist answers 404 10003."""
    with pytest.raises(discord.NotFound) as missing:
        await bot.get_partial_messageable(123456789).send("hello")
    assert missing.value.code == 10003


async def test_unknown_message_and_member(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """Unknown messages and members answer 10008 and 10007."""
    d = fake_discord.default
    channel = bot.get_channel(d.general.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.NotFound) as no_message:
        await channel.fetch_message(42)
    assert no_message.value.code == 10008
    with pytest.raises(discord.NotFound) as no_member:
        await channel.guild.fetch_member(42)
    assert no_member.value.code == 10007


async def test_wrong_token_is_rejected(fake_discord: FakeDiscord) -> None:
    """A token other than the fake's answers 401, which discord.py turns into LoginFailure."""
    client = FakeTestBot(command_prefix="!", intents=discord.Intents.default())
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
    finally:
        await client.close()
    assert fake_discord.records.requests[-1].status == 401


async def test_modal_submit_cannot_open_a_modal(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """Answering a modal submit with another modal is refused (400 50035) and recorded."""
    alice = fake_discord.default.alice
    modal = await alice.slash("modalchain")
    with fake_discord.expect_violations():
        reply = await alice.submit_modal(modal, {"Note": "n"})
    assert reply.content == "chain refused 400 50035"


async def test_slow_network_makes_the_ack_late(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A slow() fault on the callback route counts against the acknowledgement deadline."""
    fake_discord.ack_deadline = 0.1
    fake_discord.faults.slow("POST /interactions/**", 0.15)
    with pytest.raises(InteractionFailed) as failed:
        await fake_discord.default.alice.slash("echo", text="x")
    assert failed.value.code == 10062


async def test_no_answer_times_out_naming_the_command(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """When the bot never answers, the actor fails with an AssertionError naming the command."""
    with pytest.raises(AssertionError, match="/silent"):
        await fake_discord.default.alice.slash("silent", timeout=0.2)


async def test_interaction_token_expires(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """Followups work while the token lives; afterwards they answer 401 50027."""
    reply = await fake_discord.default.alice.slash("echo", text="x")
    app_id, token = fake_discord.world.application.id, reply.interaction.token
    url = f"{fake_discord.api_base}/webhooks/{app_id}/{token}?wait=1"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"content": "in time"}) as ok:
            assert ok.status == 200
        fake_discord.token_lifetime = 0.0
        async with session.post(url, json={"content": "too late"}) as expired:
            assert expired.status == 401 and (await expired.json())["code"] == 50027
    assert [m.content for m in reply.followups] == ["in time"]
