"""Real discord.py 2.7.1 request bodies for tests: its own HTTP clients, recording instead of sending.

``CapturingHTTP`` and ``CapturingWebhooks`` subclass discord.py's ``HTTPClient`` and webhook adapter,
so every body is built by discord.py's own code (``handle_message_parameters``, ``to_components``,
``Modal.to_dict``, ``Command.to_dict``...) and recorded as the JSON the server would receive.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import json
from typing import Any
from urllib.parse import urlsplit

import discord
from discord import app_commands, ui
from discord.http import HTTPClient, handle_message_parameters
from discord.webhook.async_ import AsyncWebhookAdapter

Sent = list[tuple[str, str, Any]]


def api_path(url: str) -> str:
    """Return the part of a request URL after ``/api/v10``."""
    path = urlsplit(url).path
    return path[path.index("/api/v10") + len("/api/v10") :]


def wire(body: Any, multipart: list[dict[str, Any]] | None) -> Any:
    """Return the JSON the server sees: the body, or a multipart form's payload_json."""
    for part in multipart or []:
        if part["name"] == "payload_json":
            return json.loads(part["value"])
    return None if body is None else json.loads(json.dumps(body))


class CapturingHTTP(HTTPClient):
    """discord.py's own HTTP client, recording each request instead of sending it."""

    def __init__(self) -> None:
        super().__init__(asyncio.get_running_loop())
        self.sent: Sent = []

    async def request(self, route: Any, *, files: Any = None, form: Any = None, **kwargs: Any) -> Any:
        self.sent.append((route.method, api_path(route.url), wire(kwargs.get("json"), form)))
        return {}


