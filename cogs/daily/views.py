"""Answering and reviewing: the persistent buttons, the modals, and the flows the commands share with them."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import discord

from bot.models import Answer
from bot.services.daily import answers, checking, reviews
from bot.services.daily.checking import badge
from bot.services.daily.practice import recent_attempts
from bot.services.errors import Refused
from bot.services.questions.datasets import DIALECT
from bot.services.questions.schema import QUERY_MAX as SQL_MAX
from bot.services.questions.schema import Question
from bot.text import fenced, visible
from bot.tree import reply
from bot.ui import DrillModal, Persistent, in_time, view_of
from cogs.daily.render import history_embed
from cogs.daily.tries import TryQueryButton
from cogs.questions.render import solution_embed

if TYPE_CHECKING:
    from bot.client import Interaction

HISTORY_PAGE = 5
SCORES = [discord.SelectOption(label=str(n), value=str(n)) for n in range(1, 6)]


# --- the flows: a command or a button starts them, a modal finishes them ---------------------------


async def open_answer_form(interaction: Interaction, *, prompt_id: int | None) -> None:
    """Open the answer modal for the open prompt, pre-filled with the caller's answer when they gave one."""
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.read() as session:
        form = await answers.answer_form(session=session, bank=bot.bank, guild_id=interaction.guild_id,
                                         user_id=interaction.user.id, prompt_id=prompt_id)  # fmt: skip
    await interaction.response.send_modal(AnswerModal(prompt_id=form.prompt.id or 0, question=form.question,
                                                      earlier=form.earlier))  # fmt: skip


async def submit_answer(interaction: Interaction, *, prompt_id: int, text: str, final_answer: str | None = None,
                        query: str | None = None) -> None:  # fmt: skip
    """Check what can be checked, store the answer, queue its post in the thread, and confirm.

    The confirmation is the reply itself when that is quick, as it is for a text or a number; a
    query, which the sandbox runs, is acknowledged first. Answers submitted together are stored in
    one transaction (``bot.answer_writes``).
    """
    assert interaction.guild_id is not None
    guild_id, bot = interaction.guild_id, interaction.client
    if query is not None:
        await interaction.response.defer(ephemeral=True, thinking=True)

    async def store() -> tuple[answers.AnswerResult, checking.Check | None, Question | None]:
        async with bot.db.read() as session:
            question = await answers.question_of_prompt(session=session, bank=bot.bank, guild_id=guild_id,
                                                        prompt_id=prompt_id)  # fmt: skip
        check, parts = await check_submission(interaction, question, final_answer=final_answer, query=query)
        result = await bot.answer_writes.submit(answers.Submission(
            guild_id=guild_id, user_id=interaction.user.id, display_name=interaction.user.display_name, text=text,
            now=bot.clock.now(), prompt_id=prompt_id, checked=parts,
        ))  # fmt: skip
        return result, check, question

    result, check, question = await in_time(interaction, store())
    thread = f"<#{result.prompt.thread_id}>"
    note = (
        f"Answer saved; it will appear in {thread} in a moment." if result.created else f"Answer updated in {thread}."
    )
    if check is not None:
        note += "\n" + check.message
    has_model = question is not None and question.solution is not None
    if has_model:
        note += "\nCompare with a model answer when you are ready."
    await reply(interaction, note, view=view_of(ModelAnswerButton(prompt_id)) if has_model else None)
    bot.outbox.wake()
    bot.dispatch("drill_answer", result)


async def check_submission(
    interaction: Interaction, question: Question | None, *, final_answer: str | None, query: str | None
) -> tuple[checking.Check | None, answers.CheckedParts]:
    """Check what an answer gives to check (its query, or its final number) and return what to store with it."""
    check = None
    if question is not None and query is not None:
        member = (interaction.guild_id, interaction.user.id)
        check = await interaction.client.sql.check_answer(question, query, member=member)
    elif question is not None:
        check = checking.check_number(question, final_answer)
    parts = answers.CheckedParts(
        final_answer=visible(final_answer)[: checking.FINAL_ANSWER_MAX] if final_answer and query is None else None,
        query=query, verdict=check.verdict if check else None,
    )  # fmt: skip
    return check, parts


