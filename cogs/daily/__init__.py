"""/drill: today's prompt, answering, history, post-now; the plain-message answers in a prompt's thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import admin_only
from bot.services.daily import answers as answer_svc
from bot.services.daily import today as daily_today
from bot.services.daily import tries as try_svc
from bot.services.errors import Refused
from bot.services.questions.schema import CATEGORIES, QUERY_MAX, Difficulty
from bot.services.streaks import views as streak_views
from bot.text import clip, is_blank
from bot.ui import view_of
from cogs.daily.moderation import removal_menu
from cogs.daily.poster import PromptPoster
from cogs.daily.posts import AnswerPosts
from cogs.daily.practice import DYNAMIC_ITEMS as PRACTICE_ITEMS
from cogs.daily.practice import draw as draw_practice
from cogs.daily.render import today_embed
from cogs.daily.tries import open_try_form, run_try
from cogs.daily.views import DYNAMIC_ITEMS, ModelAnswerButton, open_answer_form, show_history
from cogs.feedback.render import practice_value

if TYPE_CHECKING:
    from bot.client import DrillBot, Interaction

POST_TICK_SECONDS = 10


@app_commands.guild_only()
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
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS, *PRACTICE_ITEMS)
        self.posts.register()
        self.bot.tree.add_command(self.removal_menu, override=True)
        if self.bot.background_jobs:
            self.bot.add_job("prompts", self.poster.tick, seconds=POST_TICK_SECONDS)

    async def cog_unload(self) -> None:
        """Stop the prompt job and button routing."""
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS, *PRACTICE_ITEMS)
        self.bot.tree.remove_command(self.removal_menu.name, type=self.removal_menu.type)
        if self.bot.scheduler.get_job("prompts"):
            self.bot.scheduler.remove_job("prompts")

    # --- commands ------------------------------------------------------------------------------

    @app_commands.command(name="today", description="Today's prompt, with a link to its thread")
    async def today(self, interaction: Interaction) -> None:
        """Show the open prompt and whether the caller answered it."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            shown = await daily_today.today(session=session, bank=self.bot.bank, guild_id=interaction.guild_id,
                                            user_id=interaction.user.id)  # fmt: skip
        embed = today_embed(shown.prompt, shown.question, answered=shown.answered, guild_id=interaction.guild_id)
        if shown.practice:
            value = practice_value(*shown.practice, guild_id=interaction.guild_id)
            embed.add_field(name="Practise a weak area", value=value, inline=False)
        if shown.answered and shown.question.solution:  # the model answer opens once the member has answered
            view = view_of(ModelAnswerButton(shown.prompt.id or 0))
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)
            return
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="answer", description="Answer today's prompt (again to edit your answer)")
    async def answer(self, interaction: Interaction) -> None:
        """Open the answer modal for the open prompt."""
        await open_answer_form(interaction, prompt_id=None)

    @app_commands.command(name="practice", description="An extra question just for you, one you have not met")
    @app_commands.describe(category="Only this category", difficulty="Only this difficulty")
    @app_commands.choices(
        category=[app_commands.Choice(name=c, value=c) for c in CATEGORIES],
        difficulty=[app_commands.Choice(name=d.value, value=d.value) for d in Difficulty],
    )
    async def practice(
        self, interaction: Interaction, category: str | None = None, difficulty: str | None = None
    ) -> None:
        """Draw a practice question for the caller; it never counts for streaks or boards."""
        await draw_practice(interaction, category=category, difficulty=difficulty)

    @app_commands.command(name="run", description="Run SQL on a question's data and see the first rows (only you)")
    @app_commands.describe(
        question="The SQL question whose data to use (start typing; your last one if left out)",
        query="The query; leave out to write it in a larger box",
    )
    async def run(
        self,
        interaction: Interaction,
        question: app_commands.Range[str, 1, 40] | None = None,
        query: app_commands.Range[str, 1, QUERY_MAX] | None = None,
    ) -> None:
        """Run a query on a question's dataset; nothing is submitted."""
        if query is None:
            await open_try_form(interaction, question_id=question)
            return
        await run_try(interaction, question_id=question, query=query)

    @run.autocomplete("question")
    async def run_question_autocomplete(self, interaction: Interaction, typed: str) -> list[app_commands.Choice[str]]:
        """Suggest the server's SQL questions that carry data."""
        if interaction.guild_id is None:
            return []
        async with self.bot.db.read() as session:
            found = await try_svc.sql_questions(session=session, bank=self.bot.bank, guild_id=interaction.guild_id,
                                              typed=typed)  # fmt: skip
        return [app_commands.Choice(name=clip(f"{q.id} · {q.prompt}", 100), value=q.id) for q in found]

    @app_commands.command(name="history", description="The prompts a member answered, with review scores")
    @app_commands.describe(member="Whose history (yours if left out)")
    async def history(self, interaction: Interaction, member: discord.Member | None = None) -> None:
        """Show a member's answered prompts, paginated."""
        target = member or interaction.user
        await show_history(interaction, member_id=target.id, page=0, edit=False, name=target.display_name)

    @app_commands.command(name="remind", description="Get a DM before your streak would break (3+ days)")
    @app_commands.describe(state="on: a heads-up DM before the prompt closes if you have not answered; off: none")
    @app_commands.choices(
        state=[app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off", value="off")]
    )
    async def remind(self, interaction: Interaction, state: str) -> None:
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
    async def post_now(self, interaction: Interaction) -> None:
        """Post today's prompt at once, under the one-per-local-day rule."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        claim = await self.poster.post_now(interaction.guild_id)
        link = (
            f"https://discord.com/channels/{interaction.guild_id}/{claim.prompt.channel_id}/{claim.prompt.message_id}"
        )
        verb = "Posted" if claim.fresh else "Today's prompt was already posted"
        await interaction.followup.send(f"{verb}: {link}", ephemeral=True)

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
        if not isinstance(message.channel, discord.Thread) or is_blank(message.content):
            return
        try:
            async with self.bot.db.write() as session:
                result = await answer_svc.submit_thread_message(
                    session=session, guild_id=message.guild.id, thread_id=message.channel.id,
                    user_id=message.author.id, display_name=message.author.display_name,
                    text=message.content, message_id=message.id, now=self.bot.clock.now(),
                )  # fmt: skip
        except Refused:  # a message that cannot count (too long): it stays a plain message
            return
        if result is not None:
            self.bot.dispatch("drill_answer", result)


async def setup(bot: DrillBot) -> None:
    """Load the cog (with its moderation context menu)."""
    await bot.add_cog(DrillCog(bot))


__all__ = ["DrillCog"]
