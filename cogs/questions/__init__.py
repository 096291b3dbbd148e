"""/question: the server's bank on top of the shipped one."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import admin_only, is_admin
from bot.services import questions as svc
from bot.services.errors import Refused
from bot.services.questions.loader import QuestionFileError, format_report
from bot.services.questions.schema import CATEGORIES, TRACKS
from bot.text import clip
from cogs.questions.render import EMBEDS_TOTAL_MAX, question_embed, solution_embed
from cogs.questions.views import AddQuestionModal, ListPageButton, show_list_page

if TYPE_CHECKING:
    from bot.client import DrillBot, Interaction

CATEGORY_CHOICES = [app_commands.Choice(name=c, value=c) for c in CATEGORIES]
TRACK_CHOICES = [app_commands.Choice(name=t, value=t) for t in TRACKS]
DIFFICULTY_CHOICES = [app_commands.Choice(name=d, value=d) for d in ("easy", "medium", "hard")]
REPORT_INLINE_LIMIT = 1800


@app_commands.guild_only()
class QuestionsCog(commands.GroupCog, group_name="question", group_description="The question bank"):
    """Show, list and (for admins) add, import, export and retire questions."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        super().__init__()

    async def cog_load(self) -> None:
        """Keep list buttons working across restarts."""
        self.bot.add_dynamic_items(ListPageButton)

    async def cog_unload(self) -> None:
        """Stop routing list buttons here."""
        self.bot.remove_dynamic_items(ListPageButton)

    async def id_autocomplete(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        """Suggest question ids from the shipped bank and this server's own."""
        if interaction.guild_id is None:
            return []
        async with self.bot.db.read() as session:
            found = await svc.search_ids(
                session=session, bank=self.bot.bank, guild_id=interaction.guild_id, text=current
            )
        return [app_commands.Choice(name=clip(f"{q.id} — {q.prompt}", 100), value=q.id) for q in found]

    @app_commands.command(name="show", description="Show one question")
    @app_commands.describe(id="The question id (start typing to search)")
    @app_commands.autocomplete(id=id_autocomplete)
    async def show(self, interaction: Interaction, id: str) -> None:
        """Show a question; admins also see its rubric and hints."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            found = await svc.find_question(
                session=session, bank=self.bot.bank, guild_id=interaction.guild_id, question_id=id.strip()
            )
        if found is None:
            raise Refused(f"There is no question with id `{clip(id, 40)}` on this server.")
        admin = await is_admin(interaction)
        embeds = [question_embed(found, for_interviewer=admin)]
        solution = solution_embed(found.question) if admin else None  # members see it once they answered (/drill)
        if solution is not None and len(embeds[0]) + len(solution) <= EMBEDS_TOTAL_MAX:
            embeds.append(solution)
        await interaction.response.send_message(embeds=embeds, ephemeral=True)
        if solution is not None and len(embeds) == 1:  # too long to travel with the question: its own message
            await interaction.followup.send(embed=solution, ephemeral=True)

    @app_commands.command(name="list", description="List the questions in use, 10 per page")
    @app_commands.describe(category="Only this category", track="Only this track")
    @app_commands.choices(category=CATEGORY_CHOICES, track=TRACK_CHOICES)
    async def list_(self, interaction: Interaction, category: str | None = None, track: str | None = None) -> None:
        """List questions, paginated with buttons."""
        await show_list_page(interaction, page=0, category=category, track=track, edit=False)

    @app_commands.command(name="add", description="Add a question to this server's bank (admins)")
    @app_commands.describe(category="The question's category", difficulty="How hard it is")
    @app_commands.choices(category=CATEGORY_CHOICES, difficulty=DIFFICULTY_CHOICES)
    @admin_only()
    async def add(self, interaction: Interaction, category: str, difficulty: str) -> None:
        """Open the add-question modal."""
        await interaction.response.send_modal(AddQuestionModal(category=category, difficulty=difficulty))

    @app_commands.command(name="import", description="Import questions from a YAML file (admins)")
    @app_commands.describe(file="A YAML file in the question format (see /question export)")
    @admin_only()
    async def import_(self, interaction: Interaction, file: discord.Attachment) -> None:
        """Import a YAML file all-or-nothing, reporting every problem."""
        assert interaction.guild_id is not None
        if file.size > svc.IMPORT_MAX_BYTES:
            raise Refused(f"`{clip(file.filename, 80)}` is larger than {svc.IMPORT_MAX_BYTES // 1024} KiB.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        try:
            async with self.bot.locks.hold(("questions", interaction.guild_id)), self.bot.db.write() as session:
                result = await svc.import_questions(
                    session=session,
                    bank=self.bot.bank,
                    guild_id=interaction.guild_id,
                    data=data,
                    author_id=interaction.user.id,
                    file=file.filename,
                )
        except QuestionFileError as exc:
            await self._send_report(interaction, exc)
            return
        await interaction.followup.send(
            f"Imported `{clip(file.filename, 80)}`: {result.added} added, {result.updated} updated.", ephemeral=True
        )

    async def _send_report(self, interaction: Interaction, exc: QuestionFileError) -> None:
        report = format_report(exc.errors)
        head = f"Nothing was imported: {len(exc.errors)} problem(s)."
        if len(report) <= REPORT_INLINE_LIMIT:
            await interaction.followup.send(f"{head}\n```\n{report}\n```", ephemeral=True)
            return
        data = discord.File(io.BytesIO(report.encode()), filename="import-report.txt")
        await interaction.followup.send(f"{head} The full report is attached.", file=data, ephemeral=True)

    @app_commands.command(name="export", description="Export this server's own questions as YAML (admins)")
    @admin_only()
    async def export(self, interaction: Interaction) -> None:
        """Send the server's questions as a file that /question import accepts."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            text, count = await svc.export_questions(session=session, guild_id=interaction.guild_id)
        if count == 0:
            raise Refused("This server has no questions of its own yet. Add some with /question add or import.")
        data = discord.File(io.BytesIO(text.encode()), filename=f"questions-{interaction.guild_id}.yaml")
        await interaction.response.send_message(f"{count} question(s).", file=data, ephemeral=True)

    @app_commands.command(name="retire", description="Stop using a question on this server (admins)")
    @app_commands.describe(id="The question id", restore="Bring a retired question back instead")
    @app_commands.autocomplete(id=id_autocomplete)
    @admin_only()
    async def retire(self, interaction: Interaction, id: str, restore: bool = False) -> None:
        """Retire (or restore) a shipped or server question for this server."""
        assert interaction.guild_id is not None
        async with self.bot.db.write() as session:
            found = await svc.set_retired(
                session=session,
                bank=self.bot.bank,
                guild_id=interaction.guild_id,
                question_id=id.strip(),
                by=interaction.user.id,
                retired=not restore,
            )
        if found is None:
            raise Refused(f"There is no question with id `{clip(id, 40)}` on this server.")
        verb = "restored" if restore else "retired"
        await interaction.response.send_message(f"`{found.question.id}` {verb} on this server.", ephemeral=True)


async def setup(bot: DrillBot) -> None:
    """Load the cog."""
    await bot.add_cog(QuestionsCog(bot))
