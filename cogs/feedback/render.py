"""What feedback replies say: the form header, one feedback, /feedback mine, reports and counts."""

from __future__ import annotations

import discord

from bot.models import DailyPrompt, MockFeedback
from bot.services.feedback import DIMENSION_LABELS, DIMENSIONS, SIGNAL_LABELS, Form, edit_deadline
from bot.services.feedback.stats import RoundParticipation, Summary
from bot.services.mock import period_label
from bot.services.questions.schema import Question
from bot.text import clip

COLOUR = discord.Colour.teal()
CHART_NAME = "feedback-trend.png"


def form_header(form: Form) -> str:
    """Say whom the form is for, what to do, and until when an edit is possible."""
    lines = [f"### Feedback for <@{form.recipient_id}> · step 1 of 2",
             "Score each area from 1 (weak) to 5 (excellent). Each pick is saved as a draft; "
             "press **Continue** for the overall signal and your comments."]  # fmt: skip
    if form.existing is not None:
        lines.append(f"You are editing the feedback you gave; you can change it until "
                     f"<t:{int(edit_deadline(form.existing).timestamp())}:f>.")  # fmt: skip
    if form.missing and form.scores:
        lines.append(f"Still to score: {', '.join(DIMENSION_LABELS[d] for d in form.missing)}.")
    return "\n".join(lines)


def notice_text(recipient_id: int, *, in_thread: bool) -> str:
    """The recipient's notice: that feedback arrived, never what it says."""
    if in_thread:
        return f"📬 <@{recipient_id}>: a partner from this mock sent you feedback. Only you can read it."
    return "📬 A partner from your mock interview sent you feedback. Only you can read it."


def scores_line(row: MockFeedback) -> str:
    """One feedback's scores on one line."""
    return " · ".join(f"{DIMENSION_LABELS[d]} **{getattr(row, d)}**" for d in DIMENSIONS)


def feedback_embed(row: MockFeedback, *, for_admins: bool = False) -> discord.Embed:
    """Render one feedback in full (shown to its recipient, or to admins once reported)."""
    title = "Reported feedback" if for_admins else "Feedback you received"
    who = f"From <@{row.giver_id}> to <@{row.recipient_id}>" if for_admins else f"From <@{row.giver_id}>"
    embed = discord.Embed(title=title, colour=COLOUR, timestamp=row.created_at,
                          description=f"{who}\n{scores_line(row)}\n"
                                      f"Overall signal: **{SIGNAL_LABELS.get(row.signal, row.signal)}**")  # fmt: skip
    embed.add_field(name="Strengths", value=clip(row.strengths or "—", 1024), inline=False)
    embed.add_field(name="To improve", value=clip(row.improve or "—", 1024), inline=False)
    if row.reported_at is not None:
        note = f": {clip(row.report_note, 900)}" if row.report_note else ""
        embed.add_field(name="Reported", value=f"<t:{int(row.reported_at.timestamp())}:f>{note}", inline=False)
    embed.set_footer(text=f"feedback #{row.id}")
    return embed


def fit_embeds(embeds: list[discord.Embed], limit: int = 5800) -> list[discord.Embed]:
    """Keep the leading embeds that fit in one message (Discord allows 6,000 characters in all)."""
    kept: list[discord.Embed] = []
    for embed in embeds:
        if kept and sum(len(e) for e in kept) + len(embed) > limit:
            break
        kept.append(embed)
    return kept


def summary_embed(summary: Summary, name: str) -> discord.Embed:
    """Render /feedback mine: averages, signal distribution, latest comments, and the chart."""
    embed = discord.Embed(title=clip(f"{name} · mock feedback", 256), colour=COLOUR,
                          description=f"{summary.count} feedback received. Only you can see this.")  # fmt: skip
    means = summary.averages
    embed.add_field(name="Average per area (1-5)", inline=False, value="\n".join(
        f"{DIMENSION_LABELS[d]}: **{means[d]:.1f}** {_bar(means[d])}" for d in DIMENSIONS))  # fmt: skip
    embed.add_field(name="Overall signal", inline=False, value=" · ".join(
        f"{SIGNAL_LABELS[s]} **{n}**" for s, n in summary.signals.items()))  # fmt: skip
    for row in summary.latest:
        when = f"<t:{int(row.created_at.timestamp())}:d>"
        text = f"**Strengths:** {clip(row.strengths, 420)}\n**To improve:** {clip(row.improve, 420)}"
        embed.add_field(name=f"Latest · #{row.id}", value=clip(f"{when} from <@{row.giver_id}>\n{text}", 1024),
                        inline=False)  # fmt: skip
    embed.set_image(url=f"attachment://{CHART_NAME}")
    return embed


def _bar(mean: float) -> str:
    filled = round(mean)
    return "▰" * filled + "▱" * (5 - filled)


def option_label(row: MockFeedback) -> str:
    """Label a received feedback in the /feedback mine select."""
    return clip(f"#{row.id} · {row.created_at:%d %b %Y} · {SIGNAL_LABELS.get(row.signal, row.signal)}", 100)


def participation_embed(rows: list[RoundParticipation]) -> discord.Embed:
    """Render /feedback stats: counts per round, never content."""
    embed = discord.Embed(title="Mock feedback · participation", colour=COLOUR)
    if not rows:
        embed.description = "No rounds yet."
        return embed
    for row in rows:
        rate = f"{row.given / row.possible:.0%}" if row.possible else "—"
        value = (f"{row.given} of {row.possible} possible feedback given ({rate}) by {row.givers} member(s) "
                 f"in {row.groups} group(s)" + (f"; {row.reported} reported" if row.reported else ""))  # fmt: skip
        embed.add_field(name=f"Round · {period_label(row.period_key)}", value=value, inline=False)
    embed.set_footer(text="Counts only: feedback content is for its recipient (and admins, once reported).")
    return embed


def practice_value(prompt: DailyPrompt, question: Question, *, guild_id: int) -> str:
    """Suggest a past daily prompt from a weak area (for /drill today), linking its thread."""
    where = prompt.thread_id or prompt.channel_id
    link = f"https://discord.com/channels/{guild_id}/{where}"
    return clip(f"From your feedback, practise **{question.category}**: {clip(question.prompt, 400)}\n"
                f"Posted {prompt.local_date:%d %b %Y} · [its thread]({link})", 700)  # fmt: skip
