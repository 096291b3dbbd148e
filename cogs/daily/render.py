"""Embeds of the daily loop: the prompt post, answers, review notices, history."""

from __future__ import annotations

import discord

from bot.models import Answer, DailyPrompt, Review
from bot.services.daily.answers import HistoryEntry
from bot.services.daily.checking import badge
from bot.services.questions.schema import Question
from bot.text import bullet_list, clip
from cogs.questions.render import add_tables

PROMPT_COLOUR = discord.Colour.gold()
ANSWER_COLOUR = discord.Colour.blue()
EMBED_TOTAL = 6000
MAX_EMBEDS = 10


def prompt_embed(prompt: DailyPrompt, question: Question) -> discord.Embed:
    """Render the daily post: the question, its follow-ups, and how to answer."""
    title = f"Daily prompt · {question.category} · {prompt.local_date:%a %d %b %Y}"
    embed = discord.Embed(title=clip(title, 256), description=clip(question.prompt, 4096), colour=PROMPT_COLOUR)
    add_tables(embed, question)
    if question.follow_ups:
        embed.add_field(name="Go further", value=bullet_list(question.follow_ups), inline=False)
    embed.set_footer(
        text=f"Answer with the button or /drill answer · review a peer's answer in the thread · {question.id}"
    )
    return embed


def thread_name(prompt: DailyPrompt) -> str:
    """Name the answer thread of a prompt (Discord allows 100 characters)."""
    return clip(f"Answers · {prompt.local_date:%d %b} · {prompt.category}", 100)


def answer_embed(answer: Answer, reviews: list[Review]) -> discord.Embed:
    """Render one member's answer with its review summary."""
    text = answer.text or ("A SQL query: press Show query to read it." if answer.query is not None else "")
    embed = discord.Embed(description=clip(text, 4000), colour=ANSWER_COLOUR)
    mark = badge(answer.verdict, after_model_answer=answer.after_model_answer)
    embed.set_author(name=clip(f"{answer.display_name or 'A member'}'s answer {mark}".rstrip(), 256))
    if reviews:
        avg = sum(r.structure + r.clarity + r.depth for r in reviews) / (3 * len(reviews))
        embed.set_footer(text=f"{len(reviews)} review(s) · average {avg:.1f}/5 · answer #{answer.id}")
    else:
        embed.set_footer(text=f"No reviews yet · answer #{answer.id}")
    return embed


def review_notice(review: Review, answer: Answer, reviewer_name: str) -> tuple[str, discord.Embed]:
    """Render the notice telling an author about a review (the author is the one mention)."""
    content = f"<@{answer.user_id}> your answer got a review from {clip(reviewer_name, 80)}."
    embed = discord.Embed(colour=discord.Colour.green())
    embed.add_field(name="Structure", value=f"{review.structure}/5")
    embed.add_field(name="Clarity", value=f"{review.clarity}/5")
    embed.add_field(name="Depth", value=f"{review.depth}/5")
    if review.comment:
        embed.add_field(name="Comment", value=clip(review.comment, 1024), inline=False)
    embed.set_footer(text=f"review #{review.id} of answer #{answer.id}")
    return content, embed


def milestone_note(user_id: int, milestone: int) -> str:
    """Return a milestone announcement: it mentions the member (who alone may be pinged by it)."""
    return f"🎉 <@{user_id}> reached a {milestone}-prompt-day streak!"


def today_embed(prompt: DailyPrompt, question: Question, *, answered: bool, guild_id: int) -> discord.Embed:
    """Render /drill today: the prompt, its thread, and whether the caller answered."""
    embed = prompt_embed(prompt, question)
    if prompt.thread_id:
        link = f"https://discord.com/channels/{guild_id}/{prompt.thread_id}"
        embed.add_field(name="Thread", value=f"[Answers and reviews]({link})", inline=False)
    embed.add_field(
        name="You", value="answered ✅ (answer again to edit)" if answered else "not answered yet", inline=False
    )
    return embed


def history_embed(entries: list[HistoryEntry], *, member_name: str, page: int, pages: int, total: int) -> discord.Embed:
    """Render a page of a member's answered prompts."""
    embed = discord.Embed(title=clip(f"{member_name} — answered prompts", 256), colour=ANSWER_COLOUR)
    lines = []
    for entry in entries:
        score = f"{entry.average:.1f}/5 from {entry.reviews} review(s)" if entry.average is not None else "no reviews"
        lines.append(
            f"**{entry.prompt.local_date:%d %b %Y}** · {entry.prompt.category} · `{entry.prompt.question_id}` · {score}"
        )
    embed.description = "\n".join(lines) if lines else "No answers yet."
    embed.set_footer(text=f"Page {page + 1} of {pages} · {total} answered")
    return embed
