"""Feedback buttons, selects and modals; ids carry ids only, and every press is checked against the database."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import discord

from bot.services.feedback import DIMENSION_LABELS, DIMENSIONS, REPORT_NOTE_MAX, SIGNAL_LABELS, TEXT_MAX, Form
from bot.ui import DrillModal, Persistent
from cogs.feedback import actions

if TYPE_CHECKING:
    from bot.client import Interaction

Button = discord.ui.Button[Any]
Select = discord.ui.Select[Any]


class GiveButton(Persistent[Button], prefix="feedback:give"):
    """Give feedback: in each pair thread (and DM intro); members of the pairing only."""

    def __init__(self, group_id: int) -> None:
        self.group_id = group_id
        super().__init__(discord.ui.Button(label="Give feedback", style=discord.ButtonStyle.secondary, emoji="📝",
                                           custom_id=self.id_for(group_id)))  # fmt: skip

    @classmethod
    def decode(cls, group: str) -> GiveButton:  # type: ignore[override]
        """Rebuild from the group id."""
        return cls(int(group))

    async def run(self, interaction: Interaction) -> None:
        """Open the form (or, in a trio, ask whom it is for)."""
        await actions.start(interaction, self.group_id)


class RecipientButton(Persistent[Button], prefix="feedback:to"):
    """In a trio: the feedback is for this member."""

    def __init__(self, group_id: int, recipient_id: int, label: str = "Give feedback") -> None:
        self.group_id, self.recipient_id = group_id, recipient_id
        super().__init__(discord.ui.Button(label=label[:80], style=discord.ButtonStyle.primary,
                                           custom_id=self.id_for(group_id, recipient_id)))  # fmt: skip

    @classmethod
    def decode(cls, group: str, to: str) -> RecipientButton:  # type: ignore[override]
        """Rebuild from the group and the recipient."""
        return cls(int(group), int(to))

    async def run(self, interaction: Interaction) -> None:
        """Open the scores step for this direction."""
        await actions.show_form(interaction, self.group_id, self.recipient_id)


class PairingSelect(Persistent[Select], prefix="feedback:pick"):
    """/feedback give: pick a recent pairing and recipient (values ``group:recipient``)."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        options = options or [discord.SelectOption(label="-", value="0:0")]
        super().__init__(discord.ui.Select(custom_id=self.id_for(), placeholder="Pick a pairing and a partner",
                                           options=options))  # fmt: skip

    @classmethod
    def decode(cls) -> PairingSelect:  # type: ignore[override]
        """Rebuild (the pick is in the values)."""
        return cls()

    async def run(self, interaction: Interaction) -> None:
        """Open the scores step for the picked direction."""
        group, _, recipient = (self.item.values[0] if self.item.values else "0:0").partition(":")
        await actions.show_form(interaction, int(group or 0), int(recipient or 0))


class ScoreSelect(Persistent[Select], prefix="feedback:score"):
    """One dimension's score, 1-5; picking it saves the draft."""

    def __init__(self, group_id: int, recipient_id: int, dimension: str, current: int | None = None) -> None:
        self.group_id, self.recipient_id, self.dimension = group_id, recipient_id, dimension
        name = DIMENSION_LABELS.get(dimension, dimension)
        options = [discord.SelectOption(label=f"{name}: {n}", value=str(n), default=n == current,
                                        description=SCORE_WORDS[n]) for n in range(1, 6)]  # fmt: skip
        super().__init__(discord.ui.Select(custom_id=self.id_for(group_id, recipient_id, dimension),
                                           placeholder=f"{name}: pick 1-5", options=options))  # fmt: skip

    @classmethod
    def decode(cls, group: str, to: str, dimension: str) -> ScoreSelect:  # type: ignore[override]
        """Rebuild from the group, the recipient and the dimension."""
        if dimension not in DIMENSIONS:
            raise ValueError(dimension)
        return cls(int(group), int(to), dimension)

    async def run(self, interaction: Interaction) -> None:
        """Store the score in the draft and show the form again (a value that is no score counts as 0: refused)."""
        value = self.item.values[0] if self.item.values else ""
        score = int(value) if value.isdigit() else 0
        await actions.pick_score(interaction, self.group_id, self.recipient_id, self.dimension, score)


class ContinueButton(Persistent[Button], prefix="feedback:next"):
    """Second step: open the modal for the signal and the texts."""

    def __init__(self, group_id: int, recipient_id: int) -> None:
        self.group_id, self.recipient_id = group_id, recipient_id
        super().__init__(discord.ui.Button(label="Continue", style=discord.ButtonStyle.success,
                                           custom_id=self.id_for(group_id, recipient_id)))  # fmt: skip

    @classmethod
    def decode(cls, group: str, to: str) -> ContinueButton:  # type: ignore[override]
        """Rebuild from the group and the recipient."""
        return cls(int(group), int(to))

    async def run(self, interaction: Interaction) -> None:
        """Open the second step (refused while a score is missing)."""
        await actions.open_texts(interaction, self.group_id, self.recipient_id)


class ReadButton(Persistent[Button], prefix="feedback:read"):
    """Read it: on the notice; only the recipient is shown anything."""

    def __init__(self, feedback_id: int) -> None:
        self.feedback_id = feedback_id
        super().__init__(discord.ui.Button(label="Read it (only you)", style=discord.ButtonStyle.secondary,
                                           custom_id=self.id_for(feedback_id)))  # fmt: skip

    @classmethod
    def decode(cls, feedback: str) -> ReadButton:  # type: ignore[override]
        """Rebuild from the feedback id."""
        return cls(int(feedback))

    async def run(self, interaction: Interaction) -> None:
        """Show the feedback to its recipient, ephemerally."""
        await actions.read_one(interaction, self.feedback_id)


