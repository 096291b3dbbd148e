"""Feedback buttons, selects and modals; ids carry ids only, and every press is checked against the database."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.services.feedback import DIMENSION_LABELS, DIMENSIONS, REPORT_NOTE_MAX, SIGNAL_LABELS, TEXT_MAX, Form
from bot.tree import DrillModal, reports_errors

if TYPE_CHECKING:
    from cogs.feedback import FeedbackCog

Button = discord.ui.Button[Any]
Select = discord.ui.Select[Any]


def _cog(interaction: discord.Interaction[Any]) -> FeedbackCog:
    return cast("FeedbackCog", interaction.client.get_cog("FeedbackCog"))


class GiveButton(discord.ui.DynamicItem[Button], template=r"feedback:give:(?P<group>\d+)"):
    """Give feedback: in each pair thread (and DM intro); members of the pairing only."""

    def __init__(self, group_id: int) -> None:
        self.group_id = group_id
        super().__init__(discord.ui.Button(label="Give feedback", style=discord.ButtonStyle.secondary, emoji="📝",
                                           custom_id=f"feedback:give:{group_id}"))  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> GiveButton:
        """Rebuild from the custom id."""
        return cls(int(match["group"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open the form (or, in a trio, ask whom it is for)."""
        await _cog(interaction).start(interaction, self.group_id)