async def show_model_answer(interaction: Interaction, *, prompt_id: int) -> None:
    """Show a daily prompt's model answer to a member who answered it (and remember that they saw it)."""
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.write() as session:
        prompt = await answers.open_model_answer(session=session, guild_id=interaction.guild_id,
                                                 user_id=interaction.user.id, prompt_id=prompt_id,
                                                 now=bot.clock.now())  # fmt: skip
        question = await answers.question_of_prompt(session=session, bank=bot.bank, guild_id=interaction.guild_id,
                                                    prompt_id=prompt.id or 0)  # fmt: skip
    embed = solution_embed(question) if question else None
    if embed is None:
        raise Refused("This question has no model answer yet.")
    await interaction.response.send_message(embed=embed, ephemeral=True)


async def open_review_form(interaction: Interaction, *, answer_id: int) -> None:
    """Open the review modal for an answer, pre-filled with the caller's review; the author is refused."""
    async with interaction.client.db.read() as session:
        earlier = await reviews.review_form(session=session, answer_id=answer_id, reviewer_id=interaction.user.id)
    await interaction.response.send_modal(ReviewModal(answer_id=answer_id, earlier=earlier))


async def submit_review(interaction: Interaction, *, answer_id: int, scores: list[int], comment: str) -> None:
    """Store a submitted review and queue the author's notice."""
    bot = interaction.client
    structure, clarity, depth = scores
    await interaction.response.defer(ephemeral=True, thinking=True)
    async with bot.db.write() as session:
        result = await reviews.submit_review(
            session=session, answer_id=answer_id, reviewer_id=interaction.user.id,
            reviewer_name=interaction.user.display_name, structure=structure, clarity=clarity, depth=depth,
            comment=comment, now=bot.clock.now(),
        )  # fmt: skip
    verb = "saved" if result.created else "updated"
    await interaction.followup.send(f"Review {verb}. The author will be told in the thread.", ephemeral=True)
    bot.outbox.wake()


