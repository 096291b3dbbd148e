"""/feedback: peer feedback after a mock (two steps), what a member received, reports for admins."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import admin_only, require_admin
from bot.render.feedback_chart import render_trend, trend_alt_text
from bot.services import feedback as svc
from bot.services.feedback import stats as feedback_stats
from bot.services.mock import period_label
from bot.tree import UserFacingError
from cogs.feedback.render import (
    CHART_NAME,
    feedback_embed,
    fit_embeds,
    form_header,
    notice_text,
    option_label,
    participation_embed,
    summary_embed,
)
from cogs.feedback.views import (
    DYNAMIC_ITEMS,
    OpenSelect,
    PairingSelect,
    ReadButton,
    RecipientButton,
    RemoveButton,
    ReportButton,
    ReportModal,
    TextsModal,
    buttons_view,
    form_view,
)

if TYPE_CHECKING:
    from bot.client import DrillBot

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()
T = TypeVar("T")
NAME_CACHE = 5000


class FeedbackCog(commands.GroupCog, group_name="feedback", group_description="Peer feedback after mock interviews"):
    """Giving feedback, reading what one received, and reports for admins."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        self._names: dict[tuple[int, int], str] = {}
        super().__init__()

    async def cog_load(self) -> None:
        """Route the feedback buttons and selects here (their ids carry what they need)."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        """Stop routing them."""
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # --- commands ------------------------------------------------------------------------------

    @app_commands.command(name="give", description="Give feedback for one of your recent mock pairings")
    async def give(self, interaction: discord.Interaction[Any]) -> None:
        """List the caller's recent pairings and partners to pick from."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            found = await svc.pairings(session=session, guild_id=interaction.guild_id, user_id=interaction.user.id)
        if not found:
            raise UserFacingError("You have no recent mock pairing to give feedback for.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        options = []
        for d in found[:25]:
            name = await self.display_name(interaction.guild_id, d.recipient_id)
            state = "given: pick to edit" if d.given else "not given yet"
            options.append(discord.SelectOption(label=f"{period_label(d.period_key)} · {name}"[:100],
                                                value=f"{d.group_id}:{d.recipient_id}", description=state))  # fmt: skip
        await interaction.followup.send("Whom is your feedback for?", view=buttons_view(PairingSelect(options)),
                                        ephemeral=True)  # fmt: skip

    @app_commands.command(name="mine", description="Feedback you received: averages, trend, latest comments")
    async def mine(self, interaction: discord.Interaction[Any]) -> None:
        """Show the caller's received feedback, with a trend chart (only to them)."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            summary = await feedback_stats.summary(session=session, guild_id=interaction.guild_id,
                                                   user_id=interaction.user.id)  # fmt: skip
            rows = await svc.received(session=session, guild_id=interaction.guild_id, recipient_id=interaction.user.id,
                                      limit=25)  # fmt: skip
        if not summary.count:
            raise UserFacingError("You have not received feedback yet. After a mock, your partner can give it.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        labels = svc.DIMENSION_LABELS
        image = await asyncio.to_thread(render_trend, summary.trend, labels,
                                        title=f"{interaction.user.display_name} · feedback trend")  # fmt: skip
        file = discord.File(io.BytesIO(image), filename=CHART_NAME,
                            description=trend_alt_text(summary.trend, labels))  # fmt: skip
        options = [discord.SelectOption(label=option_label(r), value=str(r.id)) for r in rows]
        await interaction.followup.send(embed=summary_embed(summary, interaction.user.display_name), file=file,
                                        view=buttons_view(OpenSelect(options)), ephemeral=True,
                                        allowed_mentions=NONE)  # fmt: skip

    @app_commands.command(name="reported", description="Read and remove feedback members reported (admins)")
    @admin_only()
    async def reported(self, interaction: discord.Interaction[Any]) -> None:
        """Show the server's reported feedback (the only feedback admins may read), with Remove buttons."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            rows = await svc.reported(session=session, guild_id=interaction.guild_id)
        if not rows:
            await interaction.response.send_message("No reported feedback.", ephemeral=True)
            return
        embeds = fit_embeds([feedback_embed(r, for_admins=True) for r in rows])
        shown = rows[: len(embeds)]
        view = buttons_view(*(RemoveButton(r.id or 0, f"Remove #{r.id}") for r in shown))
        more = "" if len(shown) == len(rows) else " More are waiting: run the command again after handling these."
        await interaction.response.send_message(f"Reported feedback, oldest report first.{more}", embeds=embeds,
                                                view=view, ephemeral=True, allowed_mentions=NONE)  # fmt: skip

    @app_commands.command(name="stats", description="How many members give feedback, per round (admins)")
    @admin_only()
    async def stats(self, interaction: discord.Interaction[Any]) -> None:
        """Show participation counts (never content)."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            rows = await feedback_stats.participation(session=session, guild_id=interaction.guild_id)
        await interaction.response.send_message(embed=participation_embed(rows), ephemeral=True)

    # --- the form ------------------------------------------------------------------------------

    async def start(self, interaction: discord.Interaction[Any], group_id: int) -> None:
        """Answer a Give feedback press: the form for a pair, or a choice of recipient in a trio."""
        async with self.bot.db.read() as session:
            others = await self._refusing(svc.recipients(session=session, group_id=group_id,
                                                         giver_id=interaction.user.id))  # fmt: skip
            guild_id = await svc.pairing_guild(session=session, group_id=group_id)
        if len(others) == 1:
            await self.show_form(interaction, group_id, others[0])
            return
        buttons = [RecipientButton(group_id, u, f"For {await self.display_name(guild_id, u)}") for u in others]
        await interaction.response.send_message(
            "Whom is your feedback for? " + " or ".join(f"<@{u}>" for u in others) + " (one at a time).",
            view=buttons_view(*buttons), ephemeral=True, allowed_mentions=NONE,
        )  # fmt: skip

    async def show_form(self, interaction: discord.Interaction[Any], group_id: int, recipient_id: int) -> None:
        """Send the scores step for one direction, pre-filled from the draft or the stored feedback."""
        async with self.bot.db.read() as session:
            form = await self._refusing(svc.form(session=session, group_id=group_id, giver_id=interaction.user.id,
                                                 recipient_id=recipient_id, now=self.bot.clock.now()))  # fmt: skip
        await interaction.response.send_message(view=form_view(form, form_header(form)), ephemeral=True,
                                                allowed_mentions=NONE)  # fmt: skip

    async def pick_score(
        self, interaction: discord.Interaction[Any], group_id: int, recipient_id: int, dimension: str, value: str
    ) -> None:
        """Store one score in the draft and redraw the form."""
        if not value.isdigit():
            raise UserFacingError("Pick a score from 1 to 5. Nothing was stored.")
        async with self.bot.db.write() as session:
            form = await self._refusing(svc.save_score(
                session=session, group_id=group_id, giver_id=interaction.user.id, recipient_id=recipient_id,
                dimension=dimension, score=int(value), now=self.bot.clock.now()))  # fmt: skip
        await interaction.response.edit_message(view=form_view(form, form_header(form)), allowed_mentions=NONE)

    async def open_texts(self, interaction: discord.Interaction[Any], group_id: int, recipient_id: int) -> None:
        """Open the second step once every score is picked."""
        async with self.bot.db.read() as session:
            form = await self._refusing(svc.form(session=session, group_id=group_id, giver_id=interaction.user.id,
                                                 recipient_id=recipient_id, now=self.bot.clock.now()))  # fmt: skip
        if form.missing:
            missing = ", ".join(svc.DIMENSION_LABELS[d] for d in form.missing)
            raise UserFacingError(f"Pick a score for {missing} first; the scores you picked are kept.")
        await interaction.response.send_modal(TextsModal(self, form))

    async def finish(
        self, interaction: discord.Interaction[Any], group_id: int, recipient_id: int, *, signal: str, strengths: str,
        improve: str,
    ) -> None:  # fmt: skip
        """Store the feedback, confirm, and tell the recipient that feedback arrived (never what it says)."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.bot.db.write() as session:
            done = await self._refusing(svc.finish(
                session=session, group_id=group_id, giver_id=interaction.user.id, recipient_id=recipient_id,
                signal=signal, strengths=strengths, improve=improve, now=self.bot.clock.now()))  # fmt: skip
        until = int(svc.edit_deadline(done.feedback).timestamp())
        verb = "saved" if done.created else "updated"
        await interaction.followup.send(
            f"Feedback {verb}. Only <@{recipient_id}> can read it; you can change it until <t:{until}:f>.",
            ephemeral=True, allowed_mentions=NONE,
        )  # fmt: skip
        if done.created:
            await self._notify(done)

    async def _notify(self, done: svc.Finished) -> None:
        """Tell the recipient in the pair thread (mentioning only them), or by DM when there is no thread."""
        recipient, view = done.feedback.recipient_id, buttons_view(ReadButton(done.feedback.id or 0))
        if done.thread_id is not None:
            try:
                await self.bot.get_partial_messageable(done.thread_id, guild_id=done.guild_id).send(
                    notice_text(recipient, in_thread=True), view=view,
                    allowed_mentions=discord.AllowedMentions(everyone=False, roles=False,
                                                             users=[discord.Object(recipient)]),
                )  # fmt: skip
                return
            except discord.HTTPException as exc:  # the thread is gone or closed to the bot: fall back to a DM
                log.info("feedback notice in thread %s failed: %s", done.thread_id, exc)
        try:
            channel = await self.bot.http.start_private_message(recipient)
            await self.bot.get_partial_messageable(int(channel["id"])).send(notice_text(recipient, in_thread=False),
                                                                            view=view)  # fmt: skip
        except discord.HTTPException as exc:
            log.info("feedback notice DM to %s failed: %s", recipient, exc)

    # --- reading and reporting -----------------------------------------------------------------

    async def read_one(self, interaction: discord.Interaction[Any], feedback_id: int) -> None:
        """Show one feedback to its recipient, with a Report button; anyone else is refused."""
        async with self.bot.db.read() as session:
            row = await self._refusing(svc.for_recipient(session=session, feedback_id=feedback_id,
                                                         user_id=interaction.user.id))  # fmt: skip
        view = buttons_view(ReportButton(row.id or 0)) if row.reported_at is None else None
        await interaction.response.send_message(embed=feedback_embed(row), view=view or discord.utils.MISSING,
                                                ephemeral=True, allowed_mentions=NONE)  # fmt: skip

    async def open_report(self, interaction: discord.Interaction[Any], feedback_id: int) -> None:
        """Open the report modal (recipient only)."""
        async with self.bot.db.read() as session:
            await self._refusing(svc.for_recipient(session=session, feedback_id=feedback_id,
                                                   user_id=interaction.user.id))  # fmt: skip
        await interaction.response.send_modal(ReportModal(self, feedback_id))

    async def report(self, interaction: discord.Interaction[Any], feedback_id: int, note: str) -> None:
        """Mark a feedback reported: admins can now read and remove it."""
        async with self.bot.db.write() as session:
            await self._refusing(svc.report(session=session, feedback_id=feedback_id, user_id=interaction.user.id,
                                            note=note, now=self.bot.clock.now()))  # fmt: skip
        await interaction.response.send_message(
            "Reported. The server's admins can now read this feedback and remove it; the giver is not told.",
            ephemeral=True,
        )

    async def remove(self, interaction: discord.Interaction[Any], feedback_id: int) -> None:
        """Remove a reported feedback (admins; checked again here)."""
        await require_admin(interaction)
        assert interaction.guild_id is not None
        async with self.bot.db.write() as session:
            gone = await svc.remove_reported(session=session, guild_id=interaction.guild_id, feedback_id=feedback_id)
        text = f"Feedback #{feedback_id} removed." if gone else "That feedback is not reported here (or already gone)."
        await interaction.response.send_message(text, ephemeral=True)

    # --- helpers -------------------------------------------------------------------------------

    async def _refusing(self, call: Awaitable[T]) -> T:
        """Await a service call, turning a refusal into a clear ephemeral message."""
        try:
            return await call
        except svc.FeedbackRefused as exc:
            raise UserFacingError(str(exc)) from None

    async def display_name(self, guild_id: int, user_id: int) -> str:
        """Return a member's name in a server (asked once, then remembered), or a neutral stand-in."""
        key = (guild_id, user_id)
        if key not in self._names:
            if len(self._names) >= NAME_CACHE:
                self._names.clear()
            try:
                data: Any = await self.bot.http.get_member(guild_id, user_id)
                user = data.get("user") or {}
                self._names[key] = data.get("nick") or user.get("global_name") or user.get("username") or "member"
            except discord.HTTPException:
                return f"member …{str(user_id)[-4:]}"
        return self._names[key][:60]


async def setup(bot: DrillBot) -> None:
    """Load the cog."""
    await bot.add_cog(FeedbackCog(bot))


__all__ = ["FeedbackCog"]
