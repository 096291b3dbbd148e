"""/privacy: a member's data as a file, or erased; a server's data purged after the bot is removed."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.models import OutboxItem
from bot.models.daily import OutboxKind, OutboxState
from bot.services import privacy
from bot.services.errors import Refused
from bot.services.privacy import departures
from bot.tree import reply
from bot.ui import Persistent, in_time, view_of

if TYPE_CHECKING:
    from bot.client import DrillBot, Interaction

log = logging.getLogger(__name__)

PURGE_TICK_SECONDS = 600
DELETE_WAIT_SECONDS = 30.0  # how long the reply waits for the bot's posts to be deleted from Discord
DELETE_POLL_SECONDS = 0.2
FILE_LIMIT = 10 * 1024 * 1024  # Discord's attachment limit for bots without boosts
THREAD_ARCHIVED = 50083  # Discord's error code for a change in an archived thread

TABLE_LABELS = {  # table: (one, several)
    "answer": ("answer", "answers"), "review": ("review", "reviews"), "member_streak": ("streak", "streaks"),
    "streak_day": ("streak day", "streak days"), "period_stat": ("weekly/monthly tally", "weekly/monthly tallies"),
    "mock_profile": ("mock profile", "mock profiles"), "mock_avoid": ("avoid-list entry", "avoid-list entries"),
    "mock_group_member": ("pairing", "pairings"), "mock_group": ("pair record updated", "pair records updated"),
    "mock_round": ("round list updated", "round lists updated"),
    "mock_feedback": ("feedback (given or received)", "feedbacks (given and received)"),
    "feedback_draft": ("feedback draft", "feedback drafts"), "outbox": ("queued notice", "queued notices"),
    "server_question": ("question you added (kept, unattributed)", "questions you added (kept, unattributed)"),
    "retired_question": ("question you retired (kept, unattributed)", "questions you retired (kept, unattributed)"),
}  # fmt: skip


class PrivacyButton(Persistent[discord.ui.Button[Any]], prefix="privacy:delete"):
    """Confirm or cancel on /privacy delete's prompt (the id names whose data, so only they can press it)."""

    def __init__(self, user_id: int, action: str) -> None:
        self.user_id = user_id
        self.action = action
        confirm = action == "confirm"
        super().__init__(
            discord.ui.Button(
                label="Erase my data" if confirm else "Cancel",
                style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary,
                custom_id=self.id_for(user_id, action),
            )
        )

    @classmethod
    def decode(cls, user: str, action: str) -> PrivacyButton:  # type: ignore[override]
        """Rebuild from the member and the action."""
        if action not in ("confirm", "cancel"):
            raise ValueError(action)
        return cls(int(user), action)

    async def run(self, interaction: Interaction) -> None:
        """Erase (after the confirm) or leave everything as it is (cancel)."""
        if interaction.user.id != self.user_id:
            raise Refused("This button is for the member who asked to erase their data.")
        if self.action == "cancel":
            await interaction.response.edit_message(content="Cancelled: nothing was erased.", view=None)
            return
        await erase(interaction)


async def erase(interaction: Interaction) -> None:
    """Erase the caller's data, delete the bot's posts of their answers, and reply with a summary."""
    bot = interaction.client
    guild_id = _guild(interaction)
    await interaction.response.defer(ephemeral=True, thinking=True)
    async with bot.locks.hold(("erase", guild_id, interaction.user.id)):  # a double press waits, then finds nothing
        async with bot.db.write() as session:
            erased = await privacy.delete_member(session=session, guild_id=guild_id, user_id=interaction.user.id)
        log.info("erased member data in guild %s: %s rows, %s posts queued for deletion", guild_id,
                 erased.rows, len(erased.deletions))  # fmt: skip
        done, failed, pending = await _wait_deletions(bot, erased)
    await interaction.followup.send(summary(erased, done, failed, pending), ephemeral=True)


