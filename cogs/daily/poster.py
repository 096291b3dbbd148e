"""Posting the daily prompt: one dispatcher over due rows, carrying each claim to posted-with-thread."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING

import discord

from bot.services.daily import prompts
from bot.services.daily.prompts import Claim
from bot.services.daily.schedule import local_date, parse_timezone
from bot.services.errors import Refused
from bot.services.questions import question_of
from bot.ui import carries
from cogs.daily.render import prompt_embed, thread_name
from cogs.daily.views import AnswerButton, answer_view

if TYPE_CHECKING:
    from bot.client import DrillBot

log = logging.getLogger(__name__)

CONCURRENCY = 32
THREAD_ALREADY_EXISTS = 160004
LOW_POOL_WARNING = 7


def is_permanent(error: discord.HTTPException) -> bool:
    """Tell whether a failure will repeat until an admin acts (missing access or a deleted channel)."""
    return isinstance(error, discord.Forbidden | discord.NotFound)


class PromptPoster:
    """Posts due prompts exactly once per guild and local day, and finishes half-done posts."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        self._in_flight: set[int] = set()
        self._gate = asyncio.Semaphore(CONCURRENCY)
        self._tick_lock = asyncio.Lock()

    async def tick(self) -> int:
        """Carry unfinished posts of today and post every due guild; return how many were posted."""
        async with self._tick_lock:
            now = self.bot.clock.now()
            async with self.bot.db.read() as session:
                unfinished = await prompts.unfinished_prompts(
                    session=session, since=(now - dt.timedelta(days=1)).date()
                )
                due = await prompts.due_guilds(session=session, now=now)
            resumed = [p for p in unfinished if self.bot.owns_guild(p.guild_id) and p.id not in self._in_flight]
            results = await asyncio.gather(
                *(self._resume(p.guild_id, p.id or 0) for p in resumed),
                *(self.post_guild(g) for g in due if self.bot.owns_guild(g)),
                return_exceptions=True,  # one guild's failure never stops the others' posts
            )
            for result in results:
                if isinstance(result, Exception):
                    log.error("a guild's daily post failed; it is tried again next tick", exc_info=result)
            return sum(1 for r in results if r is True)

    async def _resume(self, guild_id: int, prompt_id: int) -> bool:
        async with self._gate, self.bot.db.read() as session:
            prompt = await prompts.prompt_by_id(session=session, prompt_id=prompt_id)
            schedule = await prompts.get_schedule(session=session, guild_id=guild_id)
            if prompt is None or schedule is None or not schedule.enabled:
                return False
            question = await question_of(
                session=session, bank=self.bot.bank, guild_id=guild_id, question_id=prompt.question_id
            )
        if question is None:
            return False
        # A claim is sent on its own local day only; an older one is finished only if its post went out.
        today = local_date(self.bot.clock.now(), parse_timezone(schedule.timezone))
        return await self.carry(Claim(prompt, question, fresh=False), may_send=prompt.local_date == today)

    async def post_guild(self, guild_id: int) -> bool:
        """Claim and post a due guild's prompt; False when nothing was due or it failed."""
        async with self._gate:
            async with self.bot.db.write() as session:
                claim = await prompts.claim_due_prompt(
                    session=session, bank=self.bot.bank, guild_id=guild_id, now=self.bot.clock.now()
                )
            if claim is None:
                return False
            return await self.carry(claim)

    async def post_now(self, guild_id: int) -> Claim:
        """Post today's prompt at once (admin), under the one-per-local-day rule; refused when it cannot be.

        Admins pressing it together wait for one another: the first posts, the others get its link.
        """
        async with self.bot.locks.hold(("post-now", guild_id)):
            return await self._post_now(guild_id)

    async def _post_now(self, guild_id: int) -> Claim:
        async with self.bot.db.write() as session:
            claim = await prompts.claim_now(
                session=session, bank=self.bot.bank, guild_id=guild_id, now=self.bot.clock.now()
            )
        if not claim.fresh and claim.prompt.thread_id is not None:
            return claim
        if claim.prompt.id in self._in_flight:  # the scheduled post is under way: no await between this and carry
            raise Refused("Today's prompt is being posted right now: it will be in the prompts channel in a moment.")
        ok = await self.carry(claim)
        async with self.bot.db.read() as session:
            schedule = await prompts.get_schedule(session=session, guild_id=guild_id)
            fresh = await prompts.prompt_by_id(session=session, prompt_id=claim.prompt.id or 0)
        if not ok or fresh is None:
            raise Refused((schedule.last_error if schedule else None) or "Posting failed; see /config show.")
        return Claim(fresh, claim.question, claim.fresh)

    async def carry(self, claim: Claim, *, may_send: bool = True) -> bool:
        """Take a claim from any state to posted-with-thread; safe to repeat after a crash.

        Without ``may_send`` an unsent claim is only looked for in the channel, and dropped if absent.
        """
        prompt = claim.prompt
        assert prompt.id is not None
        if prompt.id in self._in_flight:
            return False
        self._in_flight.add(prompt.id)
        try:
            return await self._carry(claim, may_send=may_send)
        except discord.HTTPException as exc:
            await self._failed(claim, exc)
            return False
        finally:
            self._in_flight.discard(prompt.id)

    async def _carry(self, claim: Claim, *, may_send: bool) -> bool:
        prompt = claim.prompt
        assert prompt.id is not None
        channel = self.bot.get_partial_messageable(
            prompt.channel_id, guild_id=prompt.guild_id, type=discord.ChannelType.text
        )
        message_id = prompt.message_id
        if message_id is None:
            found = None if claim.fresh else await self._find_marked(channel, prompt.id)
            if found is None and not may_send:
                async with self.bot.db.write() as session:
                    await prompts.drop_unposted_claim(session=session, prompt_id=prompt.id)
                return False
            message_id = found or await self._send(channel, claim)
            async with self.bot.db.write() as session:
                await prompts.mark_sent(session=session, prompt_id=prompt.id, message_id=message_id,
                                        now=self.bot.clock.now())  # fmt: skip
        if prompt.thread_id is None:
            thread_id = await self._open_thread(channel, message_id, claim)
            if thread_id is None:
                return False
            async with self.bot.db.write() as session:
                await prompts.mark_threaded(session=session, prompt_id=prompt.id, thread_id=thread_id)
        if claim.fresh and claim.low_pool is not None and claim.low_pool < LOW_POOL_WARNING:
            await self._warn_low_pool(channel, claim)
        return True

    async def _send(self, channel: discord.PartialMessageable, claim: Claim) -> int:
        async with self.bot.db.read() as session:
            schedule = await prompts.get_schedule(session=session, guild_id=claim.prompt.guild_id)
        role_id = schedule.ping_role_id if schedule else None
        message = await channel.send(
            content=f"<@&{role_id}>" if role_id else None,
            embed=prompt_embed(claim.prompt, claim.question),
            view=answer_view(claim.prompt.id or 0, claim.question),
            nonce=claim.prompt.nonce,
            allowed_mentions=discord.AllowedMentions(everyone=False, users=False,
                                                     roles=[discord.Object(role_id)] if role_id else False),
        )  # fmt: skip
        return message.id

    async def _find_marked(self, channel: discord.PartialMessageable, prompt_id: int) -> int | None:
        """Look in recent history for this prompt's post (its Answer button carries the prompt id)."""
        marker = AnswerButton.id_for(prompt_id)
        bot_id = self.bot.user.id if self.bot.user else None
        async for message in channel.history(limit=prompts.RECOVERY_HISTORY_LIMIT):
            if message.author.id == bot_id and carries(message, marker):
                return message.id
        return None

    async def _open_thread(self, channel: discord.PartialMessageable, message_id: int, claim: Claim) -> int | None:
        """Start the answer thread on the post; None while the guild is unavailable (the next tick finishes it)."""
        if self.bot.get_guild(claim.prompt.guild_id) is None:  # a thread needs the guild in the cache
            log.info("guild %s is unavailable: its prompt's thread waits for the next tick", claim.prompt.guild_id)
            return None
        async with self.bot.db.read() as session:
            schedule = await prompts.get_schedule(session=session, guild_id=claim.prompt.guild_id)
        archive = schedule.archive_minutes if schedule else 1440
        try:
            thread = await channel.get_partial_message(message_id).create_thread(
                name=thread_name(claim.prompt),
                auto_archive_duration=archive,  # type: ignore[arg-type]
            )
        except discord.HTTPException as exc:
            if exc.code == THREAD_ALREADY_EXISTS:
                return message_id  # a thread started from a message shares the message's id
            raise
        return thread.id

    async def _warn_low_pool(self, channel: discord.PartialMessageable, claim: Claim) -> None:
        async with self.bot.db.write() as session:
            first = await prompts.note_low_pool_warning(
                session=session, guild_id=claim.prompt.guild_id, category=claim.prompt.category, cycle=claim.cycle
            )
        if not first:
            return
        text = (
            f"Heads-up for admins: only {claim.low_pool} unused **{claim.prompt.category}** question(s) are left "
            "for this server's tracks before questions start repeating. Add more with `/question add` or "
            "`/question import`."
        )
        try:
            await channel.send(text)
        except discord.HTTPException:
            log.info("could not post the low-pool warning in %s", channel.id)

    async def _failed(self, claim: Claim, exc: discord.HTTPException) -> None:
        permanent = is_permanent(exc)
        reason = f"Posting failed ({exc.status} {exc.text or type(exc).__name__})."
        if permanent:
            reason += " Prompts are off until an admin fixes the channel or permissions and runs /config prompts."
        log.warning("guild %s: %s", claim.prompt.guild_id, reason)
        async with self.bot.db.write() as session:
            await prompts.record_post_failure(
                session=session, guild_id=claim.prompt.guild_id, reason=reason, now=self.bot.clock.now(),
                disable=permanent,
            )  # fmt: skip
            if permanent:
                await prompts.drop_unposted_claim(session=session, prompt_id=claim.prompt.id or 0)
