"""/streak and /leaderboard, milestone announcements and roles, and the streak heads-up DMs."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.models import OutboxItem
from bot.models.daily import OutboxKind
from bot.render import drawn
from bot.render.heatmap import heatmap_alt_text, render_heatmap
from bot.services import streaks
from bot.services.daily import prompts
from bot.services.streaks import leaderboard
from bot.services.streaks import settings as streak_settings
from bot.services.streaks import views as streak_views
from bot.services.streaks.rules import MAX_FREEZES
from bot.tree import reply
from bot.ui import Persistent, in_time, view_of
from cogs.config_show import milestone_role_problems
from cogs.daily.render import milestone_note

if TYPE_CHECKING:
    from bot.client import DrillBot, Interaction

log = logging.getLogger(__name__)

REMINDER_TICK_SECONDS = 300
REMINDERS_PER_RUN = 100
DM_PACE_SECONDS = 0.5
DMS_CLOSED = 50007
BOARD_CHOICES = [app_commands.Choice(name=b, value=b) for b in leaderboard.BOARDS]
PERIOD_CHOICES = [app_commands.Choice(name=p, value=p) for p in leaderboard.PERIODS]
BOARD_TITLES = {"streak": "Current streak", "best": "Best streak", "answers": "Answers", "reviews": "Reviews given"}


def heads_up_text(current: int, freezes: int, closes: str) -> str:
    """Return the heads-up DM: the streak ends when the prompt closes, unless a freeze covers the day."""
    if freezes:
        return (
            f"Heads-up: today's drill prompt closes {closes}. Answer it to keep your {current}-day streak "
            f"growing; otherwise one of your {freezes} freeze(s) will be spent. Use /drill answer in the server."
        )
    return (
        f"Heads-up: your {current}-day drill streak ends {closes} unless you answer today's prompt. "
        "Use /drill answer in the server."
    )


async def show_board(
    interaction: Interaction,
    *,
    board: leaderboard.Board,
    period: leaderboard.Period,
    edit: bool,
    after: leaderboard.Boundary | None = None,
    before: leaderboard.Boundary | None = None,
) -> None:
    """Render a leaderboard page with the caller's own rank, as a new reply or in place."""
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.read() as session:
        shown = await leaderboard.board(session=session, guild_id=interaction.guild_id, board=board, period=period,
                                        now=bot.clock.now(), user_id=interaction.user.id, after=after,
                                        before=before)  # fmt: skip
    entries, mine = shown.entries, shown.mine
    scope = "" if board == "streak" or period == "all-time" else f" · this {period}"
    embed = discord.Embed(title=f"Leaderboard · {BOARD_TITLES[board]}{scope}", colour=discord.Colour.gold())
    lines = [f"**{e.rank}.** <@{e.user_id}> — {e.value}" for e in entries]
    embed.description = "\n".join(lines) if lines else "Nobody is on this board yet."
    you = f"You: #{mine.rank} — {mine.value}" if mine else "You are not on this board yet."
    embed.set_footer(text=f"{you} · page {shown.number + 1} of {shown.pages}")
    first, last = (entries[0], entries[-1]) if entries else (None, None)
    up = leaderboard.Boundary(first.value, first.user_id) if first and first.rank > 1 else None
    down = leaderboard.Boundary(last.value, last.user_id) if last and last.rank < shown.total else None
    view = view_of(LeaderboardButton(board, period, "prev", up), LeaderboardButton(board, period, "next", down))
    if edit:
        await interaction.response.edit_message(embed=embed, view=view)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class LeaderboardButton(Persistent[discord.ui.Button[Any]], prefix="lb"):
    """A page button of /leaderboard that works after a restart.

    It carries the member shown next to it (the last of the page for Next, the first for Previous),
    so the next page is read from that place on the board. A disabled button (the board's end)
    carries no place. Buttons from before places were carried are answered "out of date".
    """

    out_of_date = "This board has moved on: run /leaderboard again."

    def __init__(
        self, board: leaderboard.Board, period: leaderboard.Period, direction: str, mark: leaderboard.Boundary | None
    ) -> None:
        self.board, self.period, self.direction, self.mark = board, period, direction, mark
        super().__init__(
            discord.ui.Button(
                label="◀ Previous" if direction == "prev" else "Next ▶",
                style=discord.ButtonStyle.secondary,
                disabled=mark is None,
                custom_id=self.id_for(board, period, direction, *((mark.value, mark.user_id) if mark else (0, 0))),
            )
        )

    @classmethod
    def decode(cls, board: str, period: str, direction: str, value: str, user: str) -> LeaderboardButton:  # type: ignore[override]
        """Rebuild from the board, the period, the direction and the place."""
        if board not in leaderboard.BOARDS or period not in leaderboard.PERIODS or direction not in ("prev", "next"):
            raise ValueError("not a leaderboard button")
        return cls(board, period, direction, leaderboard.Boundary(int(value), int(user)))

    async def run(self, interaction: Interaction) -> None:
        """Show the page next to the carried place in place."""
        after = self.mark if self.direction == "next" else None
        before = self.mark if self.direction == "prev" else None
        await show_board(interaction, board=self.board, period=self.period, edit=True, after=after, before=before)