async def _wait_deletions(bot: DrillBot, erased: privacy.Erased) -> tuple[int, list[str], int]:
    """Have the outbox delete the queued posts (paced per channel) and wait a while for the outcome."""
    if not erased.deletions and not erased.redraws:
        return 0, [], 0
    bot.outbox.wake()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DELETE_WAIT_SECONDS
    while True:
        async with bot.db.read() as session:
            items = await privacy.pending_deletions(session=session, item_ids=erased.deletions)
        pending = sum(i.state == OutboxState.PENDING for i in items.values())
        if not pending or loop.time() > deadline:
            break
        await asyncio.sleep(DELETE_POLL_SECONDS)
    failed = [i.last_error or "unknown error" for i in items.values() if i.state == OutboxState.FAILED]
    for error in failed:
        log.warning("could not delete an erased member's post: %s", error)
    done = sum(i.state == OutboxState.DONE for i in items.values())
    return done, failed, pending


@app_commands.guild_only()
class PrivacyCog(commands.GroupCog, group_name="privacy", group_description="Your data on this server"):
    """Members' export and erasure; the purge of servers that removed the bot."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        super().__init__()

    async def cog_load(self) -> None:
        """Register the confirm buttons, the deletions' outbox kind and the purge job."""
        self.bot.add_dynamic_items(PrivacyButton)
        self.bot.outbox.register(OutboxKind.MESSAGE_DELETE, self.delete_post)
        if self.bot.background_jobs:
            self.bot.add_job("guild-purge", self.purge_due, seconds=PURGE_TICK_SECONDS)

    async def cog_unload(self) -> None:
        """Stop routing the buttons here and stop the purge job."""
        self.bot.remove_dynamic_items(PrivacyButton)
        if self.bot.scheduler.get_job("guild-purge"):
            self.bot.scheduler.remove_job("guild-purge")

    # --- commands ------------------------------------------------------------------------------

    @app_commands.command(name="export", description="Everything drillbot stores about you on this server, as a file")
    async def export(self, interaction: Interaction) -> None:
        """Send the caller's data as a JSON file, ephemerally."""
        guild_id = _guild(interaction)

        async def collect() -> dict[str, Any]:
            async with self.bot.db.read() as session:
                return await privacy.export(session=session, guild_id=guild_id, user_id=interaction.user.id,
                                            now=self.bot.clock.now())  # fmt: skip

        data = await in_time(interaction, collect())
        body = json.dumps(data, indent=2, ensure_ascii=False).encode()
        if len(body) > FILE_LIMIT:
            body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        if len(body) > FILE_LIMIT:
            await reply(
                interaction,
                "Your data is larger than Discord lets me attach; ask an admin of this server to export it for you.",
            )
            return
        await reply(
            interaction,
            "Everything drillbot stores about you on this server (only you can see this). Your avoid list is "
            "stored as keyed hashes, so it cannot say who is on it.",
            file=discord.File(io.BytesIO(body), filename="drillbot-my-data.json"),
        )

    @app_commands.command(name="delete", description="Erase everything drillbot stores about you on this server")
    async def delete(self, interaction: Interaction) -> None:
        """Ask for a confirmation before erasing anything."""
        _guild(interaction)
        view = view_of(PrivacyButton(interaction.user.id, "confirm"), PrivacyButton(interaction.user.id, "cancel"))
        await interaction.response.send_message(
            "This erases your answers (and the bot's posts of them), the reviews you gave and received, your "
            "streak, your mock-interview profile, pairings and avoid list, and the feedback you gave and received "
            "on this server. It cannot be undone. Members who put you on their avoid list keep that entry, as a "
            "keyed hash, so you are still never paired with them.",
            view=view, ephemeral=True,
        )  # fmt: skip

    async def delete_post(self, channel: discord.PartialMessageable, batch: list[OutboxItem]) -> None:
        """Delete a post of a member who erased their data (an outbox handler); one already gone is fine.

        In an archived thread (50083) the thread is reopened, the post deleted, and the thread closed again.
        """
        message = channel.get_partial_message(batch[0].message_id or 0)
        try:
            await message.delete()
            return
        except discord.NotFound:
            return
        except discord.HTTPException as exc:
            if exc.code != THREAD_ARCHIVED:
                raise
        # Archived threads are not in the cache: one fetch, only on this rare path.
        thread = self.bot.get_channel(channel.id) or await self.bot.fetch_channel(channel.id)
        if not isinstance(thread, discord.Thread):
            return
        await thread.edit(archived=False)
        try:
            with contextlib.suppress(discord.NotFound):
                await message.delete()
        finally:
            await thread.edit(archived=True)

    # --- the bot leaving or joining a server ---------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Start the grace period after which the server's data is purged."""
        if not self.bot.owns_guild(guild.id):
            return
        async with self.bot.db.write() as session:
            row = await departures.record_departure(session=session, guild_id=guild.id, now=self.bot.clock.now(),
                                                    grace_days=self.bot.settings.guild_data_grace_days)  # fmt: skip
        log.info("removed from guild %s: its data is purged after %s", guild.id, row.purge_after.isoformat())

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Servers that removed the bot while it was offline sent no event: start their grace period now."""
        async with self.bot.db.read() as session:
            known = await departures.servers_with_data(session=session)
        gone = sorted(g for g in known if self.bot.owns_guild(g) and self.bot.get_guild(g) is None)
        if not gone:
            return
        async with self.bot.db.write() as session:
            added = await departures.note_missing(session=session, guild_ids=gone, now=self.bot.clock.now(),
                                                  grace_days=self.bot.settings.guild_data_grace_days)  # fmt: skip
        if added:
            log.info("%s servers with data no longer have the bot: purged after %s days unless it returns",
                     added, self.bot.settings.guild_data_grace_days)  # fmt: skip

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """The bot is back: keep the server's data."""
        await self._returned(guild)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """A server seen at start-up (the bot may have been re-added while offline): keep its data."""
        await self._returned(guild)

    async def _returned(self, guild: discord.Guild) -> None:
        if not self.bot.owns_guild(guild.id):
            return
        async with self.bot.db.read() as session:  # every server is "available" at start-up: read first
            if await departures.departure(session=session, guild_id=guild.id) is None:
                return
        async with self.bot.db.write() as session:
            cancelled = await departures.cancel_departure(session=session, guild_id=guild.id)
        if cancelled:
            log.info("back in guild %s: its data is kept", guild.id)

    async def purge_due(self) -> int:
        """Purge every server (of this process's shards) whose grace period is over; return how many."""
        now = self.bot.clock.now()
        async with self.bot.db.read() as session:
            due = await departures.due_departures(session=session, now=now)
        purged = 0
        for guild_id in due:
            if not self.bot.owns_guild(guild_id) or self.bot.get_guild(guild_id) is not None:
                continue
            try:
                async with self.bot.db.write() as session:
                    counts = await departures.purge_guild(session=session, guild_id=guild_id, now=now)
            except Exception:  # one guild's failure never stops the others' purge
                log.exception("guild %s: purge failed; tried again next run", guild_id)
                continue
            if counts is not None:
                purged += 1
                log.info("purged guild %s: %s", guild_id, counts)
        return purged


