"""Running pairing rounds: heads-up, matching, private threads (or DMs), retries and follow-ups."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING, Literal

import discord

from bot.models.mock import Cadence, GroupState, PairingConfig, RoundState
from bot.services import mock
from bot.services.errors import Refused
from bot.services.mock import groups as mock_groups
from bot.services.mock import rounds
from bot.ui import carries
from cogs.mock.render import followup_text, intro_text
from cogs.mock.views import PackButton, followup_view, intro_view

if TYPE_CHECKING:
    from bot.client import DrillBot

log = logging.getLogger(__name__)

UNKNOWN_CHANNEL = 10003
UNKNOWN_MEMBER = 10007
TOO_MANY_THREADS = 160006
HEADS_UP_WINDOW = dt.timedelta(hours=72)  # the longest heads-up /config pairing accepts
LATE_GRACE = dt.timedelta(days=1)  # a scheduled round run later than this counts for the period it runs in
UNPAIRED_TEXT = ("No partner could be matched for you in this mock-interview round, so you could not be paired "
                 "this time. You stay in for the next round.")  # fmt: skip
PAUSED_TEXT = ("You missed the mock follow-up three rounds in a row, so I paused your pairing. "
               "`/mock join` in the server resumes it at once.")  # fmt: skip
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080
INTRO_LOOKBACK = 20


def thread_name(period_key: str, group_id: int) -> str:
    """Return a pair thread's name: deterministic, with the group id, so a retry can find the thread."""
    label = mock.period_label(period_key)
    if label == period_key:  # a day-keyed round from before weekly periods keeps the name its threads got
        label = f"round {period_key}"
    return f"Mock · {label} · #{group_id}"


class ThreadFinder:
    """Looks a group's thread up by name among the guild's active threads, fetched at most once per pass."""

    def __init__(self, bot: DrillBot, guild: discord.Guild, channel_id: int) -> None:
        self.bot, self.guild, self.channel_id = bot, guild, channel_id
        self._by_name: dict[str, discord.Thread] | None = None

    async def get(self, name: str) -> discord.Thread | None:
        """Return the bot's thread of that name in the pairing channel, if one is active."""
        if self._by_name is None:
            mine = self.bot.user.id if self.bot.user else 0
            self._by_name = {t.name: t for t in await self.guild.active_threads()
                             if t.parent_id == self.channel_id and t.owner_id == mine}  # fmt: skip
        return self._by_name.get(name)


