"""The /config show embed: every setting, the next post time, and problems admins should fix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import discord

from bot.services import guild_settings, mock, streaks
from bot.services.daily import prompts
from bot.services.daily.schedule import WEEKDAYS

if TYPE_CHECKING:
    from bot.client import DrillBot

LOW_POOL = 7


def _ts(value: object) -> str:
    return f"<t:{int(value.timestamp())}:F>" if hasattr(value, "timestamp") else "—"


def milestone_role_problems(guild: discord.Guild | None, roles: Mapping[str, int]) -> list[str]:
    """Say why the bot cannot grant these milestone roles right now (empty when it can, or none are set)."""
    me = guild.me if guild is not None else None
    if not roles or guild is None or me is None:
        return []
    problems = []
    if not me.guild_permissions.manage_roles:
        problems.append("I need the Manage Roles permission to grant milestone roles.")
    for milestone, role_id in sorted(roles.items(), key=lambda item: int(item[0])):
        role = guild.get_role(int(role_id))
        if role is None:
            problems.append(f"The role for the {milestone} milestone no longer exists.")
        elif role >= me.top_role:
            problems.append(
                f"{role.mention} ({milestone}) sits above my highest role, so I cannot grant it; move my role above it."
            )
    return problems


async def settings_embed(bot: DrillBot, guild_id: int) -> discord.Embed:
    """Build the settings overview of a server."""
    async with bot.db.read() as session:
        settings = await guild_settings.get_settings(session=session, guild_id=guild_id)
        schedule = await prompts.get_schedule(session=session, guild_id=guild_id)
        streak = await streaks.get_settings(session=session, guild_id=guild_id)
        pairing = await mock.get_config(session=session, guild_id=guild_id)
        pool = await prompts.pool_status(
            session=session, bank=bot.bank, guild_id=guild_id, tracks=schedule.tracks if schedule else []
        )
    embed = discord.Embed(title="drillbot settings", colour=discord.Colour.blurple())
    embed.add_field(
        name="Admin role",
        value=f"<@&{settings.admin_role_id}>" if settings.admin_role_id else "not set (Manage Server only)",
        inline=False,
    )
    if schedule is None or schedule.channel_id is None:
        embed.add_field(name="Daily prompts", value="not set up — use /config prompts channel:", inline=False)
    else:
        lines = [
            f"**Status:** {'on' if schedule.enabled else 'off'}",
            f"**Channel:** <#{schedule.channel_id}>",
            f"**Time:** {schedule.post_time} {schedule.timezone} · **Days:** {schedule.days}",
            f"**Rotation:** {schedule.rotation}",
            f"**Tracks:** {', '.join(schedule.tracks) or 'all'}",
            f"**Ping role:** {f'<@&{schedule.ping_role_id}>' if schedule.ping_role_id else 'none'}",
            f"**Thread archive:** {schedule.archive_minutes} min",
            f"**Paused until:** {schedule.pause_until.isoformat() if schedule.pause_until else 'not paused'}",
            f"**Next post:** {_ts(schedule.next_post_at) if schedule.next_post_at else 'not scheduled'}",
        ]
        embed.add_field(name="Daily prompts", value="\n".join(lines), inline=False)
        if schedule.last_error:
            embed.add_field(
                name="⚠️ Posting problem", value=f"{schedule.last_error[:900]} ({_ts(schedule.last_error_at)})",
                inline=False,
            )  # fmt: skip
    lines = [
        f"**Freezes:** {'on' if streak.freezes_enabled else 'off'}",
        f"**Milestones:** {', '.join(map(str, streak.milestones)) or 'none'}",
        f"**Milestone roles:** {', '.join(f'{m}=<@&{r}>' for m, r in streak.milestone_roles.items()) or 'none'}",
        f"**Heads-up:** {streak.heads_up_hours} h before a prompt closes",
    ]
    embed.add_field(name="Streaks", value="\n".join(lines), inline=False)
    live = milestone_role_problems(bot.get_guild(guild_id), streak.milestone_roles)
    if live:
        embed.add_field(name="⚠️ Milestone roles", value="\n".join(live)[:1024], inline=False)
    elif streak.role_error:
        note = f"{streak.role_error[:700]} ({_ts(streak.role_error_at)}). The roles look grantable now; the next "
        embed.add_field(name="⚠️ Milestone roles: last attempt failed", value=note + "milestone tries again.",
                        inline=False)  # fmt: skip
    if pairing is None or pairing.channel_id is None:
        embed.add_field(name="Mock pairing", value="not set up — use /config pairing channel:", inline=False)
    else:
        lines = [
            f"**Status:** {'on' if pairing.enabled else 'off'} · **Channel:** <#{pairing.channel_id}>",
            f"**When:** {pairing.cadence}, {WEEKDAYS[pairing.weekday]} {pairing.post_time} {pairing.timezone}",
            f"**Heads-up:** {pairing.heads_up_hours} h before",
            f"**Next round:** {_ts(pairing.next_round_at) if pairing.next_round_at else 'not scheduled'}",
        ]
        embed.add_field(name="Mock pairing", value="\n".join(lines), inline=False)
    low = [f"{category}: {unused} unused of {total}" for category, (unused, total) in pool.items() if unused < LOW_POOL]
    if low:
        embed.add_field(name="⚠️ Questions running low", value="\n".join(low)[:1024], inline=False)
    return embed