class OpenSelect(Persistent[Select], prefix="feedback:open"):
    """/feedback mine: open one received feedback (to read it whole or report it)."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        options = options or [discord.SelectOption(label="-", value="0")]
        super().__init__(discord.ui.Select(custom_id=self.id_for(), options=options,
                                           placeholder="Open one (to read it all or report it)"))  # fmt: skip

    @classmethod
    def decode(cls) -> OpenSelect:  # type: ignore[override]
        """Rebuild (the pick is in the values)."""
        return cls()

    async def run(self, interaction: Interaction) -> None:
        """Show the picked feedback to its recipient."""
        value = self.item.values[0] if self.item.values else "0"
        await actions.read_one(interaction, int(value) if value.isdigit() else 0)


class ReportButton(Persistent[Button], prefix="feedback:report"):
    """Report a received feedback as abusive (its recipient only)."""

    def __init__(self, feedback_id: int) -> None:
        self.feedback_id = feedback_id
        super().__init__(discord.ui.Button(label="Report", style=discord.ButtonStyle.danger, emoji="🚩",
                                           custom_id=self.id_for(feedback_id)))  # fmt: skip

    @classmethod
    def decode(cls, feedback: str) -> ReportButton:  # type: ignore[override]
        """Rebuild from the feedback id."""
        return cls(int(feedback))

    async def run(self, interaction: Interaction) -> None:
        """Ask for an optional note, then report."""
        await actions.open_report(interaction, self.feedback_id)


class RemoveButton(Persistent[Button], prefix="feedback:remove"):
    """Admins: remove a reported feedback."""

    def __init__(self, feedback_id: int, label: str = "Remove") -> None:
        self.feedback_id = feedback_id
        super().__init__(discord.ui.Button(label=label[:80], style=discord.ButtonStyle.danger,
                                           custom_id=self.id_for(feedback_id)))  # fmt: skip

    @classmethod
    def decode(cls, feedback: str) -> RemoveButton:  # type: ignore[override]
        """Rebuild from the feedback id."""
        return cls(int(feedback))

    async def run(self, interaction: Interaction) -> None:
        """Remove it (admins, reported feedback only)."""
        await actions.remove(interaction, self.feedback_id)


DYNAMIC_ITEMS = (GiveButton, RecipientButton, PairingSelect, ScoreSelect, ContinueButton, ReadButton, OpenSelect,
                 ReportButton, RemoveButton)  # fmt: skip
SCORE_WORDS = {1: "weak", 2: "below the bar", 3: "at the bar", 4: "strong", 5: "excellent"}


def form_view(form: Form, header: str) -> discord.ui.LayoutView:
    """The scores step: a header, one select per dimension (pre-filled from the draft) and Continue."""
    view = discord.ui.LayoutView(timeout=None)
    view.add_item(discord.ui.TextDisplay(header))
    for dimension in DIMENSIONS:
        view.add_item(discord.ui.ActionRow(ScoreSelect(form.group_id, form.recipient_id, dimension,
                                                       form.scores.get(dimension))))  # fmt: skip
    view.add_item(discord.ui.ActionRow(ContinueButton(form.group_id, form.recipient_id)))
    return view


class TextsModal(DrillModal):
    """The second step: the overall signal and the two texts (pre-filled when editing)."""

    def __init__(self, form: Form) -> None:
        nonce = secrets.token_hex(6)  # discord.py keys open modals by custom id: one per opening
        super().__init__(title="Your feedback · step 2 of 2", timeout=900,
                         custom_id=f"feedback:texts:{form.group_id}:{form.recipient_id}:{nonce}")  # fmt: skip
        self.group_id, self.recipient_id = form.group_id, form.recipient_id
        self.signal: Select = discord.ui.Select(placeholder="Would you hire them on this showing?", options=[
            discord.SelectOption(label=label, value=value, default=value == form.signal)
            for value, label in SIGNAL_LABELS.items()])  # fmt: skip
        self.add_item(discord.ui.Label(text="Overall signal", component=self.signal))
        self.strengths: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=TEXT_MAX, default=form.strengths or None,
            placeholder="What they did well, with an example",
        )  # fmt: skip
        self.add_item(discord.ui.Label(text="Strengths", component=self.strengths))
        self.improve: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=TEXT_MAX, default=form.improve or None,
            placeholder="One or two concrete things to work on",
        )  # fmt: skip
        self.add_item(discord.ui.Label(text="To improve", component=self.improve))

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Store the feedback."""
        signal = self.signal.values[0] if self.signal.values else ""
        await actions.finish(interaction, self.group_id, self.recipient_id, signal=signal,
                             strengths=self.strengths.value, improve=self.improve.value)  # fmt: skip


class ReportModal(DrillModal):
    """Report a feedback as abusive, with an optional note for the admins."""

    def __init__(self, feedback_id: int) -> None:
        super().__init__(title="Report this feedback", timeout=900,
                         custom_id=f"feedback:report-modal:{feedback_id}:{secrets.token_hex(6)}")  # fmt: skip
        self.feedback_id = feedback_id
        self.note: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, required=False, max_length=REPORT_NOTE_MAX,
            placeholder="Optional: what is wrong with it",
        )  # fmt: skip
        self.add_item(discord.ui.Label(text="Note for the admins", component=self.note))

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Report it."""
        await actions.report(interaction, self.feedback_id, self.note.value)
