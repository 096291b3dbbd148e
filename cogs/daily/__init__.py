"""/drill: today's prompt, answering, history, post-now; the Answer and Review buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import admin_only
from bot.services.daily import answers as answer_svc
from bot.services.daily import prompts
from bot.services.daily.answers import AnswerRefused
from bot.services.feedback import stats as feedback_stats
from bot.services.questions import find_question
from bot.services.streaks import views as streak_views
from bot.tree import UserFacingError
from cogs.daily.moderation import removal_menu
from cogs.daily.poster import PromptPoster
from cogs.daily.posts import AnswerPosts
from cogs.daily.render import history_embed, today_embed
from cogs.daily.views import AnswerButton, AnswerModal, HistoryButton, ReviewButton, ReviewModal, history_view
from cogs.feedback.render import practice_value

if TYPE_CHECKING:
    from bot.client import DrillBot

HISTORY_PAGE = 5
POST_TICK_SECONDS = 10


class DrillCog(commands.GroupCog, group_name="drill", group_description="The daily interview prompt"):
    """The daily loop's commands, buttons and background jobs."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        self.poster = PromptPoster(bot)
        self.posts = AnswerPosts(bot)
        self.removal_menu = removal_menu(self.posts)
        super().__init__()

    async def cog_load(self) -> None:
        """Register persistent buttons and the dispatcher jobs (the database holds the due work)."""
        self.bot.add_dynamic_items(AnswerButton, ReviewButton, HistoryButton)
        self.posts.register()
        self.bot.tree.add_command(self.removal_menu, override=True)
        if self.bot.background_jobs:
            self.bot.add_job("prompts", self.poster.tick, seconds=POST_TICK_SECONDS)

    async def cog_unload(self) -> None:
        """Stop the prompt job and button routing."""
        self.bot.remove_dynamic_items(AnswerButton, ReviewButton, HistoryButton)
        self.bot.tree.remove_command(self.removal_menu.name, type=self.removal_menu.type)
        if self.bot.scheduler.get_job("prompts"):
            self.bot.scheduler.remove_job("prompts")

    # --- commands ------------------------------------------------------------------------------

    @app_commands.command(name="today", description="Today's prompt, with a link to its thread")
    async def today(self, interaction: discord.Interaction[Any]) -> None:
        """Show the open prompt and whether the caller answered it."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            prompt = await prompts.current_prompt(session=session, guild_id=interaction.guild_id)
            if prompt is None:
                raise UserFacingError("No prompt has been posted on this server yet.")
            found = await find_question(
                session=session, bank=self.bot.bank, guild_id=interaction.guild_id, question_id=prompt.question_id
            )
            mine = await answer_svc.my_answer(session=session, prompt_id=prompt.id or 0, user_id=interaction.user.id)
            practice = await feedback_stats.practice_suggestion(
                session=session, guild_id=interaction.guild_id, user_id=interaction.user.id, exclude_prompt_id=prompt.id
            )
            suggested = practice and await find_question(
                session=session, bank=self.bot.bank, guild_id=interaction.guild_id, question_id=practice.question_id
            )
        if found is None:
            raise UserFacingError("Today's question was removed from this server's bank.")
        embed = today_embed(prompt, found.question, answered=mine is not None, guild_id=interaction.guild_id)
        if practice and suggested:
            value = practice_value(practice, suggested.question, guild_id=interaction.guild_id)
            embed.add_field(name="Practise a weak area", value=value, inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="answer", description="Answer today's prompt (again to edit your answer)")
    async def answer(self, interaction: discord.Interaction[Any]) -> None:
        """Open the answer modal for the open prompt."""
        await self.open_answer_modal(interaction, prompt_id=None)

    @app_commands.command(name="history", description="The prompts a member answered, with review scores")
    @app_commands.describe(member="Whose history (yours if left out)")
    async def history(self, interaction: discord.Interaction[Any], member: discord.Member | None = None) -> None:
        """Show a member's answered prompts, paginated."""
        target = member or interaction.user
        await self.show_history(interaction, member_id=target.id, page=0, edit=False, name=target.display_name)

    @app_commands.command(name="remind", description="Get a DM before your streak would break (3+ days)")
    @app_commands.describe(state="on: a heads-up DM before the prompt closes if you have not answered; off: none")
    @app_commands.choices(
        state=[app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off", value="off")]
    )
    async def remind(self, interaction: discord.Interaction[Any], state: str) -> None:
        """Opt in or out of the streak heads-up."""
        assert interaction.guild_id is not None
        async with self.bot.db.write() as session:
            await streak_views.set_reminders(
                session=session, guild_id=interaction.guild_id, user_id=interaction.user.id, on=state == "on"
            )
        text = (
            "Reminders on: with a streak of 3 or more, you get a DM a few hours before a prompt you have not "
            "answered closes. Keep your DMs from server members open."
            if state == "on"
            else "Reminders off."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="post-now", description="Post today's prompt now if none was posted today (admins)")
    @admin_only()
    async def post_now(self, interaction: discord.Interaction[Any]) -> None:
        """Post today's prompt at once, under the one-per-local-day rule."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            schedule = await prompts.get_schedule(session=session, guild_id=interaction.guild_id)
        if schedule is None or schedule.channel_id is None:
            raise UserFacingError("Set a prompt channel first with /config prompts channel:")
        await interaction.response.defer(ephemeral=True, thinking=True)
        claim, error = await self.poster.post_now(interaction.guild_id)
        if claim is None:
            await interaction.followup.send(error or "Nothing was posted.", ephemeral=True)
            return
        link = (
            f"https://discord.com/channels/{interaction.guild_id}/{claim.prompt.channel_id}/{claim.prompt.message_id}"
        )
        verb = "Posted" if claim.fresh else "Today's prompt was already posted"
        await interaction.followup.send(f"{verb}: {link}", ephemeral=True)

    # --- flows shared by commands and buttons ----------------------------------------------------

    async def open_answer_modal(self, interaction: discord.Interaction[Any], *, prompt_id: int | None) -> None:
        """Open the answer modal, pre-filled with the caller's answer when they already gave one."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            try:
                prompt = await answer_svc.open_prompt(session=session, guild_id=interaction.guild_id,
                                                      prompt_id=prompt_id)  # fmt: skip
            except AnswerRefused as exc:
                raise UserFacingError(str(exc)) from None
            mine = await answer_svc.my_answer(session=session, prompt_id=prompt.id or 0, user_id=interaction.user.id)
        modal = AnswerModal(self, prompt_id=prompt.id or 0, existing=mine.text if mine else None)
        await interaction.response.send_modal(modal)

    async def finish_answer(self, interaction: discord.Interaction[Any], *, prompt_id: int, text: str) -> None:
        """Acknowledge at once, store the answer, and queue its post in the thread."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            async with self.bot.db.write() as session:
                result = await answer_svc.submit_answer(
                    session=session, guild_id=interaction.guild_id, user_id=interaction.user.id,
                    display_name=interaction.user.display_name, text=text, now=self.bot.clock.now(),
                    prompt_id=prompt_id,
                )  # fmt: skip
        except AnswerRefused as exc:
            raise UserFacingError(f"{exc} Your text was not stored.") from None
        thread = f"<#{result.prompt.thread_id}>"
        note = (
            f"Answer saved; it will appear in {thread} in a moment."
            if result.created
            else f"Answer updated in {thread}."
        )
        await interaction.followup.send(note, ephemeral=True)
        self.bot.outbox.wake()
        self.bot.dispatch("drill_answer", result)

    async def open_review_modal(self, interaction: discord.Interaction[Any], *, answer_id: int) -> None:
        """Open the review modal for an answer; the author is refused."""
        async with self.bot.db.read() as session:
            answer = await answer_svc.get_answer(session=session, answer_id=answer_id)
            if answer is None:
                raise UserFacingError("That answer was removed.")
            if answer.user_id == interaction.user.id:
                raise UserFacingError("You cannot review your own answer; ask a peer to review it.")
            mine = await answer_svc.my_review(session=session, answer_id=answer_id, reviewer_id=interaction.user.id)
        current = (mine.structure, mine.clarity, mine.depth, mine.comment) if mine else None
        await interaction.response.send_modal(ReviewModal(self, answer_id=answer_id, current=current))

    async def finish_review(
        self, interaction: discord.Interaction[Any], *, answer_id: int, scores: list[str], comment: str
    ) -> None:
        """Store a submitted review and queue the author's notice."""
        if not all(s.isdigit() for s in scores):
            raise UserFacingError("Pick a score from 1 to 5 for structure, clarity and depth. Nothing was stored.")
        structure, clarity, depth = (int(s) for s in scores)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            async with self.bot.db.write() as session:
                result = await answer_svc.submit_review(
                    session=session, answer_id=answer_id, reviewer_id=interaction.user.id,
                    reviewer_name=interaction.user.display_name, structure=structure, clarity=clarity, depth=depth,
                    comment=comment, now=self.bot.clock.now(),
                )  # fmt: skip
        except AnswerRefused as exc:
            raise UserFacingError(f"{exc} Nothing was stored.") from None
        verb = "saved" if result.created else "updated"
        await interaction.followup.send(f"Review {verb}. The author will be told in the thread.", ephemeral=True)
        self.bot.outbox.wake()
        self.bot.dispatch("drill_review", result)

    async def show_history(
        self, interaction: discord.Interaction[Any], *, member_id: int, page: int, edit: bool, name: str | None = None
    ) -> None:
        """Render a page of a member's history, as a new reply or in place."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            entries, total = await answer_svc.history(
                session=session, guild_id=interaction.guild_id, user_id=member_id,
                offset=page * HISTORY_PAGE, limit=HISTORY_PAGE,
            )  # fmt: skip
        pages = max(1, -(-total // HISTORY_PAGE))
        label = name or (entries[0].answer.display_name if entries else "Member")
        embed = history_embed(entries, member_name=label, page=page, pages=pages, total=total)
        view = history_view(member_id, page, pages)
        if edit:
            await interaction.response.edit_message(embed=embed, view=view)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    # --- plain messages in a prompt's thread (only with the message-content intent) --------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Count a member's plain message in the open prompt's thread as their answer."""
        await self._count_thread_message(message)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Update a plain-message answer when its member edits the message."""
        if "content" in payload.data:
            await self._count_thread_message(payload.message)

    async def _count_thread_message(self, message: discord.Message) -> None:
        if not self.bot.settings.message_content_intent or message.author.bot or message.guild is None:
            return
        if not isinstance(message.channel, discord.Thread) or not message.content.strip():
            return
        try:
            async with self.bot.db.write() as session:
                result = await answer_svc.submit_thread_message(
                    session=session, guild_id=message.guild.id, thread_id=message.channel.id,
                    user_id=message.author.id, display_name=message.author.display_name,
                    text=message.content, message_id=message.id, now=self.bot.clock.now(),
                )  # fmt: skip
        except AnswerRefused:
            return
        if result is not None:
            self.bot.dispatch("drill_answer", result)


async def setup(bot: DrillBot) -> None:
    """Load the cog (with its moderation context menu)."""
    await bot.add_cog(DrillCog(bot))


__all__ = ["DrillCog"]