async def show_history(
    interaction: Interaction, *, member_id: int, page: int, edit: bool, name: str | None = None
) -> None:
    """Render a page of a member's history, as a new reply or in place."""
    assert interaction.guild_id is not None
    own = member_id == interaction.user.id
    async with interaction.client.db.read() as session:
        entries, total = await answers.history(
            session=session, guild_id=interaction.guild_id, user_id=member_id,
            offset=page * HISTORY_PAGE, limit=HISTORY_PAGE,
        )  # fmt: skip
        attempts = await recent_attempts(session=session, guild_id=interaction.guild_id, user_id=member_id,
                                         limit=HISTORY_PAGE) if own and page == 0 else []  # fmt: skip
    pages = max(1, -(-total // HISTORY_PAGE))
    label = name or (entries[0].answer.display_name if entries else "Member")
    embed = history_embed(entries, member_name=label, page=page, pages=pages, total=total)
    if attempts:  # practice is private: only its member sees it, in their own history
        lines = [f"**{a.attempted_at:%d %b %Y}** · `{a.question_id}` · practice "
                 f"{badge(a.verdict, after_model_answer=a.after_model_answer)}".rstrip() for a in attempts]  # fmt: skip
        embed.add_field(name="Practice (only you see this)", value="\n".join(lines), inline=False)
    view = history_view(member_id, page, pages)
    if edit:
        await interaction.response.edit_message(embed=embed, view=view)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


# --- persistent buttons ------------------------------------------------------------------------------


class AnswerButton(Persistent[discord.ui.Button[Any]], prefix="drill:answer"):
    """The Answer button on a daily post: opens the answer modal for that prompt."""

    def __init__(self, prompt_id: int) -> None:
        self.prompt_id = prompt_id
        super().__init__(discord.ui.Button(label="Answer", style=discord.ButtonStyle.primary, emoji="✍️",
                                           custom_id=self.id_for(prompt_id)))  # fmt: skip

    @classmethod
    def decode(cls, prompt: str) -> AnswerButton:  # type: ignore[override]
        """Rebuild from the prompt id."""
        return cls(int(prompt))

    async def run(self, interaction: Interaction) -> None:
        """Open the answer modal."""
        await open_answer_form(interaction, prompt_id=self.prompt_id)


class ReviewButton(Persistent[discord.ui.Button[Any]], prefix="drill:review"):
    """A Review button under a posted answer."""

    def __init__(self, answer_id: int, label: str = "Review") -> None:
        self.answer_id = answer_id
        super().__init__(discord.ui.Button(label=label[:80], style=discord.ButtonStyle.secondary,
                                           custom_id=self.id_for(answer_id)))  # fmt: skip

    @classmethod
    def decode(cls, answer: str) -> ReviewButton:  # type: ignore[override]
        """Rebuild from the answer id."""
        return cls(int(answer))

    async def run(self, interaction: Interaction) -> None:
        """Open the review modal (the author is refused)."""
        await open_review_form(interaction, answer_id=self.answer_id)


class HistoryButton(Persistent[discord.ui.Button[Any]], prefix="drill:history"):
    """A page button of /drill history."""

    def __init__(self, member_id: int, page: int, direction: str, *, disabled: bool = False) -> None:
        self.member_id, self.page = member_id, page
        super().__init__(
            discord.ui.Button(
                label="◀ Previous" if direction == "prev" else "Next ▶",
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=self.id_for(member_id, page, direction),
            )
        )

    @classmethod
    def decode(cls, member: str, page: str, direction: str) -> HistoryButton:  # type: ignore[override]
        """Rebuild from the member, the page and the direction."""
        if direction not in ("prev", "next"):
            raise ValueError(direction)
        return cls(int(member), int(page), direction)

    async def run(self, interaction: Interaction) -> None:
        """Show the target page in place."""
        await show_history(interaction, member_id=self.member_id, page=self.page, edit=True)


class ModelAnswerButton(Persistent[discord.ui.Button[Any]], prefix="drill:model"):
    """The Model answer button of a daily prompt: shows the question's model answer to members who answered."""

    def __init__(self, prompt_id: int) -> None:
        self.prompt_id = prompt_id
        super().__init__(discord.ui.Button(label="Model answer", style=discord.ButtonStyle.secondary, emoji="📘",
                                           custom_id=self.id_for(prompt_id)))  # fmt: skip

    @classmethod
    def decode(cls, prompt: str) -> ModelAnswerButton:  # type: ignore[override]
        """Rebuild from the prompt id."""
        return cls(int(prompt))

    async def run(self, interaction: Interaction) -> None:
        """Show the model answer (refused before the member answered)."""
        await show_model_answer(interaction, prompt_id=self.prompt_id)


class ShowQueryButton(Persistent[discord.ui.Button[Any]], prefix="drill:query"):
    """Show query under a SQL answer: the query, only to whoever presses it (it is not in the post)."""

    def __init__(self, answer_id: int, label: str = "Show query") -> None:
        self.answer_id = answer_id
        super().__init__(discord.ui.Button(label=label[:80], style=discord.ButtonStyle.secondary,
                                           custom_id=self.id_for(answer_id)))  # fmt: skip

    @classmethod
    def decode(cls, answer: str) -> ShowQueryButton:  # type: ignore[override]
        """Rebuild from the answer id."""
        return cls(int(answer))

    async def run(self, interaction: Interaction) -> None:
        """Show the answer's query to the presser."""
        async with interaction.client.db.read() as session:
            query = await answers.query_of(session=session, answer_id=self.answer_id)
        await interaction.response.send_message(fenced(query, 2000, "sql"), ephemeral=True)


DYNAMIC_ITEMS = (AnswerButton, ReviewButton, HistoryButton, ModelAnswerButton, ShowQueryButton, TryQueryButton)


def answer_view(prompt_id: int, question: Question | None = None) -> discord.ui.View:
    """Return the view of a daily post: Answer, and Try a query when the question has data to run on."""
    if question is not None and question.dataset is not None:
        return view_of(AnswerButton(prompt_id), TryQueryButton(question.id))
    return view_of(AnswerButton(prompt_id))


def review_view(reviewed: list[Answer]) -> discord.ui.View:
    """Return Review buttons for the answers of one message (one per answer), and Show query for SQL answers."""
    single = len(reviewed) == 1
    items: list[Persistent[Any]] = []
    for answer in reviewed:
        name = answer.display_name or "answer"
        items.append(ReviewButton(answer.id or 0, "Review" if single else f"Review {name}"))
        if answer.query is not None:
            items.append(ShowQueryButton(answer.id or 0, "Show query" if single else f"Query of {name}"))
    return view_of(*items[:25])


def history_view(member_id: int, page: int, pages: int) -> discord.ui.View:
    """Return the page buttons of /drill history."""
    return view_of(
        HistoryButton(member_id, max(page - 1, 0), "prev", disabled=page <= 0),
        HistoryButton(member_id, min(page + 1, pages - 1), "next", disabled=page >= pages - 1),
    )


# --- modals --------------------------------------------------------------------------------------------


class AnswerFields:
    """The fields of an answer form, pre-filled when editing.

    The answer, and a final number when the question has one; for a SQL question with a dataset, the
    query (run and checked) and optional notes.
    """

    def __init__(
        self, modal: discord.ui.Modal, question: Question | None, *, text: str | None, final: str | None,
        query: str | None,
    ) -> None:  # fmt: skip
        self.query: discord.ui.TextInput[Any] | None = None
        self.final: discord.ui.TextInput[Any] | None = None
        if question is not None and question.dataset is not None:
            self.query = discord.ui.TextInput(
                style=discord.TextStyle.paragraph, max_length=SQL_MAX, default=query,
                placeholder=f"SELECT … ({DIALECT} SQL: it runs on the question's data and is checked)",
            )  # fmt: skip
            modal.add_item(discord.ui.Label(text="Your query", component=self.query))
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=answers.ANSWER_MAX, default=text,
            required=self.query is None,
            placeholder="Why this query: joins, edge cases, what you checked." if self.query is not None
            else "Answer as you would in the interview: structure, specifics, result.",
        )  # fmt: skip
        modal.add_item(discord.ui.Label(text="Notes (optional)" if self.query is not None else "Answer",
                                        component=self.text))  # fmt: skip
        if self.query is None and question is not None and question.answer is not None:
            part = f" for part ({question.answer.part})" if question.answer.part else ""
            self.final = discord.ui.TextInput(
                style=discord.TextStyle.short, required=False, max_length=checking.FINAL_ANSWER_MAX, default=final,
                placeholder=f"Your number{part}, e.g. 0.19, 19% or 1/6",
            )  # fmt: skip
            modal.add_item(discord.ui.Label(text="Final answer (optional, checked)", component=self.final))

    def values(self) -> tuple[str, str | None, str | None]:
        """Return the text, the final number and the query as submitted (None for fields not on the form)."""
        return (self.text.value, self.final.value if self.final else None, self.query.value if self.query else None)


class AnswerModal(DrillModal):
    """The daily prompt's answer form."""

    def __init__(self, *, prompt_id: int, question: Question | None, earlier: Answer | None) -> None:
        # discord.py keys open modals by custom_id alone: a suffix per opening keeps members' modals apart.
        super().__init__(
            title="Your answer", timeout=900, custom_id=f"drill:answer-modal:{prompt_id}:{secrets.token_hex(8)}"
        )
        self.prompt_id = prompt_id
        self.fields = AnswerFields(self, question, text=earlier.text if earlier else None,
                                   final=earlier.final_answer if earlier else None,
                                   query=earlier.query if earlier else None)  # fmt: skip

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Check and store the answer."""
        text, final, query = self.fields.values()
        await submit_answer(interaction, prompt_id=self.prompt_id, text=text, final_answer=final, query=query)


class ReviewModal(DrillModal):
    """The review form: structure, clarity and depth 1-5, and a comment."""

    def __init__(self, *, answer_id: int, earlier: tuple[int, int, int, str] | None) -> None:
        super().__init__(
            title="Review this answer", timeout=900, custom_id=f"drill:review-modal:{answer_id}:{secrets.token_hex(8)}"
        )
        self.answer_id = answer_id
        self.scores: list[discord.ui.Select[Any]] = []
        for index, name in enumerate(("Structure", "Clarity", "Depth")):
            chosen = str(earlier[index]) if earlier else None
            options = [discord.SelectOption(label=o.label, value=o.value, default=o.value == chosen) for o in SCORES]
            select: discord.ui.Select[Any] = discord.ui.Select(options=options, placeholder="1 (weak) to 5 (excellent)")
            self.scores.append(select)
            self.add_item(discord.ui.Label(text=name, component=select))
        self.comment: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, required=False, max_length=reviews.COMMENT_MAX,
            default=earlier[3] if earlier else None, placeholder="What was strong, and one thing to improve",
        )  # fmt: skip
        self.add_item(discord.ui.Label(text="Comment", component=self.comment))

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Store the review (a score not picked counts as 0, which the service refuses)."""
        scores = [int(s.values[0]) if s.values and s.values[0].isdigit() else 0 for s in self.scores]
        await submit_review(interaction, answer_id=self.answer_id, scores=scores, comment=self.comment.value)
