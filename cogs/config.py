"""/config: server settings for admins. Each feature's settings have a subcommand here."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import admin_only
from bot.services import guild_settings, mock
from bot.services.daily import prompts
from bot.services.daily.schedule import ARCHIVE_MINUTES, WEEKDAYS
from bot.services.errors import Refused
from bot.services.streaks import settings as streak_settings
from cogs.config_show import milestone_role_problems, settings_embed
from cogs.options import (
    Days,
    Milestones,
    PairingChannel,
    Pause,
    PauseUntil,
    Rotation,
    TimeOfDay,
    TimeZone,
    Tracks,
)

if TYPE_CHECKING:
    from bot.client import DrillBot, Interaction

PROMPT_CHANNEL_PERMISSIONS = (
    "view_channel",
    "send_messages",
    "embed_links",
    "create_public_threads",
    "send_messages_in_threads",
    "read_message_history",
)
PAIRING_CHANNEL_PERMISSIONS = (
    "view_channel",
    "send_messages",
    "create_private_threads",
    "send_messages_in_threads",
    "manage_threads",
)
# A streak must never hand out moderation: a milestone role with any of these is refused.
ELEVATED_PERMISSIONS = (
    "administrator", "manage_guild", "manage_roles", "manage_channels", "manage_messages", "manage_threads",
    "manage_nicknames", "manage_webhooks", "manage_expressions", "manage_events", "kick_members", "ban_members",
    "moderate_members", "view_audit_log", "move_members", "mute_members", "deafen_members",
)  # fmt: skip
ARCHIVE_CHOICES = [
    app_commands.Choice(name=label, value=minutes)
    for label, minutes in zip(("1 hour", "1 day", "3 days", "1 week"), ARCHIVE_MINUTES, strict=True)
]


def missing_permissions(channel: discord.abc.GuildChannel, needed: tuple[str, ...]) -> list[str]:
    """Return the permissions the bot lacks in ``channel``, by their Discord names."""
    me = channel.guild.me
    if me is None:
        return list(needed)
    perms = channel.permissions_for(me)
    return [name.replace("_", " ").title() for name in needed if not getattr(perms, name)]


def require_permissions(channel: discord.abc.GuildChannel | None, needed: tuple[str, ...], doing: str) -> None:
    """Refuse a channel where the bot lacks any of ``needed`` (nothing is changed then)."""
    if channel is None:
        return
    missing = missing_permissions(channel, needed)
    if missing:
        raise Refused(
            f"I cannot {doing} in {channel.mention}: I am missing {', '.join(missing)} there. Nothing was changed."
        )


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class ConfigCog(commands.GroupCog, group_name="config", group_description="Server settings (admins)"):
    """Admin settings: who counts as admin, and what each feature does."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="admin-role", description="Set the role whose holders may run admin commands")
    @app_commands.describe(role="The admin role; leave out to clear it (Manage Server always counts)")
    @admin_only()
    async def admin_role(self, interaction: Interaction, role: discord.Role | None = None) -> None:
        """Set or clear the server's admin role."""
        assert interaction.guild_id is not None
        if role is not None and role.is_default():
            raise Refused("@everyone cannot be the admin role: every member holds it. Nothing was changed.")
        if role is not None and role.managed:
            raise Refused(
                f"{role.mention} is managed by an integration (a bot's role or the booster role), so it cannot mean "
                '"admins": pick a role the server gives by hand. Nothing was changed.'
            )
        async with self.bot.db.write() as session:
            await guild_settings.set_admin_role(
                session=session, guild_id=interaction.guild_id, role_id=role.id if role else None
            )
        text = (
            f"Members with {role.mention} can now run admin commands."
            if role
            else "Admin role cleared: only members with Manage Server can run admin commands."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="prompts", description="When and where the daily prompt is posted")
    @app_commands.describe(
        channel="Channel for the daily post and its answer threads",
        time="Local time to post, HH:MM (24 h)",
        timezone="IANA time zone, e.g. Europe/Helsinki",
        days="Days to post: mon-fri, or mon,wed,fri, or daily",
        rotation="round-robin, or mon=sql,tue=behavioral,…",
        tracks="Comma list of tracks the questions are picked for (all if empty)",
        ping_role="A role to mention in each daily post",
        no_ping="Stop mentioning the ping role",
        archive="How long an idle answer thread stays open",
        pause_until="No prompts before this date (YYYY-MM-DD), or 'off'",
        enabled="Turn daily prompts on or off",
    )
    @app_commands.choices(archive=ARCHIVE_CHOICES)
    @admin_only()
    async def prompts_(
        self,
        interaction: Interaction,
        channel: discord.TextChannel | None = None,
        time: app_commands.Transform[str, TimeOfDay] | None = None,
        timezone: app_commands.Transform[str, TimeZone] | None = None,
        days: app_commands.Transform[str, Days] | None = None,
        rotation: app_commands.Transform[str, Rotation] | None = None,
        tracks: app_commands.Transform[list[str], Tracks] | None = None,
        ping_role: discord.Role | None = None,
        no_ping: bool = False,
        archive: int | None = None,
        pause_until: app_commands.Transform[Pause, PauseUntil] | None = None,
        enabled: bool | None = None,
    ) -> None:
        """Change every given value at once (the options were parsed before; nothing changes on any error)."""
        assert interaction.guild_id is not None
        if ping_role is not None and ping_role.is_default():
            raise Refused("Pick a specific role to ping, not @everyone. Nothing was changed.")
        require_permissions(channel, PROMPT_CHANNEL_PERMISSIONS, "post prompts")
        changes = prompts.PromptSettings(
            channel_id=channel.id if channel else None, post_time=time, timezone=timezone, days=days,
            rotation=rotation, tracks=tracks, ping_role_id=ping_role.id if ping_role else None, clear_ping_role=no_ping,
            archive_minutes=archive, pause_until=pause_until.until if pause_until else None,
            clear_pause=pause_until is not None and pause_until.until is None, enabled=enabled,
        )  # fmt: skip
        async with self.bot.db.write() as session:
            schedule = await prompts.configure(
                session=session, guild_id=interaction.guild_id, changes=changes, now=self.bot.clock.now(),
            )  # fmt: skip
        when = f"<t:{int(schedule.next_post_at.timestamp())}:F>" if schedule.next_post_at else "not scheduled"
        state = "on" if schedule.enabled and schedule.channel_id else "off"
        await interaction.response.send_message(f"Daily prompts are {state}. Next post: {when}.", ephemeral=True)

    @app_commands.command(name="streaks", description="Streak freezes, milestones and their roles, heads-up hours")
    @app_commands.describe(
        freezes="Members earn a freeze per 7 answered days (max 2), spent on a missed day",
        milestones="Streak lengths to celebrate, e.g. 3,7,14,30,100",
        milestone_roles="Roles granted at milestones, e.g. 7=@Regular,30=@Veteran (or none)",
        heads_up_hours="Hours before a prompt closes that opted-in members get a DM (1-23)",
    )
    @admin_only()
    async def streaks_(
        self,
        interaction: Interaction,
        freezes: bool | None = None,
        milestones: app_commands.Transform[list[int], Milestones] | None = None,
        milestone_roles: str | None = None,
        heads_up_hours: app_commands.Range[int, 1, 23] | None = None,
    ) -> None:
        """Validate and store the streak settings (nothing changes on any error)."""
        assert interaction.guild is not None
        roles = None
        if milestone_roles is not None:
            roles = {m: self._resolve_role(interaction.guild, ref)
                     for m, ref in streak_settings.parse_milestone_roles(milestone_roles).items()}  # fmt: skip
        changes = streak_settings.StreakChanges(
            freezes_enabled=freezes, milestones=milestones, milestone_roles=roles, heads_up_hours=heads_up_hours
        )
        async with self.bot.db.write() as session:
            row = await streak_settings.configure(session=session, guild_id=interaction.guild.id, changes=changes)
        granted = ", ".join(f"{m}=<@&{r}>" for m, r in row.milestone_roles.items()) or "none"
        listed = ", ".join(map(str, row.milestones))
        problems = "".join(f"\n⚠️ {p}" for p in milestone_role_problems(interaction.guild, row.milestone_roles))
        await interaction.response.send_message(
            f"Streaks: freezes {'on' if row.freezes_enabled else 'off'}; milestones {listed}; "
            f"roles {granted}; heads-up {row.heads_up_hours} h before a prompt closes.{problems}",
            ephemeral=True,
        )

    @staticmethod
    def _resolve_role(guild: discord.Guild, reference: str) -> int:
        role_id = streak_settings.role_reference_id(reference)
        role = guild.get_role(role_id) if role_id else discord.utils.get(guild.roles, name=reference.lstrip("@"))
        if role is None or role.is_default() or role.managed:
            raise Refused(f"`{reference[:60]}` is not a role I can grant on this server. Nothing was changed.")
        elevated = [name.replace("_", " ") for name in ELEVATED_PERMISSIONS if getattr(role.permissions, name)]
        if elevated:
            raise Refused(
                f"{role.mention} carries {', '.join(elevated[:3])}: a streak must not grant moderator powers. "
                "Pick a role without elevated permissions. Nothing was changed."
            )
        return role.id

    @app_commands.command(name="pairing", description="Where and when mock-interview pairs are made")
    @app_commands.describe(
        channel="Channel that holds the private pair threads",
        cadence="How often rounds run",
        weekday="Day of the round",
        time="Local time of the round, HH:MM (24 h)",
        timezone="IANA time zone of the round (its own, not the prompts')",
        heads_up_hours="Hours before a round to post a heads-up in the channel (0 for none)",
        enabled="Turn pairing rounds on or off",
    )
    @app_commands.choices(cadence=[app_commands.Choice(name=c, value=c) for c in mock.CADENCES])
    @app_commands.choices(weekday=[app_commands.Choice(name=d, value=i) for i, d in enumerate(WEEKDAYS)])
    @admin_only()
    async def pairing(
        self,
        interaction: Interaction,
        channel: app_commands.Transform[discord.TextChannel, PairingChannel] | None = None,
        cadence: str | None = None,
        weekday: int | None = None,
        time: app_commands.Transform[str, TimeOfDay] | None = None,
        timezone: app_commands.Transform[str, TimeZone] | None = None,
        heads_up_hours: app_commands.Range[int, 0, 72] | None = None,
        enabled: bool | None = None,
    ) -> None:
        """Change every given value at once (the options were parsed before; nothing changes on any error)."""
        assert interaction.guild_id is not None
        require_permissions(channel, PAIRING_CHANNEL_PERMISSIONS, "run pairing")
        changes = mock.PairingChanges(
            channel_id=channel.id if channel else None, cadence=cadence, weekday=weekday, post_time=time,
            timezone=timezone, heads_up_hours=heads_up_hours, enabled=enabled,
        )  # fmt: skip
        async with self.bot.db.write() as session:
            row = await mock.configure(session=session, guild_id=interaction.guild_id, changes=changes,
                                       now=self.bot.clock.now())  # fmt: skip
        when = f"<t:{int(row.next_round_at.timestamp())}:F>" if row.next_round_at else "not scheduled"
        await interaction.response.send_message(
            f"Pairing is {'on' if row.enabled and row.channel_id else 'off'}: {row.cadence} on "
            f"{WEEKDAYS[row.weekday]} at {row.post_time} {row.timezone}. Next round: {when}.", ephemeral=True,
        )  # fmt: skip

    @app_commands.command(name="show", description="Show every setting of this server")
    @admin_only()
    async def show(self, interaction: Interaction) -> None:
        """Show the server's settings, next post time and any posting problem."""
        assert interaction.guild_id is not None
        embed = await settings_embed(self.bot, interaction.guild_id)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: DrillBot) -> None:
    """Load the cog."""
    await bot.add_cog(ConfigCog(bot))
