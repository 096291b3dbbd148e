"""Every table, imported here so the metadata (and Alembic) sees them all."""

from bot.models.base import SQLModel
from bot.models.daily import Answer, DailyPrompt, OutboxItem, PromptSchedule, Review
from bot.models.guild import GuildSettings
from bot.models.questions import RetiredQuestion, ServerQuestion
from bot.models.streaks import MemberStreak, PeriodStat, StreakDay, StreakSettings

metadata = SQLModel.metadata

__all__ = [
    "Answer",
    "DailyPrompt",
    "GuildSettings",
    "MemberStreak",
    "OutboxItem",
    "PeriodStat",
    "PromptSchedule",
    "RetiredQuestion",
    "Review",
    "SQLModel",
    "ServerQuestion",
    "StreakDay",
    "StreakSettings",
    "metadata",
]
