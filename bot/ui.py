"""The shared pieces of the bot's Discord UI: views, modals and persistent buttons whose errors reach the user."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Self, TypeVar

import discord

from bot.tree import report_error, send_ephemeral

if TYPE_CHECKING:
    from bot.client import Interaction

ItemT = TypeVar("ItemT", bound="discord.ui.Item[Any]")
T = TypeVar("T")
NEVER = r"(?!x)x"  # a template no custom id matches: for bases that are not routed themselves
# Replies come in one request when the work is quick; work that takes longer than this is
# acknowledged first ("thinking"), well inside Discord's 3 s to acknowledge an interaction.
ACKNOWLEDGE_AFTER = 1.0
OUT_OF_DATE = "This button is out of date (drillbot changed since it was posted): run the command again."


class DrillView(discord.ui.View):
    """A view whose errors reach the user like command errors do."""

    async def on_error(self, interaction: Interaction, error: Exception, item: Any, /) -> None:  # type: ignore[override]
        """Report the error to the user."""
        await report_error(interaction, error)


class DrillModal(discord.ui.Modal):
    """A modal whose errors reach the user like command errors do."""

    async def on_error(self, interaction: Interaction, error: Exception, /) -> None:  # type: ignore[override]
        """Report the error to the user."""
        await report_error(interaction, error)


class Persistent(discord.ui.DynamicItem[ItemT], template=NEVER):
    """A button or select that works after a restart: what it needs is in its custom id, ``prefix:arg:arg…``.

    A subclass names its ``prefix``, builds its item with ``id_for(...)``, rebuilds itself from the
    id's fields in ``decode`` and acts in ``run``. An id it cannot decode (from an older version, or
    forged) is answered "out of date" instead of being dropped silently; errors in ``run`` reach the
    user as command errors do.
    """

    prefix: str
    out_of_date: str = OUT_OF_DATE  # what a press of an id that no longer decodes is told

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(template=rf"{re.escape(prefix)}(?::(?P<args>.*))?", **kwargs)
        cls.prefix = prefix

    @classmethod
    def id_for(cls, *args: object) -> str:
        """Return the custom id carrying ``args``."""
        return ":".join([cls.prefix, *map(str, args)])

    @classmethod
    async def from_custom_id(  # type: ignore[override]
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Persistent[Any] | OutOfDate:
        """Rebuild from the custom id, or stand in with an "out of date" answer."""
        args = match["args"].split(":") if match["args"] else []
        try:
            return cls.decode(*args)
        except (TypeError, ValueError, KeyError):
            return OutOfDate(item, cls.out_of_date)

    @classmethod
    def decode(cls, *args: str) -> Self:
        """Rebuild from the custom id's fields; raise ValueError (or TypeError) when they make no sense."""
        raise NotImplementedError

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Run the action, telling the user about any error."""
        try:
            await self.run(interaction)
        except Exception as exc:
            await report_error(interaction, exc)

    async def run(self, interaction: Interaction) -> None:
        """Act on a press (or a pick)."""
        raise NotImplementedError


class OutOfDate(discord.ui.DynamicItem[discord.ui.Item[Any]], template=r"(?s).*"):
    """Stands in for a component whose custom id no longer decodes: it tells the user so.

    Never registered (its template matches any id): ``Persistent.from_custom_id`` returns it.
    """

    def __init__(self, item: discord.ui.Item[Any], text: str) -> None:
        super().__init__(item)
        self.text = text

    async def callback(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Say the button is out of date."""
        await send_ephemeral(interaction, self.text)


def carries(message: discord.Message, custom_id: str) -> bool:
    """Tell whether a message shows a component with ``custom_id`` (how a retry finds its own earlier post)."""
    return any(getattr(item, "custom_id", None) == custom_id
               for row in message.components for item in getattr(row, "children", []))  # fmt: skip


def view_of(*items: discord.ui.Item[Any]) -> DrillView:
    """Return a view holding ``items`` (persistent ones: no state lives in the view)."""
    view = DrillView(timeout=None)
    for item in items:
        view.add_item(item)
    return view


async def in_time(interaction: Interaction, work: Awaitable[T]) -> T:
    """Return ``work``'s result; if it takes longer than ACKNOWLEDGE_AFTER, acknowledge the interaction meanwhile.

    Replying with the result at once saves a request per interaction (a burst's replies come back
    sooner); a slow moment is still acknowledged within Discord's deadline. Reply with ``bot.tree.reply``.
    The work goes on if the caller is cancelled (it may be a write).
    """
    task = asyncio.ensure_future(work)
    done, _pending = await asyncio.wait({task}, timeout=ACKNOWLEDGE_AFTER)
    if not done and not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)
    return await task
