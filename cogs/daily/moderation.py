"""Moderation: an admin removes an answer or a review with a context-menu command on the bot's post."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.checks import require_admin
from bot.services.daily import posts as post_svc
from bot.services.daily import removals
from bot.services.errors import Refused
from bot.ui import DrillView

if TYPE_CHECKING:
    from bot.client import DrillBot, Interaction
    from cogs.daily.posts import AnswerPosts

MENU_NAME = "Remove from drill"


def removal_menu(posts: AnswerPosts) -> app_commands.ContextMenu:
    """Return the message context-menu command that removes an answer or review from the drill."""

    async def remove(interaction: Interaction, message: discord.Message) -> None:
        await _remove(posts, interaction, message)

    menu = app_commands.ContextMenu(name=MENU_NAME, callback=remove)
    menu.default_permissions = discord.Permissions(manage_guild=True)
    menu.guild_only = True
    menu.add_check(require_admin)
    return menu


async def _remove(posts: AnswerPosts, interaction: Interaction, message: discord.Message) -> None:
    """Remove the answer or review shown in a bot message (asking which, when it shows several)."""
    assert interaction.guild_id is not None
    async with interaction.client.db.read() as session:
        content = await post_svc.content_of_message(
            session=session, guild_id=interaction.guild_id, message_id=message.id
        )
    if not content.answers and not content.reviews:
        raise Refused("That message is not an answer or review posted by drillbot.")
    if len(content.answers) + len(content.reviews) == 1:
        target = ("answer", content.answers[0].id) if content.answers else ("review", content.reviews[0].id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await _apply(posts, interaction, message, target[0], target[1] or 0)
        return
    view = DrillView(timeout=300)
    options = [
        discord.SelectOption(label=f"{a.display_name or 'answer'} (answer #{a.id})"[:100], value=f"answer:{a.id}")
        for a in content.answers
    ]
    view.add_item(WhichSelect(posts, message, options[:25]))
    await interaction.response.send_message("This message shows several answers. Remove which?", view=view,
                                            ephemeral=True)  # fmt: skip


class WhichSelect(discord.ui.Select[Any]):
    """Pick which of a message's answers to remove."""

    def __init__(self, posts: AnswerPosts, message: discord.Message, options: list[discord.SelectOption]) -> None:
        super().__init__(placeholder="Which one?", options=options)
        self.posts = posts
        self.message = message

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Remove the chosen answer."""
        kind, _, ident = self.values[0].partition(":")
        await interaction.response.defer(ephemeral=True, thinking=True)
        await _apply(self.posts, interaction, self.message, kind, int(ident))


async def _apply(posts: AnswerPosts, interaction: Interaction, message: discord.Message, kind: str, ident: int) -> None:
    assert interaction.guild_id is not None
    bot: DrillBot = interaction.client
    notices: list[int] = []
    async with bot.db.write() as session:
        if kind == "answer":
            notices = await post_svc.review_notices_of(session=session, answer_id=ident)
            removed: Any = await removals.remove_answer(session=session, guild_id=interaction.guild_id,
                                                          answer_id=ident)  # fmt: skip
        else:
            removed = await removals.remove_review(session=session, guild_id=interaction.guild_id, review_id=ident)
    if removed is None:
        await interaction.followup.send("It was already removed.", ephemeral=True)
        return
    channel = bot.get_partial_messageable(message.channel.id, guild_id=interaction.guild_id)
    try:
        if kind == "answer":
            await posts.rerender(channel, message.id)
        else:
            await channel.get_partial_message(message.id).delete()
    except discord.NotFound:
        pass
    for notice_id in notices:  # the review notices of a removed answer go with it
        with contextlib.suppress(discord.HTTPException):
            await channel.get_partial_message(notice_id).delete()
    bot.outbox.wake()
    await interaction.followup.send(f"The {kind} was removed; it no longer counts anywhere.", ephemeral=True)
