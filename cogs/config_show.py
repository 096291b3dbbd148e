"""The /config show embed: every setting, the next post time, and problems admins should fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.services import guild_settings, prompts, streaks

if TYPE_CHECKING:
    from bot.client import DrillBot

LOW_POOL = 7


def _ts(value: object) -> str:
    return f"<t:{int(value.timestamp())}:F>" if hasattr(value, "timestamp") else "—"


async def settings_embed(bot: DrillBot, guild_id: int) -> discord.Embed:
    """Build the settings overview of a server."""
    async with bot.db.read() as session:
        settings = await guild_settings.get_settings(session=session, guild_id=guild_id)
        schedule = await prompts.get_schedule(session=session, guild_id=guild_id)
        streak = await streaks.get_settings(session=session, guild_id=guild_id)
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
    if streak.role_error:
        embed.add_field(name="⚠️ Milestone roles", value=f"{streak.role_error} ({_ts(streak.role_error_at)})",
                        inline=False)  # fmt: skip
    low = [f"{category}: {unused} unused of {total}" for category, (unused, total) in pool.items() if unused < LOW_POOL]
    if low:
        embed.add_field(name="⚠️ Questions running low", value="\n".join(low)[:1024], inline=False)
    return embed
