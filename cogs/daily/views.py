"""Answering and reviewing: the persistent buttons, the modals, and the flows the commands share with them."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import discord

from bot.services.daily import answers
from bot.ui import DrillModal, Persistent, view_of
from cogs.daily.render import history_embed

if TYPE_CHECKING:
    from bot.client import Interaction

HISTORY_PAGE = 5
SCORES = [discord.SelectOption(label=str(n), value=str(n)) for n in range(1, 6)]


# --- the flows: a command or a button starts them, a modal finishes them ---------------------------


async def open_answer_form(interaction: Interaction, *, prompt_id: int | None) -> None:
    """Open the answer modal for the open prompt, pre-filled with the caller's answer when they gave one."""
    assert interaction.guild_id is not None
    async with interaction.client.db.read() as session:
        form = await answers.answer_form(session=session, guild_id=interaction.guild_id,
                                         user_id=interaction.user.id, prompt_id=prompt_id)  # fmt: skip
    await interaction.response.send_modal(AnswerModal(prompt_id=form.prompt.id or 0, earlier=form.earlier))


async def submit_answer(interaction: Interaction, *, prompt_id: int, text: str) -> None:
    """Acknowledge at once, store the answer, and queue its post in the thread."""
    assert interaction.guild_id is not None
    bot = interaction.client
    await interaction.response.defer(ephemeral=True, thinking=True)
    async with bot.db.write() as session:
        result = await answers.submit_answer(
            session=session, guild_id=interaction.guild_id, user_id=interaction.user.id,
            display_name=interaction.user.display_name, text=text, now=bot.clock.now(), prompt_id=prompt_id,
        )  # fmt: skip
    thread = f"<#{result.prompt.thread_id}>"
    if result.created:
        note = f"Answer saved; it will appear in {thread} in a moment."
    else:
        note = f"Answer updated in {thread}."
    await interaction.followup.send(note, ephemeral=True)
    bot.outbox.wake()
    bot.dispatch("drill_answer", result)


async def open_review_form(interaction: Interaction, *, answer_id: int) -> None:
    """Open the review modal for an answer, pre-filled with the caller's review; the author is refused."""
    async with interaction.client.db.read() as session:
        earlier = await answers.review_form(session=session, answer_id=answer_id, reviewer_id=interaction.user.id)
    await interaction.response.send_modal(ReviewModal(answer_id=answer_id, earlier=earlier))


async def submit_review(interaction: Interaction, *, answer_id: int, scores: list[int], comment: str) -> None:
    """Store a submitted review and queue the author's notice."""
    bot = interaction.client
    structure, clarity, depth = scores
    await interaction.response.defer(ephemeral=True, thinking=True)
    async with bot.db.write() as session:
        result = await answers.submit_review(
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
    async with interaction.client.db.read() as session:
        entries, total = await answers.history(
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


DYNAMIC_ITEMS = (AnswerButton, ReviewButton, HistoryButton)


def answer_view(prompt_id: int) -> discord.ui.View:
    """Return the view of a daily post."""
    return view_of(AnswerButton(prompt_id))


def review_view(reviewed: list[tuple[int, str]]) -> discord.ui.View:
    """Return Review buttons for the answers of one message (one per answer, 5 per row)."""
    single = len(reviewed) == 1
    return view_of(*(ReviewButton(answer_id, "Review" if single else f"Review {name}") for answer_id, name in reviewed))


def history_view(member_id: int, page: int, pages: int) -> discord.ui.View:
    """Return the page buttons of /drill history."""
    return view_of(
        HistoryButton(member_id, max(page - 1, 0), "prev", disabled=page <= 0),
        HistoryButton(member_id, min(page + 1, pages - 1), "next", disabled=page >= pages - 1),
    )


# --- modals --------------------------------------------------------------------------------------------


class AnswerModal(DrillModal):
    """The answer form: one long text field, pre-filled when editing."""

    def __init__(self, *, prompt_id: int, earlier: str | None) -> None:
        # discord.py keys open modals by custom_id alone: a suffix per opening keeps members' modals apart.
        super().__init__(
            title="Your answer", timeout=900, custom_id=f"drill:answer-modal:{prompt_id}:{secrets.token_hex(8)}"
        )
        self.prompt_id = prompt_id
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=answers.ANSWER_MAX, default=earlier,
            placeholder="Answer as you would in the interview: structure, specifics, result.",
        )  # fmt: skip
        self.add_item(discord.ui.Label(text="Answer", component=self.text))

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Store the answer."""
        await submit_answer(interaction, prompt_id=self.prompt_id, text=self.text.value)


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
            style=discord.TextStyle.paragraph, required=False, max_length=answers.COMMENT_MAX,
            default=earlier[3] if earlier else None, placeholder="What was strong, and one thing to improve",
        )  # fmt: skip
        self.add_item(discord.ui.Label(text="Comment", component=self.comment))

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Store the review (a score not picked counts as 0, which the service refuses)."""
        scores = [int(s.values[0]) if s.values and s.values[0].isdigit() else 0 for s in self.scores]
        await submit_review(interaction, answer_id=self.answer_id, scores=scores, comment=self.comment.value)
