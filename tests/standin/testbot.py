"""Test commands for the fake's own tests: options, groups, a button + select + modal, deferrals."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import discord
from discord import app_commands
from discord.webhook.async_ import async_context, interaction_response_params

from .fixtures import FakeTestBot

LEVELS = [discord.SelectOption(label=n.title(), value=n) for n in ("easy", "medium", "hard")]
TOPICS = ["sql", "statistics", "sampling", "squads", "product"]


class AnswerModal(discord.ui.Modal, title="Your answer"):
    """A modal built from Label components (a text input and a select)."""

    answer: discord.ui.Label[AnswerModal] = discord.ui.Label(
        text="Answer",
        component=discord.ui.TextInput(custom_id="answer_text", style=discord.TextStyle.paragraph, max_length=500),
    )
    level: discord.ui.Label[AnswerModal] = discord.ui.Label(
        text="Level", component=discord.ui.Select(custom_id="answer_level", options=LEVELS)
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.answer.component, discord.ui.TextInput)
        assert isinstance(self.level.component, discord.ui.Select)
        text, level = self.answer.component.value, self.level.component.values
        await interaction.response.send_message(f"stored {text!r} at {level[0]}", ephemeral=True)


class DrillView(discord.ui.View):
    """A persistent view: an Answer button (opens the modal) and a level select (edits the message)."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Answer", custom_id="drill:answer")
    async def answer(self, interaction: discord.Interaction, button: discord.ui.Button[DrillView]) -> None:
        await interaction.response.send_modal(AnswerModal())

    @discord.ui.button(label="Refresh", custom_id="drill:refresh")
    async def refresh(self, interaction: discord.Interaction, button: discord.ui.Button[DrillView]) -> None:
        await interaction.response.defer()
        assert interaction.message is not None
        await interaction.message.edit(content="refreshed")

    @discord.ui.select(custom_id="drill:level", placeholder="Pick levels", options=LEVELS, max_values=2)
    async def level(self, interaction: discord.Interaction, select: discord.ui.Select[DrillView]) -> None:
        await interaction.response.edit_message(content="levels: " + ",".join(select.values))


drill = app_commands.Group(name="drill", description="Daily drills")
drill_admin = app_commands.Group(name="admin", description="Admin drills", parent=drill)


@drill.command(name="today", description="Today's prompt")
async def drill_today(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("Today's prompt: explain L1 vs L2", view=DrillView())


@drill_admin.command(name="post", description="Post now")
async def drill_admin_post(interaction: discord.Interaction, times: app_commands.Range[int, 1, 3] = 1) -> None:
    await interaction.response.send_message(f"posted x{times}", ephemeral=True)


@app_commands.command(name="echo", description="Echo typed options")
async def echo(
    interaction: discord.Interaction,
    text: str,
    count: int = 1,
    ratio: float = 0.5,
    flag: bool = False,
    who: discord.Member | None = None,
    where: discord.TextChannel | None = None,
    role: discord.Role | None = None,
    file: discord.Attachment | None = None,
    ephemeral: bool = False,
) -> None:
    parts = [text * count, f"ratio={ratio}", f"flag={flag}"]
    if who is not None:
        parts.append(f"who={who.name}")
    if where is not None:
        parts.append(f"where={where.name}")
    if role is not None:
        parts.append(f"role={role.name}")
    files = []
    if file is not None:
        data = await file.read()
        parts.append(f"file={file.filename}:{len(data)}")
        files.append(discord.File(fp=io.BytesIO(data[::-1]), filename="reversed.bin"))
    await interaction.response.send_message(" ".join(parts), ephemeral=ephemeral, files=files)


@app_commands.command(name="slow", description="Defer, then edit the original")
async def slow(interaction: discord.Interaction, ephemeral: bool = False) -> None:
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    await asyncio.sleep(0.05)
    await interaction.edit_original_response(content="done slowly")


@app_commands.command(name="follow", description="Defer, then send a followup, then another")
async def follow(interaction: discord.Interaction) -> None:
    await interaction.response.defer()
    await interaction.followup.send("first followup")
    await interaction.followup.send("second followup", ephemeral=True)


@app_commands.command(name="ask", description="Autocomplete a topic")
async def ask(interaction: discord.Interaction, topic: str) -> None:
    await interaction.response.send_message(f"topic={topic}")


@ask.autocomplete("topic")
async def ask_topic(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=t, value=t) for t in TOPICS if t.startswith(current)]


@app_commands.command(name="config", description="Admins only")
@app_commands.default_permissions(manage_guild=True)
async def config(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("config shown", ephemeral=True)


@app_commands.context_menu(name="Remove answer")
async def remove_answer(interaction: discord.Interaction, message: discord.Message) -> None:
    await interaction.response.send_message(f"removed {message.id}: {message.content}", ephemeral=True)


@app_commands.command(name="late", description="Answer after the fake's deadline")
async def late(interaction: discord.Interaction, delay: float = 0.3) -> None:
    await asyncio.sleep(delay)
    await interaction.response.send_message("too late")


@app_commands.command(name="twice", description="Acknowledge twice at the wire level")
async def twice(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("once")
    adapter = async_context.get()
    params = interaction_response_params(4, {"content": "twice"})
    try:
        await adapter.create_interaction_response(
            interaction.id, interaction.token, session=interaction._session, params=params
        )
    except discord.HTTPException as exc:
        await interaction.followup.send(f"second ack refused: {exc.status} {exc.code}")


@app_commands.command(name="bigembed", description="Send an embed over 4096 characters")
async def bigembed(interaction: discord.Interaction) -> None:
    try:
        await interaction.response.send_message(embed=discord.Embed(description="x" * 5000))
    except discord.HTTPException as exc:
        await interaction.response.send_message(f"rejected {exc.status} {exc.code}", ephemeral=True)


@app_commands.command(name="sixmodal", description="Open a modal with six components")
async def sixmodal(interaction: discord.Interaction) -> None:
    rows = [
        {"type": 18, "label": f"Field {i}", "component": {"type": 4, "custom_id": f"f{i}", "style": 1}}
        for i in range(6)
    ]
    params = interaction_response_params(9, {"custom_id": "six", "title": "Six", "components": rows})
    try:
        await async_context.get().create_interaction_response(
            interaction.id, interaction.token, session=interaction._session, params=params
        )
    except discord.HTTPException as exc:
        await interaction.response.send_message(f"rejected {exc.status} {exc.code}", ephemeral=True)


class ChainModal(discord.ui.Modal, title="Chain"):
    """A modal whose submit tries to open another modal (Discord refuses)."""

    note: discord.ui.Label[ChainModal] = discord.ui.Label(text="Note", component=discord.ui.TextInput(custom_id="note"))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.send_modal(AnswerModal())
        except discord.HTTPException as exc:
            await interaction.response.send_message(f"chain refused {exc.status} {exc.code}", ephemeral=True)


@app_commands.command(name="modalchain", description="Open a modal whose submit opens a modal")
async def modalchain(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(ChainModal())


@app_commands.command(name="silent", description="Never answer")
async def silent(interaction: discord.Interaction) -> None:
    return None


def configure(bot: FakeTestBot) -> None:
    """Register the test commands and the persistent view on ``bot``."""
    commands: list[app_commands.Command[Any, Any, Any] | app_commands.Group | app_commands.ContextMenu] = [
        drill, echo, slow, follow, ask, config, remove_answer, late, twice, bigembed, sixmodal, modalchain, silent
    ]  # fmt: skip
    for command in commands:
        bot.tree.add_command(command)
    bot.add_view(DrillView())
