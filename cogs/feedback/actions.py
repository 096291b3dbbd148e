"""What the feedback buttons, selects and modals do: the two-step form, reading, reporting, removing."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.checks import require_admin
from bot.services import feedback as svc
from bot.services.errors import Refused
from bot.ui import view_of
from cogs.feedback import views
from cogs.feedback.render import feedback_embed, form_header, notice_text

if TYPE_CHECKING:
    from bot.client import Interaction

log = logging.getLogger(__name__)
NONE = discord.AllowedMentions.none()


async def start(interaction: Interaction, group_id: int) -> None:
    """Answer a Give feedback press: the form for a pair, or a choice of recipient in a trio."""
    bot = interaction.client
    async with bot.db.read() as session:
        guild_id, others = await svc.start(session=session, group_id=group_id, giver_id=interaction.user.id)
    if len(others) == 1:
        await show_form(interaction, group_id, others[0])
        return
    buttons = [views.RecipientButton(group_id, u, f"For {await bot.member_name(guild_id, u)}") for u in others]
    await interaction.response.send_message(
        "Whom is your feedback for? " + " or ".join(f"<@{u}>" for u in others) + " (one at a time).",
        view=view_of(*buttons), ephemeral=True, allowed_mentions=NONE,
    )  # fmt: skip


async def show_form(interaction: Interaction, group_id: int, recipient_id: int) -> None:
    """Send the scores step for one direction, pre-filled from the draft or the stored feedback."""
    bot = interaction.client
    async with bot.db.read() as session:
        form = await svc.form(session=session, group_id=group_id, giver_id=interaction.user.id,
                              recipient_id=recipient_id, now=bot.clock.now())  # fmt: skip
    await interaction.response.send_message(view=views.form_view(form, form_header(form)), ephemeral=True,
                                            allowed_mentions=NONE)  # fmt: skip


async def pick_score(interaction: Interaction, group_id: int, recipient_id: int, dimension: str, score: int) -> None:
    """Store one score in the draft and redraw the form."""
    bot = interaction.client
    async with bot.db.write() as session:
        form = await svc.save_score(session=session, group_id=group_id, giver_id=interaction.user.id,
                                    recipient_id=recipient_id, dimension=dimension, score=score,
                                    now=bot.clock.now())  # fmt: skip
    await interaction.response.edit_message(view=views.form_view(form, form_header(form)), allowed_mentions=NONE)


async def open_texts(interaction: Interaction, group_id: int, recipient_id: int) -> None:
    """Open the second step once every score is picked."""
    bot = interaction.client
    async with bot.db.read() as session:
        form = await svc.form(session=session, group_id=group_id, giver_id=interaction.user.id,
                              recipient_id=recipient_id, now=bot.clock.now())  # fmt: skip
    if form.missing:
        missing = ", ".join(svc.DIMENSION_LABELS[d] for d in form.missing)
        raise Refused(f"Pick a score for {missing} first; the scores you picked are kept.")
    await interaction.response.send_modal(views.TextsModal(form))


async def finish(
    interaction: Interaction, group_id: int, recipient_id: int, *, signal: str, strengths: str, improve: str
) -> None:
    """Store the feedback, confirm, and tell the recipient that feedback arrived (never what it says)."""
    bot = interaction.client
    await interaction.response.defer(ephemeral=True, thinking=True)
    async with bot.db.write() as session:
        done = await svc.finish(session=session, group_id=group_id, giver_id=interaction.user.id,
                                recipient_id=recipient_id, signal=signal, strengths=strengths, improve=improve,
                                now=bot.clock.now())  # fmt: skip
    until = int(svc.edit_deadline(done.feedback).timestamp())
    verb = "saved" if done.created else "updated"
    await interaction.followup.send(
        f"Feedback {verb}. Only <@{recipient_id}> can read it; you can change it until <t:{until}:f>.",
        ephemeral=True, allowed_mentions=NONE,
    )  # fmt: skip
    if done.created:
        await _notify(interaction, done)


async def _notify(interaction: Interaction, done: svc.Finished) -> None:
    """Tell the recipient in the pair thread (mentioning only them), or by DM when there is no thread."""
    bot = interaction.client
    recipient, view = done.feedback.recipient_id, view_of(views.ReadButton(done.feedback.id or 0))
    if done.thread_id is not None:
        try:
            await bot.get_partial_messageable(done.thread_id, guild_id=done.guild_id).send(
                notice_text(recipient, in_thread=True), view=view,
                allowed_mentions=discord.AllowedMentions(everyone=False, roles=False,
                                                         users=[discord.Object(recipient)]),
            )  # fmt: skip
            return
        except discord.HTTPException as exc:  # the thread is gone or closed to the bot: fall back to a DM
            log.info("feedback notice in thread %s failed: %s", done.thread_id, exc)
    try:
        dm = await bot.create_dm(discord.Object(recipient))
        await dm.send(notice_text(recipient, in_thread=False), view=view)
    except discord.HTTPException as exc:
        log.info("feedback notice DM to %s failed: %s", recipient, exc)


async def read_one(interaction: Interaction, feedback_id: int) -> None:
    """Show one feedback to its recipient, with a Report button; anyone else is refused."""
    async with interaction.client.db.read() as session:
        row = await svc.for_recipient(session=session, feedback_id=feedback_id, user_id=interaction.user.id)
    view = view_of(views.ReportButton(row.id or 0)) if row.reported_at is None else None
    await interaction.response.send_message(embed=feedback_embed(row), view=view or discord.utils.MISSING,
                                            ephemeral=True, allowed_mentions=NONE)  # fmt: skip


async def open_report(interaction: Interaction, feedback_id: int) -> None:
    """Open the report modal (recipient only)."""
    async with interaction.client.db.read() as session:
        await svc.for_recipient(session=session, feedback_id=feedback_id, user_id=interaction.user.id)
    await interaction.response.send_modal(views.ReportModal(feedback_id))


async def report(interaction: Interaction, feedback_id: int, note: str) -> None:
    """Mark a feedback reported: admins can now read and remove it."""
    bot = interaction.client
    async with bot.db.write() as session:
        await svc.report(session=session, feedback_id=feedback_id, user_id=interaction.user.id, note=note,
                         now=bot.clock.now())  # fmt: skip
    await interaction.response.send_message(
        "Reported. The server's admins can now read this feedback and remove it; the giver is not told.",
        ephemeral=True,
    )


async def remove(interaction: Interaction, feedback_id: int) -> None:
    """Remove a reported feedback (admins; checked again here)."""
    await require_admin(interaction)
    assert interaction.guild_id is not None
    async with interaction.client.db.write() as session:
        gone = await svc.remove_reported(session=session, guild_id=interaction.guild_id, feedback_id=feedback_id)
    text = f"Feedback #{feedback_id} removed." if gone else "That feedback is not reported here (or already gone)."
    await interaction.response.send_message(text, ephemeral=True)
