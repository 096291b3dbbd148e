"""Interaction round trips through the unmodified discord.py client."""

from __future__ import annotations

import asyncio

import pytest

from discord_standin.options import CommandNotAvailable
from discord_standin.server import FakeDiscord

from .fixtures import ClientFactory, FakeTestBot, stop_bot
from .testbot import configure


@pytest.fixture
async def bot(discord_client_factory: ClientFactory, fake_discord: FakeDiscord) -> FakeTestBot:
    bot = await discord_client_factory(configure)
    await fake_discord.wait_for_commands_synced(["drill", "echo", "Remove answer"])
    return bot


async def test_slash_command_round_trip(fake_discord: FakeDiscord, bot: object) -> None:
    """A slash command with typed options gets a public message reply."""
    d = fake_discord.default
    reply = await d.alice.slash(
        "echo", text="ab", count=2, ratio=1.5, flag=True, who=d.bob, where=d.mock, role=d.member_role
    )
    assert reply.kind == "message"
    assert reply.content == "abab ratio=1.5 flag=True who=bob where=mock role=Member"
    assert not reply.ephemeral
    assert reply.message is not None and reply.message in fake_discord.messages(d.general)
    assert fake_discord.records.accepted_acks()[-1].callback_type == 4


async def test_ephemeral_reply_is_hidden_from_channel(fake_discord: FakeDiscord, bot: object) -> None:
    """An ephemeral reply is flagged 64 and is not part of the channel's visible messages."""
    d = fake_discord.default
    reply = await d.alice.slash("echo", text="secret", ephemeral=True)
    assert reply.ephemeral and reply.message is not None
    assert reply.message not in fake_discord.messages(d.general)
    assert reply.message in fake_discord.all_messages(d.general)


async def test_subcommand_group_and_guild_ids(fake_discord: FakeDiscord, bot: object) -> None:
    """Nested subcommands resolve by their name path; min/max values are enforced client-side."""
    reply = await fake_discord.default.alice.slash("drill admin post", times=3)
    assert reply.content == "posted x3" and reply.ephemeral
    with pytest.raises(AssertionError, match="outside"):
        await fake_discord.default.alice.slash("drill admin post", times=9)


async def test_attachment_option_is_readable_and_file_reply_stored(fake_discord: FakeDiscord, bot: object) -> None:
    """An attachment option is hosted by the fake; the bot's multipart reply is stored with its bytes."""
    reply = await fake_discord.default.alice.slash("echo", text="f", file=("q.yaml", b"id: 1\n"))
    assert "file=q.yaml:6" in reply.content
    assert reply.files == [("reversed.bin", b"\n1 :di")]


async def test_button_opens_modal_with_labels_and_submit(fake_discord: FakeDiscord, bot: object) -> None:
    """A button press opens a modal of Label components; submitting it reaches the bot's on_submit."""
    alice = fake_discord.default.alice
    today = await alice.slash("drill today")
    assert today.labels() == ["Answer", "Refresh"]
    modal_reply = await alice.press(today, "Answer")
    assert modal_reply.kind == "modal" and modal_reply.modal is not None
    assert [label for label, _ in modal_reply.modal.inputs()] == ["Answer", "Level"]
    done = await alice.submit_modal(modal_reply, {"Answer": "regularisation", "answer_level": ["hard"]})
    assert done.content == "stored 'regularisation' at hard" and done.ephemeral


async def test_modal_requires_required_fields(fake_discord: FakeDiscord, bot: object) -> None:
    """Discord's client refuses to submit a modal with a required field left empty."""
    alice = fake_discord.default.alice
    modal_reply = await alice.press(await alice.slash("drill today"), "Answer")
    with pytest.raises(AssertionError, match="required"):
        await alice.submit_modal(modal_reply, {"answer_level": ["easy"]})


async def test_select_updates_the_message(fake_discord: FakeDiscord, bot: object) -> None:
    """Choosing select values answers with an update (type 7) that edits the same message."""
    alice = fake_discord.default.alice
    today = await alice.slash("drill today")
    update = await alice.choose(today, "Pick levels", ["easy", "hard"])
    assert update.kind == "update" and update.content == "levels: easy,hard"
    assert update.message is today.message
    with pytest.raises(AssertionError, match="no option"):
        await alice.choose(today, "drill:level", ["impossible"])


async def test_persistent_button_by_custom_id(fake_discord: FakeDiscord, bot: object) -> None:
    """An interaction for an arbitrary custom_id reaches a persistent view (as after a restart)."""
    reply = await fake_discord.default.bob.interact_component("drill:answer")
    assert reply.kind == "modal"