def _guild(interaction: Interaction) -> int:
    if interaction.guild_id is None:
        raise Refused("Your data is kept per server: use this command in a server.")
    return interaction.guild_id


def summary(erased: privacy.Erased, done: int, failed: list[str], pending: int) -> str:
    """Say what was erased and what happened to the bot's posts."""
    if not erased.rows:
        return "Nothing about you is stored on this server (any earlier request has already erased it)."
    parts = [f"{count} {TABLE_LABELS.get(table, (table, table))[count != 1]}" for table, count in erased.counts.items()]
    lines = ["Erased from this server: " + ", ".join(parts) + "."]
    if erased.deletions:
        lines.append(f"The bot's posts of your answers and reviews: {done} of {len(erased.deletions)} deleted.")
    if pending:
        lines.append(f"{pending} are still being deleted (Discord paces deletions); nothing else is needed.")
    if failed:
        lines.append(f"{len(failed)} could not be deleted ({failed[0][:200]}); an admin can remove them by hand.")
    if erased.redraws:
        lines.append("Posts of other members' answers no longer show your reviews.")
    if erased.own_messages:
        lines.append(
            f"{erased.own_messages} answer(s) you wrote as plain messages in prompt threads are your own Discord "
            "messages: drillbot no longer stores them; delete them in Discord if you wish."
        )
    return "\n".join(lines)


async def setup(bot: DrillBot) -> None:
    """Load the cog."""
    await bot.add_cog(PrivacyCog(bot))


__all__ = ["PrivacyCog", "summary"]
