"""What pair threads and /mock replies say: intros, packs, follow-ups, status and statistics."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import discord

from bot.models import MockGroup, MockProfile
from bot.models.mock import GroupState
from bot.services.mock import period_label
from bot.services.mock.availability import describe_slots, overlap
from bot.services.mock.groups import loop_order
from bot.services.mock.rounds import RoundStats
from bot.services.questions.schema import Question
from bot.text import bullet_list, clip
from cogs.questions.render import add_tables

COLOUR = discord.Colour.purple()


def order_line(user_ids: list[int]) -> str:
    """Say who interviews whom: A→B then swap, or a trio's A→B→C→A."""
    if len(user_ids) == 2:
        a, b = user_ids
        return f"<@{a}> interviews <@{b}> first, then you swap roles for the second half."
    a, b, c = user_ids
    return f"<@{a}> interviews <@{b}>, <@{b}> interviews <@{c}>, and <@{c}> interviews <@{a}>."


def roles_text(user_ids: list[int], me: int) -> str:
    """Say, from one member's side, who interviews whom (a pair swaps halfway; a trio rotates)."""
    index = user_ids.index(me)
    interviewee, interviewer = user_ids[(index + 1) % len(user_ids)], user_ids[index - 1]
    if len(user_ids) == 2 and index == 0:
        return f"you interview <@{interviewee}> first, then swap roles"
    if len(user_ids) == 2:
        return f"<@{interviewer}> interviews you first, then you swap roles"
    return f"you interview <@{interviewee}> and <@{interviewer}> interviews you"


def place_text(group: MockGroup) -> str:
    """Say where a group meets: its thread, or by DM."""
    if group.thread_id and group.state == GroupState.THREADED:
        return f"<#{group.thread_id}>"
    return "by DM" if group.state == GroupState.DM else "not set up yet"


def followup_text(user_ids: list[int]) -> str:
    """The follow-up question, pinging the group's members."""
    who = ", ".join(f"<@{u}>" for u in user_ids)
    return f"{who}: how did this round's mock go? One of you can answer; it helps pair people well."


def intro_text(user_ids: list[int], profiles: dict[int, MockProfile], *, by_dm: bool = False) -> str:
    """The intro of a pair thread (or DM): who, roles, suggested times in each member's zone."""
    lines = [f"👋 {', '.join(f'<@{u}>' for u in user_ids)}: you are paired for this round's mock interview.",
             order_line(user_ids)]  # fmt: skip
    common = overlap(*[profiles[u].slots for u in user_ids if u in profiles])
    if common:
        lines.append("**Times you all marked free:**")
        for user_id in user_ids:
            profile = profiles.get(user_id)
            if profile is not None:
                blocks = ", ".join(describe_slots(common, ZoneInfo(profile.timezone)))
                lines.append(f"• <@{user_id}> ({profile.timezone}): {blocks}")
    else:
        lines.append("Your marked times do not overlap: agree on a time together.")
    if by_dm:
        lines.append("The server has no room for another thread, so this intro comes by DM: "
                     "message each other to set the time.")  # fmt: skip
    lines.append(f"Press **Show my question pack** for the questions *you* ask (only you see it), one per stage "
                 f"of an interview loop in this order: {loop_order()}. Near the end of the round I will ask how "
                 "it went.")  # fmt: skip
    return clip("\n".join(lines), 2000)


def already_ran_text(period_key: str, groups: int, next_round_at: dt.datetime | None) -> str:
    """Answer a /mock pair-now whose period's round already ran: how it went, and when the next round is."""
    period = "two-week period" if period_key.endswith("+2") else "week"
    if next_round_at is None:
        after = "no next round is scheduled (pairing is off)"
    else:
        after = f"the next round is on <t:{int(next_round_at.timestamp())}:F>"
    return f"This {period}'s round already ran ({groups} group(s)); {after}. Nobody was paired again."


# Field limits per question (prompt, tables, rubric, follow-ups, hints), loosest first: the first that
# keeps the four questions inside Discord's 6,000 characters a message is used.
PACK_LIMITS = ((1500, 700, 900, 500, 400), (1000, 500, 700, 300, 0), (800, 400, 600, 0, 0), (600, 300, 450, 0, 0))
PACK_TOTAL = 5800


def pack_embeds(questions: list[Question]) -> list[discord.Embed]:
    """Render the pack for the person the viewer interviews, in the loop's order: prompt, rubric, hints each.

    Each question's model answer is behind its own button (``pack_view``), so the pack fits one message.
    """
    embeds: list[discord.Embed] = []
    for limits in PACK_LIMITS:
        embeds = [_pack_embed(index, question, limits) for index, question in enumerate(questions, start=1)]
        if sum(len(e) for e in embeds) <= PACK_TOTAL:
            break
    if embeds:
        embeds[0].set_author(name=f"Your questions to ask, in this order: {loop_order()}")
        embeds[-1].set_footer(text="Only you see this pack: do not share it with the person you interview.")
    return embeds


def _pack_embed(index: int, question: Question, limits: tuple[int, int, int, int, int]) -> discord.Embed:
    prompt, tables, rubric, follow_ups, hints = limits
    stage = question.round.value if question.round else "question"
    title = f"Q{index} · {stage} · {question.category} · {question.difficulty.value}"
    embed = discord.Embed(title=clip(title, 256), description=clip(question.prompt, prompt), colour=COLOUR)
    add_tables(embed, question, limit=tables)
    embed.add_field(name="A strong answer…", value=bullet_list(question.rubric, rubric), inline=False)
    if question.follow_ups and follow_ups:
        embed.add_field(name="Follow-ups", value=bullet_list(question.follow_ups, follow_ups), inline=False)
    if question.hints and hints:
        embed.add_field(name="Hints if they are stuck", value=bullet_list(question.hints, hints), inline=False)
    return embed


def stats_embed(rows: list[RoundStats]) -> discord.Embed:
    """Render /mock stats: participation only, never feedback content."""
    embed = discord.Embed(title="Mock rounds", colour=COLOUR)
    if not rows:
        embed.description = "No rounds yet."
        return embed
    for row in rows:
        answered = row.met + row.not_met + row.reschedule
        met_rate = f"{row.met / row.groups:.0%}" if row.groups else "—"
        lines = [
            f"{row.groups} groups, {row.members} members, {row.round.repeats} repeat pair(s)",
            f"met {row.met} ({met_rate}), didn't happen {row.not_met}, rescheduled {row.reschedule}, "
            f"no answer {row.groups - answered}",
        ]
        if row.by_dm > row.dm_after_failure:
            lines.append(f"{row.by_dm - row.dm_after_failure} group(s) introduced by DM (thread limit reached)")
        if row.dm_after_failure:
            reason = f": {clip(row.dm_failure, 200)}" if row.dm_failure else ""
            lines.append(f"{row.dm_after_failure} group(s) introduced by DM, their thread failed every time{reason}")
        if row.failed:
            reason = f": {clip(row.failure, 200)}" if row.failure else ""
            lines.append(f"{row.failed} group(s) could not be set up (retried on the next ticks){reason}")
        if row.round.unpaired:
            lines.append(f"{len(row.round.unpaired)} member(s) could not be paired (avoid lists)")
        embed.add_field(name=f"Round · {period_label(row.round.period_key)}", value="\n".join(lines)[:1024],
                        inline=False)  # fmt: skip
    return embed