class RoundRunner:
    """Runs due rounds and follow-ups for this process's guilds; every step can be repeated safely.

    One lock serialises ticks and /mock pair-now, so a double click or a tick racing a click never
    sets up the same group twice.
    """

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        self._lock = asyncio.Lock()

    async def tick(self) -> None:
        """Retry groups not set up yet, post heads-ups, run due rounds, and post due follow-ups."""
        async with self._lock:
            now = self.bot.clock.now()
            finished = await self._finish_rounds()  # rounds a crash or restart left matched but not opened
            await self._retry_setups(skip=finished)  # before this tick's rounds: a failure waits a tick for its retry
            async with self.bot.db.read() as session:
                configs = await mock.due_configs(session=session, before=now + HEADS_UP_WINDOW)
            for config in configs:
                if not self.bot.owns_guild(config.guild_id) or config.next_round_at is None:
                    continue
                try:
                    await self._tick_guild(config, now)
                except Exception:  # one guild's bad setting or failure never stops the others' rounds
                    log.exception("guild %s: the pairing tick failed; it is tried again next tick", config.guild_id)
            await self._followups(now)

    async def _tick_guild(self, config: PairingConfig, now: dt.datetime) -> None:
        assert config.next_round_at is not None
        heads_up_at = config.next_round_at - dt.timedelta(hours=config.heads_up_hours)
        if (config.heads_up_hours and config.heads_up_for != config.next_round_at
                and heads_up_at <= now < config.next_round_at):  # fmt: skip
            await self._heads_up(config.guild_id, config.channel_id, config.next_round_at)
        if now >= config.next_round_at:
            await self._run_round(config.guild_id, scheduled=True)

    async def _heads_up(self, guild_id: int, channel_id: int | None, at: dt.datetime) -> None:
        async with self.bot.db.write() as session:
            await mock.mark_heads_up(session=session, guild_id=guild_id, at=at)
        if channel_id is None:
            return
        text = (f"⏰ Mock pairing <t:{int(at.timestamp())}:R>. Taking part: `/mock join`. "
                "Need a break: `/mock pause`.")  # fmt: skip
        try:
            await self.bot.get_partial_messageable(channel_id, guild_id=guild_id).send(text)
        except discord.HTTPException as exc:
            log.info("heads-up in %s failed: %s", channel_id, exc)

    async def run_round(self, guild_id: int) -> rounds.RoundResult:
        """Match and set up this period's round now (idempotent per period), then move the schedule on."""
        async with self._lock:
            result = await self._run_round(guild_id)
        if result is None:
            raise Refused("Set a pairing channel first with /config pairing channel:")
        return result

    async def _run_round(self, guild_id: int, *, scheduled: bool = False) -> rounds.RoundResult | None:
        """Run the round of the period holding now (a scheduled round: its scheduled time, unless a day late).

        Then the schedule moves past now and past every period whose round already ran, so a round
        /mock pair-now ran early is not run again (nor announced) at its scheduled time.
        """
        now = self.bot.clock.now()
        async with self.bot.db.write() as session:
            config = await mock.get_config(session=session, guild_id=guild_id)
            if config is None or config.channel_id is None:
                return None
            due = config.next_round_at
            at = due if scheduled and due is not None and now - due < LATE_GRACE else now
            days = 13 if config.cadence == Cadence.BIWEEKLY else 6
            result = await rounds.create_round(
                session=session, guild_id=guild_id, period_key=mock.round_period(config, at), now=now,
                channel_id=config.channel_id, followup_at=now + dt.timedelta(days=days),
            )  # fmt: skip
            if due is not None and due <= now:
                config.next_round_at = mock.next_round(config, now)
            await mock.skip_ran_periods(session=session, config=config)
        await self._finish_round(result.round.id or 0)
        return result

    async def _finish_rounds(self) -> set[int]:
        """Finish the rounds stored as matched but never opened (the process stopped between the steps)."""
        async with self.bot.db.read() as session:
            waiting = await rounds.unfinished_rounds(session=session)
        finished = set()
        for round_id, guild_id in waiting:
            if self.bot.owns_guild(guild_id):
                await self._finish_round(round_id)
                finished.add(round_id)
        return finished

    async def _finish_round(self, round_id: int) -> None:
        """Archive the previous round's threads, set the groups up, open the round, then tell who sat out.

        Each step can be repeated: archiving twice changes nothing, and groups set up already are
        skipped. Only the call that opens the round sends the notices, so they go out once.
        """
        async with self.bot.db.read() as session:
            row = await session.get(rounds.MockRound, round_id)
        if row is None:
            return
        if row.state == RoundState.MATCHED:
            await self._archive_previous(row.guild_id, round_id)
        await self.setup_groups(round_id)
        if row.state != RoundState.MATCHED:
            return
        async with self.bot.db.write() as session:
            opened = await rounds.open_round(session=session, round_id=round_id)
        if opened is not None:
            await self._tell(list(opened.notes.get("unmatched", [])), UNPAIRED_TEXT)
            await self._tell(list(opened.notes.get("paused", [])), PAUSED_TEXT)

    async def _retry_setups(self, skip: set[int]) -> None:
        """Set up groups a failure (or a restart) left without a thread; each has a few attempts."""
        async with self.bot.db.read() as session:
            waiting = await mock_groups.rounds_to_set_up(session=session)
        for round_id, guild_id in waiting:
            if round_id not in skip and self.bot.owns_guild(guild_id):
                await self.setup_groups(round_id)

    async def _archive_previous(self, guild_id: int, round_id: int) -> None:
        """Archive the previous round's threads (one not in the cache is archived already, or gone)."""
        guild = self.bot.get_guild(guild_id)
        async with self.bot.db.read() as session:
            threads = await mock.previous_threads(session=session, guild_id=guild_id, before_round=round_id)
        for thread_id in threads:
            thread = guild.get_thread(thread_id) if guild else None
            if thread is None or thread.archived:
                continue
            try:
                await thread.edit(archived=True, reason="new pairing round")
            except discord.HTTPException as exc:
                log.info("could not archive %s: %s", thread_id, exc)

    async def setup_groups(self, round_id: int, only: set[int] | None = None) -> None:
        """Give every group of the round (or those in ``only``) a private thread, or a DM intro.

        Groups are introduced by DM once the guild has no room for another thread, and a group whose
        thread failed on every attempt is introduced by DM rather than left untold.
        """
        async with self.bot.db.read() as session:
            round_row = await session.get(rounds.MockRound, round_id)
            groups = await rounds.round_groups(session=session, round_id=round_id)
        if round_row is None or round_row.channel_id is None:
            return
        guild = self.bot.get_guild(round_row.guild_id)
        if guild is None:  # unavailable: its groups are set up on a later tick
            log.info("guild %s is unavailable: round %s is set up later", round_row.guild_id, round_id)
            return
        channel = guild.get_channel(round_row.channel_id)
        use_dm = False
        orphans: list[int] = []
        found = ThreadFinder(self.bot, guild, round_row.channel_id)
        for group, members in groups:
            if group.state not in mock_groups.SETUP_STATES or group.attempts >= mock_groups.MAX_ATTEMPTS:
                continue
            if only is not None and group.id not in only:
                continue
            ids = [m.user_id for m in members]
            failure = None
            try:
                if not use_dm and isinstance(channel, discord.TextChannel):
                    orphans += await self._open_thread(channel, round_row, group, ids, found)
                    continue
                if not use_dm:
                    failure = "the pairing channel is gone or not a text channel"
            except discord.HTTPException as exc:
                if exc.code == TOO_MANY_THREADS:
                    use_dm = True
                else:
                    failure = f"{exc.status} ({exc.code}) {exc.text}"
            if failure is not None:
                log.info("setting up group %s failed: %s", group.id, failure)
                async with self.bot.db.write() as session:
                    await mock_groups.mark_group(session=session, group_id=group.id or 0, state=GroupState.FAILED,
                                                 error=failure)  # fmt: skip
                if group.attempts + 1 < mock_groups.MAX_ATTEMPTS:
                    continue  # retried on the next tick; after the last attempt the members meet by DM
            await self._introduce_by_dm(round_row.guild_id, group.id or 0, ids)
        if orphans:
            async with self.bot.db.write() as session:
                regrouped = await mock_groups.regroup(session=session, round_id=round_id,
                                                      guild_id=round_row.guild_id, orphans=orphans)  # fmt: skip
            await self._welcome_joiners(round_row.guild_id, regrouped.joined)
            await self.setup_groups(round_id, only=set(regrouped.joined))
            await self._tell(regrouped.unpaired, UNPAIRED_TEXT)

    async def _open_thread(
        self,
        channel: discord.TextChannel,
        round_row: rounds.MockRound,
        group: rounds.MockGroup,
        ids: list[int],
        found: ThreadFinder,
    ) -> list[int]:
        """Create (or reuse) the group's private thread, add its members, post the intro; return members left alone.

        The group is marked CREATING before the thread is asked for. A later attempt on a group in
        that state (or a failed one: Discord may have made the thread before the error) first looks
        for the thread by its name, which holds the group id, and reuses it.
        """
        group_id = group.id or 0
        name = thread_name(round_row.period_key, group_id)
        thread = await self._recorded_thread(channel.guild, group.thread_id) if group.thread_id else None
        if thread is None and group.state != GroupState.PENDING:
            thread = await found.get(name)
        reused = thread is not None
        if thread is None:
            async with self.bot.db.write() as session:
                await mock_groups.mark_group(session=session, group_id=group_id, state=GroupState.CREATING)
            thread = await channel.create_thread(
                name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES, type=discord.ChannelType.private_thread,
                invitable=False,
            )  # fmt: skip
        if thread.id != group.thread_id:
            async with self.bot.db.write() as session:
                await mock_groups.record_thread(session=session, group_id=group_id, thread_id=thread.id)
        present = []
        for user_id in ids:
            try:
                await thread.add_user(discord.Object(user_id))
                present.append(user_id)
            except discord.NotFound as exc:
                if exc.code == UNKNOWN_CHANNEL and reused:  # the reused thread is gone
                    async with self.bot.db.write() as session:
                        await mock_groups.record_thread(session=session, group_id=group_id, thread_id=None)
                    raise
                if exc.code != UNKNOWN_MEMBER:
                    raise
                async with self.bot.db.write() as session:
                    alone = await mock_groups.remove_departed(session=session, group_id=group_id, user_id=user_id)
                if alone:
                    await thread.delete(reason="pair partner left the server")
                    return alone
        if not (reused and await self._has_intro(thread, group_id)):
            await self._post_intro(thread, round_row.guild_id, group_id, present)
        async with self.bot.db.write() as session:
            await mock_groups.mark_group(
                session=session, group_id=group_id, state=GroupState.THREADED, thread_id=thread.id
            )
        return []

    async def _recorded_thread(self, guild: discord.Guild, thread_id: int) -> discord.Thread | None:
        """Return a group's recorded thread: from the cache, or fetched (only on a retry); None when it is gone."""
        thread = guild.get_thread(thread_id)
        if thread is None:
            try:
                fetched = await guild.fetch_channel(thread_id)
            except discord.NotFound:
                return None
            thread = fetched if isinstance(fetched, discord.Thread) else None
        return thread

    async def _has_intro(self, thread: discord.Thread, group_id: int) -> bool:
        """Say whether a reused thread already holds this group's intro (an attempt stopped after posting it)."""
        wanted, mine = PackButton.id_for(group_id), self.bot.user.id if self.bot.user else 0
        try:
            async for message in thread.history(limit=INTRO_LOOKBACK):
                if message.author.id == mine and carries(message, wanted):
                    return True
        except discord.Forbidden:  # no Read Message History: a second intro beats none
            return False
        return False

    async def _welcome_joiners(self, guild_id: int, joined: dict[int, list[int]]) -> None:
        """Bring members re-paired into a group that already meets into its thread (or its DMs)."""
        for group_id, new_ids in joined.items():
            async with self.bot.db.read() as session:
                group, members = await rounds.get_group(session=session, group_id=group_id)
            try:
                guild = self.bot.get_guild(guild_id)
                if group is not None and group.state == GroupState.THREADED and group.thread_id and guild:
                    thread = await self._recorded_thread(guild, group.thread_id)
                    if thread is None:
                        continue
                    added = [u for u in new_ids if await self._add_joiner(thread, group_id, u)]
                    async with self.bot.db.read() as session:
                        ids = [m.user_id for m in await rounds.group_members(session=session, group_id=group_id)]
                    if added:
                        await self._post_intro(thread, guild_id, group_id, ids)
                elif group is not None and group.state == GroupState.DM:
                    await self._introduce_by_dm(guild_id, group_id, [m.user_id for m in members])
            except discord.HTTPException as exc:
                log.info("could not bring %s into group %s: %s", new_ids, group_id, exc)

    async def _add_joiner(self, thread: discord.Thread, group_id: int, user_id: int) -> bool:
        """Add a re-paired member to a thread; one who has left the server too is taken out again (False)."""
        try:
            await thread.add_user(discord.Object(user_id))
        except discord.NotFound as exc:
            if exc.code != UNKNOWN_MEMBER:
                raise
            async with self.bot.db.write() as session:
                await mock_groups.remove_departed(session=session, group_id=group_id, user_id=user_id)
            return False
        return True

    async def _post_intro(
        self, where: discord.abc.Messageable, guild_id: int, group_id: int, ids: list[int], *, by_dm: bool = False
    ) -> None:
        async with self.bot.db.read() as session:
            profiles = {u: p for u in ids if (p := await mock.profile(session=session, guild_id=guild_id,
                                                                      user_id=u)) is not None}  # fmt: skip
        await where.send(
            intro_text(ids, profiles, by_dm=by_dm), view=intro_view(group_id),
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False,
                                                     users=[discord.Object(u) for u in ids]),
        )  # fmt: skip

    async def _introduce_by_dm(self, guild_id: int, group_id: int, ids: list[int]) -> None:
        reached = 0
        for user_id in ids:
            try:
                dm = await self.bot.create_dm(discord.Object(user_id))
                await self._post_intro(dm, guild_id, group_id, ids, by_dm=True)
                reached += 1
            except discord.HTTPException as exc:
                log.info("DM intro to %s failed: %s", user_id, exc)
        async with self.bot.db.write() as session:
            await mock_groups.mark_group(
                session=session, group_id=group_id, state=GroupState.DM if reached else GroupState.FAILED,
                error=None if reached else "no member could be reached by DM",
            )  # fmt: skip

    async def _tell(self, user_ids: list[int], text: str) -> None:
        for user_id in user_ids:
            try:
                dm = await self.bot.create_dm(discord.Object(user_id))
                await dm.send(text)
            except discord.HTTPException:
                log.info("could not tell %s: %s", user_id, text[:40])

    async def _followups(self, now: dt.datetime) -> None:
        async with self.bot.db.read() as session:
            groups = await mock_groups.due_followups(session=session, now=now)
        for group in groups:
            if not self.bot.owns_guild(group.guild_id):
                continue
            async with self.bot.db.read() as session:
                ids = [m.user_id for m in await rounds.group_members(session=session, group_id=group.id or 0)]
            unreached: list[int] = []
            try:
                if group.state == GroupState.THREADED and group.thread_id is not None:
                    message = await self.bot.get_partial_messageable(group.thread_id, guild_id=group.guild_id).send(
                        followup_text(ids), view=followup_view(group.id or 0),
                        allowed_mentions=discord.AllowedMentions(everyone=False, roles=False,
                                                                 users=[discord.Object(u) for u in ids]),
                    )  # fmt: skip
                    message_id = message.id
                else:
                    message_id, unreached = await self._dm_followup(group.id or 0, ids)
            except discord.HTTPException as exc:
                log.info("follow-up for group %s failed: %s", group.id, exc)
                message_id = rounds.NOT_ASKED  # do not retry forever; the round closes without an answer
            async with self.bot.db.write() as session:
                await mock_groups.mark_followup(session=session, group_id=group.id or 0, message_id=message_id)
                await rounds.note_unasked(session=session, group_id=group.id or 0, user_ids=unreached)

    async def _dm_followup(self, group_id: int, ids: list[int]) -> tuple[int, list[int]]:
        """Ask each member by DM; return the last message id (NOT_ASKED when nobody was reached) and who was not."""
        last, unreached = rounds.NOT_ASKED, []
        for user_id in ids:
            try:
                dm = await self.bot.create_dm(discord.Object(user_id))
                message = await dm.send(followup_text(ids), view=followup_view(group_id))
                last = message.id
            except discord.HTTPException as exc:
                log.info("follow-up DM to %s failed: %s", user_id, exc)
                unreached.append(user_id)
        return last, unreached