async def test_deferred_reply_then_edit_original(fake_discord: FakeDiscord, bot: object) -> None:
    """A deferral (type 5) resolves once the bot edits @original."""
    reply = await fake_discord.default.alice.slash("slow", ephemeral=True)
    assert reply.kind == "deferred" and reply.content == "done slowly" and reply.ephemeral
    assert reply.message is not None and not reply.message.flags & 128


async def test_deferred_reply_filled_by_first_followup(fake_discord: FakeDiscord, bot: object) -> None:
    """The first followup after a deferral fills the loading message; later ones are new messages."""
    alice = fake_discord.default.alice
    reply = await alice.slash("follow")
    assert reply.content == "first followup"
    await fake_discord.changed.wait_for(lambda: len(reply.followups) == 2, timeout=2, what="second followup")
    second = reply.followups[1]
    assert second.content == "second followup" and second.ephemeral and second is not reply.message


async def test_autocomplete_returns_choices(fake_discord: FakeDiscord, bot: object) -> None:
    """Autocomplete delivers the focused option and returns the bot's choices."""
    choices = await fake_discord.default.alice.autocomplete("ask", "topic", "s")
    assert [c["value"] for c in choices] == ["sql", "statistics", "sampling", "squads"]


async def test_message_context_menu(fake_discord: FakeDiscord, bot: object) -> None:
    """A message context-menu command receives the target message."""
    d = fake_discord.default
    said = await d.bob.say(d.general, "my answer")
    reply = await d.dana.context_menu("Remove answer", said)
    assert reply.content == f"removed {said.id}: my answer"


async def test_default_member_permissions_gate(fake_discord: FakeDiscord, bot: object) -> None:
    """Discord hides admin commands from members; the gate can be bypassed to test run-time checks."""
    d = fake_discord.default
    with pytest.raises(CommandNotAvailable):
        await d.alice.slash("config")
    assert (await d.dana.slash("config")).content == "config shown"
    assert (await d.alice.slash("config", bypass_permissions=True)).content == "config shown"


async def test_unknown_command_is_a_clear_error(fake_discord: FakeDiscord, bot: object) -> None:
    """Running a command that was never synced names it."""
    with pytest.raises(CommandNotAvailable, match="nope"):
        await fake_discord.default.alice.slash("nope")


async def test_deferred_update_then_channel_edit(fake_discord: FakeDiscord, bot: object) -> None:
    """A deferred update (type 6) resolves when the bot edits the message, even via the channel route."""
    alice = fake_discord.default.alice
    today = await alice.slash("drill today")
    update = await alice.press(today, "Refresh")
    assert update.kind == "update" and update.callback_type == 6
    assert update.content == "refreshed" and update.message is today.message


async def test_concurrent_members(fake_discord: FakeDiscord, bot: object) -> None:
    """Interactions from several members at once are each answered."""
    d = fake_discord.default
    actors = [d.alice, d.bob, d.carol, d.dana]
    replies = await asyncio.gather(*(a.slash("echo", text=a.user.username) for a in actors))
    assert [r.content.split()[0] for r in replies] == ["alice", "bob", "carol", "dana"]


async def test_slash_in_dm(fake_discord: FakeDiscord, bot: object) -> None:
    """A command run in the bot's DM arrives with ``user`` (no member) and is answered there."""
    alice = fake_discord.default.alice
    reply = await alice.slash("echo", text="dm", channel=alice.dm_channel)
    assert reply.content.startswith("dm")
    assert reply.interaction.payload["context"] == 1 and "member" not in reply.interaction.payload
    assert reply.message in fake_discord.dms(alice)


async def test_persistent_view_survives_restart(
    fake_discord: FakeDiscord, discord_client_factory: ClientFactory, bot: FakeTestBot
) -> None:
    """A button on a message posted by a previous run reaches the persistent view of a new client."""
    alice = fake_discord.default.alice
    today = await alice.slash("drill today")
    await stop_bot(bot)
    await discord_client_factory(configure, sync_global=False)
    assert fake_discord.gateway.identify_count == 2
    assert (await alice.press(today, "Answer")).kind == "modal"


async def test_build_deliver_and_await_separately(fake_discord: FakeDiscord, bot: object) -> None:
    """An interaction can be built, delivered and awaited in separate steps."""
    session = fake_discord.default.bob.slash_interaction("echo", text="steps")
    await fake_discord.interactions.deliver(session)
    reply = await fake_discord.reply(session)
    assert reply.content.startswith("steps") and reply.interaction is session