class StreaksCog(commands.Cog):
    """Streaks, leaderboards, milestones and reminders."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        """Register the paging buttons, the milestone notes' outbox kind and the reminder job."""
        self.bot.add_dynamic_items(LeaderboardButton)
        self.bot.outbox.register(OutboxKind.MILESTONE, self.post_milestone)
        if self.bot.background_jobs:
            self.bot.add_job("reminders", self.send_reminders, seconds=REMINDER_TICK_SECONDS)

    async def cog_unload(self) -> None:
        """Stop routing buttons here."""
        self.bot.remove_dynamic_items(LeaderboardButton)

    @app_commands.command(name="streak", description="Current and best streak, freezes, and recent weeks")
    @app_commands.describe(member="Whose streak (yours if left out)")
    @app_commands.guild_only()
    async def streak(self, interaction: Interaction, member: discord.Member | None = None) -> None:
        """Show a member's streak with a heat map of the last 12 weeks."""
        assert interaction.guild_id is not None
        guild_id, target = interaction.guild_id, member or interaction.user

        async def card() -> tuple[streak_views.StreakCard, bytes]:
            async with self.bot.db.read() as session:
                found = await streak_views.streak_card(session=session, guild_id=guild_id, user_id=target.id,
                                                       now=self.bot.clock.now())  # fmt: skip
            title = f"{target.display_name} · last 12 weeks"
            return found, await drawn(render_heatmap, found.days, end=found.today, title=title)

        found, image = await in_time(interaction, card())  # the picture may take a while under load
        row, days, today = found.row, found.days, found.today
        alt = heatmap_alt_text(days, end=today)
        embed = discord.Embed(title=f"{target.display_name}'s streak", colour=discord.Colour.orange())
        current = row.current if row else 0
        saved = f" (kept alive by {row.frozen_in_streak} freeze(s))" if row and row.frozen_in_streak else ""
        embed.add_field(name="Current", value=f"{current} prompt day(s){saved}")
        embed.add_field(name="Best", value=str(row.best if row else 0))
        held = f"{row.freezes if row else 0} / {MAX_FREEZES}" if found.freezes_enabled else "off on this server"
        embed.add_field(name="Freezes held", value=held)
        embed.add_field(name="Answers", value=str(row.total_answers if row else 0))
        embed.add_field(name="Reviews given", value=str(row.reviews_given if row else 0))
        embed.set_image(url="attachment://streak.png")
        embed.set_footer(text=alt[:2048])
        await reply(interaction, embed=embed,
                    file=discord.File(io.BytesIO(image), filename="streak.png", description=alt[:1024]))  # fmt: skip

    @app_commands.command(name="leaderboard", description="Top members by streak, best, answers or reviews")
    @app_commands.describe(board="What to rank by", period="all-time, this month, or this week")
    @app_commands.choices(board=BOARD_CHOICES, period=PERIOD_CHOICES)
    @app_commands.guild_only()
    async def leaderboard_(
        self, interaction: Interaction, board: leaderboard.Board = "streak", period: leaderboard.Period = "all-time"
    ) -> None:
        """Show a leaderboard page with the caller's own rank."""
        await show_board(interaction, board=board, period=period, edit=False)

    # --- milestones ------------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_drill_answer(self, result: Any) -> None:
        """Grant a milestone's role, if one is set (the announcement was queued in the outbox with the answer)."""
        milestone = getattr(result, "milestone", None)
        if not milestone:
            return
        self.bot.outbox.wake()  # a plain-message answer queues nothing else, so nothing woke it yet
        await self.grant_milestone_role(result.answer.guild_id, result.answer.user_id, milestone)

    async def post_milestone(self, channel: discord.PartialMessageable, batch: list[OutboxItem]) -> int:
        """Announce a member's milestone in the prompt's thread, mentioning only them (an outbox handler)."""
        item = batch[0]
        user_id, milestone = int(item.payload["user_id"]), int(item.payload["milestone"])
        mentions = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(user_id)])
        note = milestone_note(user_id, milestone)
        message = await channel.send(note, nonce=f"ob{item.id}", allowed_mentions=mentions)
        return message.id

    async def grant_milestone_role(self, guild_id: int, user_id: int, milestone: int) -> None:
        """Give the milestone's role; a missing permission is recorded for /config show, never raised."""
        async with self.bot.db.read() as session:
            settings = await streaks.get_settings(session=session, guild_id=guild_id)
        role_id = settings.milestone_roles.get(str(milestone))
        if role_id is None:
            return
        guild = self.bot.get_guild(guild_id)
        if guild is None:  # not a guild of this process
            return
        problems = milestone_role_problems(guild, {str(milestone): int(role_id)})
        problem = " ".join(problems) or None
        if problem is None:
            try:
                # By ids: without the members intent there is no Member to call add_roles on, and fetching one
                # first would double the requests of a grant.
                await self.bot.http.add_role(guild_id, user_id, int(role_id), reason=f"{milestone}-day drill streak")
            except discord.HTTPException as exc:
                problem = f"Granting <@&{role_id}> failed ({exc.status} {exc.text})."
        async with self.bot.db.write() as session:
            await streak_settings.record_role_error(
                session=session, guild_id=guild_id, error=problem, now=self.bot.clock.now()
            )

    # --- reminders -------------------------------------------------------------------------------

    async def send_reminders(self) -> int:
        """DM opted-in members whose streak would break when the open prompt closes; return how many."""
        now = self.bot.clock.now()
        sent = 0
        async with self.bot.db.read() as session:
            guilds = await prompts.due_guilds(session=session, now=now + dt.timedelta(hours=23))
        for guild_id in guilds:
            if not self.bot.owns_guild(guild_id) or sent >= REMINDERS_PER_RUN:
                continue
            try:
                sent += await self._remind_guild(guild_id, now, REMINDERS_PER_RUN - sent)
            except Exception:  # one guild's bad setting or failure never stops the others' reminders
                log.exception("guild %s: streak reminders failed; tried again next run", guild_id)
        return sent

    async def _remind_guild(self, guild_id: int, now: dt.datetime, budget: int) -> int:
        async with self.bot.db.read() as session:
            schedule = await prompts.get_schedule(session=session, guild_id=guild_id)
            settings = await streaks.get_settings(session=session, guild_id=guild_id)
            prompt = await prompts.current_prompt(session=session, guild_id=guild_id)
            if schedule is None or schedule.next_post_at is None or prompt is None or prompt.id is None:
                return 0
            if not schedule.next_post_at - dt.timedelta(hours=settings.heads_up_hours) <= now < schedule.next_post_at:
                return 0
            members = await streak_views.members_to_remind(
                session=session, guild_id=guild_id, prompt_id=prompt.id, limit=budget
            )
        closes = f"<t:{int(schedule.next_post_at.timestamp())}:R>"
        sent = 0
        for member in members:
            async with self.bot.db.write() as session:  # at most once: marked before the DM goes out
                await streak_views.mark_reminded(
                    session=session, guild_id=guild_id, user_id=member.user_id, prompt_id=prompt.id
                )
            closed = False
            try:
                dm = await self.bot.create_dm(discord.Object(member.user_id))
                await dm.send(heads_up_text(member.current, member.freezes if settings.freezes_enabled else 0, closes))
                sent += 1
            except discord.HTTPException as exc:
                closed = exc.code == DMS_CLOSED or isinstance(exc, discord.Forbidden)
            if closed:
                async with self.bot.db.write() as session:
                    await streak_views.mark_reminded(session=session, guild_id=guild_id, user_id=member.user_id,
                                                     prompt_id=prompt.id, dm_closed=True)  # fmt: skip
            await asyncio.sleep(DM_PACE_SECONDS)
        return sent


async def setup(bot: DrillBot) -> None:
    """Load the cog."""
    await bot.add_cog(StreaksCog(bot))
