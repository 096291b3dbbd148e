"""Options typed in by hand (times, zones, days, rotations, tracks, dates, milestones), parsed before a command runs.

Each transformer turns the text into the value the services store, or refuses it with a clear
reason (the tree's error handler shows it), so a bad value never reaches a command body.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.client import DrillBot
from bot.services.daily.schedule import (
    check_pause_date,
    format_days,
    format_rotation,
    parse_date,
    parse_days,
    parse_rotation,
    parse_time,
    parse_timezone,
    parse_tracks,
    search_timezones,
)
from bot.services.errors import Refused
from bot.services.streaks.settings import parse_milestones

if TYPE_CHECKING:
    from bot.client import Interaction


class TimeOfDay(app_commands.Transformer[DrillBot]):
    """A wall-clock time, "HH:MM" on a 24-hour clock, stored as "HH:MM"."""

    async def transform(self, interaction: Interaction, value: str) -> str:
        """Parse the time."""
        return parse_time(value).strftime("%H:%M")


class TimeZone(app_commands.Transformer[DrillBot]):
    """An IANA time zone, with autocomplete; stored as its name."""

    async def transform(self, interaction: Interaction, value: str) -> str:
        """Check the zone exists."""
        return parse_timezone(value).key

    async def autocomplete(
        self, interaction: Interaction, value: int | float | str
    ) -> list[app_commands.Choice[int | float | str]]:
        """Suggest IANA zones matching what was typed."""
        return [app_commands.Choice(name=name, value=name) for name in search_timezones(str(value or ""))]


class Days(app_commands.Transformer[DrillBot]):
    """Weekdays such as "mon-fri" or "mon,wed,fri", stored compactly."""

    async def transform(self, interaction: Interaction, value: str) -> str:
        """Parse the days."""
        return format_days(parse_days(value))


class Rotation(app_commands.Transformer[DrillBot]):
    """The category rotation: "round-robin" or "mon=sql,tue=behavioral"."""

    async def transform(self, interaction: Interaction, value: str) -> str:
        """Parse the rotation."""
        return format_rotation(parse_rotation(value))


class Tracks(app_commands.Transformer[DrillBot]):
    """A comma list of tracks ("all" for every track)."""

    async def transform(self, interaction: Interaction, value: str) -> list[str]:
        """Parse the tracks."""
        return parse_tracks(value)


@dataclass(frozen=True, slots=True)
class Pause:
    """A pause of the daily prompts: until a date, or none (the word "off")."""

    until: dt.date | None


class PauseUntil(app_commands.Transformer[DrillBot]):
    """A date (YYYY-MM-DD) before which no prompt is posted, at most a year ahead; or "off"."""

    async def transform(self, interaction: Interaction, value: str) -> Pause:
        """Parse the date, or "off"; refuse a date already past everywhere, or more than a year ahead."""
        if value.strip().lower() == "off":
            return Pause(None)
        return Pause(check_pause_date(parse_date(value), interaction.client.clock.now()))


class PairingChannel(app_commands.Transformer[DrillBot]):
    """A text channel for the private pair threads (an announcement channel cannot hold private threads)."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        """A channel option."""
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        """Only text channels are offered."""
        return [discord.ChannelType.text]

    async def transform(self, interaction: Interaction, value: app_commands.AppCommandChannel) -> discord.TextChannel:
        """Return the cached channel (its permissions are checked by the command)."""
        channel = interaction.guild.get_channel(value.id) if interaction.guild else None
        if not isinstance(channel, discord.TextChannel) or channel.is_news():
            raise Refused(
                f"{value.mention} cannot hold private threads: pick a text channel (not an announcement channel)."
            )
        return channel


class Milestones(app_commands.Transformer[DrillBot]):
    """Streak lengths to celebrate, e.g. "3,7,14,30,100"."""

    async def transform(self, interaction: Interaction, value: str) -> list[int]:
        """Parse the milestones."""
        return parse_milestones(value)