class RecipientButton(discord.ui.DynamicItem[Button], template=r"feedback:to:(?P<group>\d+):(?P<to>\d+)"):
    """In a trio: the feedback is for this member."""

    def __init__(self, group_id: int, recipient_id: int, label: str = "Give feedback") -> None:
        self.group_id, self.recipient_id = group_id, recipient_id
        super().__init__(discord.ui.Button(label=label[:80], style=discord.ButtonStyle.primary,
                                           custom_id=f"feedback:to:{group_id}:{recipient_id}"))  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RecipientButton:
        """Rebuild from the custom id."""
        return cls(int(match["group"]), int(match["to"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open the scores step for this direction."""
        await _cog(interaction).show_form(interaction, self.group_id, self.recipient_id)


class PairingSelect(discord.ui.DynamicItem[Select], template=r"feedback:pick"):
    """/feedback give: pick a recent pairing and recipient (values ``group:recipient``)."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        options = options or [discord.SelectOption(label="-", value="0:0")]
        super().__init__(discord.ui.Select(custom_id="feedback:pick", placeholder="Pick a pairing and a partner",
                                           options=options))  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PairingSelect:
        """Rebuild from the custom id."""
        return cls()

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open the scores step for the picked direction."""
        group, _, recipient = (self.item.values[0] if self.item.values else "0:0").partition(":")
        await _cog(interaction).show_form(interaction, int(group or 0), int(recipient or 0))


class ScoreSelect(
    discord.ui.DynamicItem[Select], template=r"feedback:score:(?P<group>\d+):(?P<to>\d+):(?P<dim>[a-z_]+)"
):
    """One dimension's score, 1-5; picking it saves the draft."""

    def __init__(self, group_id: int, recipient_id: int, dimension: str, current: int | None = None) -> None:
        self.group_id, self.recipient_id, self.dimension = group_id, recipient_id, dimension
        name = DIMENSION_LABELS.get(dimension, dimension)
        options = [discord.SelectOption(label=f"{name}: {n}", value=str(n), default=n == current,
                                        description=SCORE_WORDS[n]) for n in range(1, 6)]  # fmt: skip
        super().__init__(discord.ui.Select(custom_id=f"feedback:score:{group_id}:{recipient_id}:{dimension}",
                                           placeholder=f"{name}: pick 1-5", options=options))  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ScoreSelect:
        """Rebuild from the custom id."""
        return cls(int(match["group"]), int(match["to"]), match["dim"])

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Store the score in the draft and show the form again."""
        value = self.item.values[0] if self.item.values else ""
        await _cog(interaction).pick_score(interaction, self.group_id, self.recipient_id, self.dimension, value)


class ContinueButton(discord.ui.DynamicItem[Button], template=r"feedback:next:(?P<group>\d+):(?P<to>\d+)"):
    """Second step: open the modal for the signal and the texts."""

    def __init__(self, group_id: int, recipient_id: int) -> None:
        self.group_id, self.recipient_id = group_id, recipient_id
        super().__init__(discord.ui.Button(label="Continue", style=discord.ButtonStyle.success,
                                           custom_id=f"feedback:next:{group_id}:{recipient_id}"))  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ContinueButton:
        """Rebuild from the custom id."""
        return cls(int(match["group"]), int(match["to"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open the second step (refused while a score is missing)."""
        await _cog(interaction).open_texts(interaction, self.group_id, self.recipient_id)


class ReadButton(discord.ui.DynamicItem[Button], template=r"feedback:read:(?P<id>\d+)"):
    """Read it: on the notice; only the recipient is shown anything."""

    def __init__(self, feedback_id: int) -> None:
        self.feedback_id = feedback_id
        super().__init__(discord.ui.Button(label="Read it (only you)", style=discord.ButtonStyle.secondary,
                                           custom_id=f"feedback:read:{feedback_id}"))  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReadButton:
        """Rebuild from the custom id."""
        return cls(int(match["id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the feedback to its recipient, ephemerally."""
        await _cog(interaction).read_one(interaction, self.feedback_id)


class OpenSelect(discord.ui.DynamicItem[Select], template=r"feedback:open"):
    """/feedback mine: open one received feedback (to read it whole or report it)."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        options = options or [discord.SelectOption(label="-", value="0")]
        super().__init__(discord.ui.Select(custom_id="feedback:open", options=options,
                                           placeholder="Open one (to read it all or report it)"))  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> OpenSelect:
        """Rebuild from the custom id."""
        return cls()

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the picked feedback to its recipient."""
        value = self.item.values[0] if self.item.values else "0"
        await _cog(interaction).read_one(interaction, int(value) if value.isdigit() else 0)


class ReportButton(discord.ui.DynamicItem[Button], template=r"feedback:report:(?P<id>\d+)"):
    """Report a received feedback as abusive (its recipient only)."""

    def __init__(self, feedback_id: int) -> None:
        self.feedback_id = feedback_id
        super().__init__(discord.ui.Button(label="Report", style=discord.ButtonStyle.danger, emoji="🚩",
                                           custom_id=f"feedback:report:{feedback_id}"))  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReportButton:
        """Rebuild from the custom id."""
        return cls(int(match["id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Ask for an optional note, then report."""
        await _cog(interaction).open_report(interaction, self.feedback_id)


class RemoveButton(discord.ui.DynamicItem[Button], template=r"feedback:remove:(?P<id>\d+)"):
    """Admins: remove a reported feedback."""

    def __init__(self, feedback_id: int, label: str = "Remove") -> None:
        self.feedback_id = feedback_id
        super().__init__(discord.ui.Button(label=label[:80], style=discord.ButtonStyle.danger,
                                           custom_id=f"feedback:remove:{feedback_id}"))  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RemoveButton:
        """Rebuild from the custom id."""
        return cls(int(match["id"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Remove it (admins, reported feedback only)."""
        await _cog(interaction).remove(interaction, self.feedback_id)


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


def buttons_view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    """A plain view holding ``items`` (dynamic items: no state lives in the view)."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


class TextsModal(DrillModal):
    """The second step: the overall signal and the two texts (pre-filled when editing)."""

    def __init__(self, cog: FeedbackCog, form: Form) -> None:
        nonce = secrets.token_hex(6)  # discord.py keys open modals by custom id: one per opening
        super().__init__(title="Your feedback · step 2 of 2", timeout=900,
                         custom_id=f"feedback:texts:{form.group_id}:{form.recipient_id}:{nonce}")  # fmt: skip
        self.cog, self.group_id, self.recipient_id = cog, form.group_id, form.recipient_id
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

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Store the feedback."""
        signal = self.signal.values[0] if self.signal.values else ""
        await self.cog.finish(interaction, self.group_id, self.recipient_id, signal=signal,
                              strengths=self.strengths.value, improve=self.improve.value)  # fmt: skip


class ReportModal(DrillModal):
    """Report a feedback as abusive, with an optional note for the admins."""

    def __init__(self, cog: FeedbackCog, feedback_id: int) -> None:
        super().__init__(title="Report this feedback", timeout=900,
                         custom_id=f"feedback:report-modal:{feedback_id}:{secrets.token_hex(6)}")  # fmt: skip
        self.cog, self.feedback_id = cog, feedback_id
        self.note: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, required=False, max_length=REPORT_NOTE_MAX,
            placeholder="Optional: what is wrong with it",
        )  # fmt: skip
        self.add_item(discord.ui.Label(text="Note for the admins", component=self.note))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Report it."""
        await self.cog.report(interaction, self.feedback_id, self.note.value)