class CapturingWebhooks(AsyncWebhookAdapter):
    """discord.py's webhook/interaction adapter, recording each request instead of sending it."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: Sent = []

    async def request(
        self, route: Any, session: Any, *, payload: Any = None, multipart: Any = None, **kwargs: Any
    ) -> Any:
        self.sent.append((route.method, api_path(route.url), wire(payload, multipart)))
        return {"id": "1", "type": 4}


def a_file() -> discord.File:
    """Return a small text attachment."""
    return discord.File(io.BytesIO(b"notes"), filename="notes.txt", description="session notes")


def an_embed() -> discord.Embed:
    """Return an embed using every text field, images and a timestamp."""
    embed = discord.Embed(
        title="Daily prompt",
        description="Design a rate limiter.",
        colour=0x5865F2,
        url="https://example.com/prompt",
        timestamp=datetime.datetime(2026, 1, 2, 9, 0, tzinfo=datetime.UTC),
    )
    embed.add_field(name="Difficulty", value="medium").add_field(name="Streak", value="4 days", inline=False)
    embed.set_footer(text="drillbot", icon_url="https://example.com/f.png")
    embed.set_author(name="Prompt bank", url="https://example.com", icon_url="https://example.com/a.png")
    embed.set_thumbnail(url="https://example.com/t.png")
    embed.set_image(url="https://example.com/i.png")
    return embed


class PairingView(ui.View):
    """Two buttons and a string select, declared with decorators."""

    @ui.button(label="Join", custom_id="pair:join", style=discord.ButtonStyle.success, emoji="✅")
    async def join(self, interaction: discord.Interaction, button: ui.Button[PairingView]) -> None: ...

    @ui.button(label="Skip", custom_id="pair:skip", style=discord.ButtonStyle.secondary)
    async def skip(self, interaction: discord.Interaction, button: ui.Button[PairingView]) -> None: ...

    @ui.select(
        custom_id="pair:track",
        placeholder="Track",
        options=[discord.SelectOption(label="Behavioural", value="b", description="STAR", emoji="⭐", default=True)],
    )
    async def track(self, interaction: discord.Interaction, select: ui.Select[PairingView]) -> None: ...


def a_view() -> PairingView:
    """Return a view with buttons, a link, and string/user/channel/role selects."""
    view = PairingView()
    view.add_item(ui.Button(label="Guide", url="https://example.com/guide"))
    view.add_item(ui.UserSelect(custom_id="pair:partner", default_values=[discord.Object(7)]))
    view.add_item(ui.ChannelSelect(custom_id="pair:room", channel_types=[discord.ChannelType.text]))
    view.add_item(ui.RoleSelect(custom_id="pair:roles", min_values=0, max_values=3))
    return view


class CardView(ui.LayoutView):
    """A components-v2 layout: container, text, section with accessory, action row, separator."""

    card: ui.Container[CardView] = ui.Container(
        ui.TextDisplay("## Mock interview"),
        ui.Section(ui.TextDisplay("Partner: @ada"), accessory=ui.Button(label="Open", custom_id="card:open")),
        ui.ActionRow(ui.Button(label="Done", custom_id="card:done")),
        ui.Separator(),
        accent_colour=0x57F287,
    )


class FeedbackModal(ui.Modal, title="Peer feedback"):
    """A modal mixing a legacy text input, Labels around a text input and selects, and a text display."""

    headline: ui.TextInput[FeedbackModal] = ui.TextInput(
        label="Headline", max_length=100, default="Solid", placeholder="One line", min_length=1
    )
    details: ui.Label[FeedbackModal] = ui.Label(
        text="Details",
        description="What went well, what to improve",
        component=ui.TextInput(style=discord.TextStyle.paragraph, max_length=4000, required=False),
    )
    rating: ui.Label[FeedbackModal] = ui.Label(
        text="Rating",
        component=ui.Select(options=[discord.SelectOption(label=str(n), value=str(n)) for n in range(1, 6)]),
    )
    partner: ui.Label[FeedbackModal] = ui.Label(text="Partner", component=ui.UserSelect())
    note: ui.TextDisplay[Any] = ui.TextDisplay("Feedback is shared with your partner.")


def a_modal() -> dict[str, Any]:
    """Return FeedbackModal as discord.py sends it (5 top-level components)."""
    return FeedbackModal().to_dict()


def mentions() -> discord.AllowedMentions:
    """Return allowed mentions naming one user and one role."""
    return discord.AllowedMentions(everyone=False, users=[discord.Object(5)], roles=[discord.Object(6)])


def commands() -> list[dict[str, Any]]:
    """Return a bulk-overwrite list: a slash command, a nested group and two context menus."""
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))

    @app_commands.command(name="prompt", description="Post today's prompt")
    @app_commands.describe(track="Which track")
    @app_commands.choices(track=[app_commands.Choice(name="Behavioural", value="b")])
    async def prompt(
        interaction: discord.Interaction,
        track: str,
        partner: discord.Member,
        minutes: app_commands.Range[int, 5, 90] = 30,
        channel: discord.TextChannel | None = None,
        weight: app_commands.Range[float, 0, 1] = 0.5,
        who: discord.User | discord.Role | None = None,
        upload: discord.Attachment | None = None,
        public: bool = False,
    ) -> None: ...

    admin = app_commands.Group(
        name="admin",
        description="Admin tools",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )
    bank = app_commands.Group(name="bank", description="Question bank", parent=admin)

    @admin.command(name="reload", description="Reload settings")
    async def reload(interaction: discord.Interaction, force: bool = False) -> None: ...

    @bank.command(name="find", description="Find a question")
    async def find(interaction: discord.Interaction, query: app_commands.Range[str, 1, 50]) -> None: ...

    @find.autocomplete("query")
    async def find_query(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return []

    @app_commands.context_menu(name="Report Message")
    async def report(interaction: discord.Interaction, message: discord.Message) -> None: ...

    @app_commands.context_menu(name="Pair With")
    @app_commands.allowed_installs(guilds=True, users=False)
    async def pair(interaction: discord.Interaction, member: discord.Member) -> None: ...

    everything: list[Any] = [prompt, admin, report, pair]
    return [cmd.to_dict(tree) for cmd in everything]


def a_message() -> dict[str, Any]:
    """Return a message create body with content, an embed and a view."""
    return wire(handle_message_parameters(content="hi", embed=an_embed(), view=a_view()).payload, None)
