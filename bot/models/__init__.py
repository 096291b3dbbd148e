"""Every table, imported here so the metadata (and Alembic) sees them all."""

from bot.models.base import SQLModel
from bot.models.daily import (
    Answer,
    DailyPrompt,
    ModelAnswerView,
    OutboxItem,
    PromptSchedule,
    Review,
    SqlScratch,
)
from bot.models.feedback import FeedbackDraft, GuildDeparture, MockFeedback
from bot.models.guild import AppSecret, GuildSettings
from bot.models.mock import MockAvoid, MockGroup, MockGroupMember, MockProfile, MockRound, PairingConfig
from bot.models.practice import PracticeAttempt
from bot.models.questions import RetiredQuestion, ServerQuestion
from bot.models.streaks import MemberStreak, PeriodStat, StreakDay, StreakSettings

metadata = SQLModel.metadata

__all__ = [
    "Answer",
    "AppSecret",
    "DailyPrompt",
    "FeedbackDraft",
    "GuildDeparture",
    "GuildSettings",
    "MemberStreak",
    "MockAvoid",
    "MockFeedback",
    "MockGroup",
    "MockGroupMember",
    "MockProfile",
    "MockRound",
    "ModelAnswerView",
    "OutboxItem",
    "PairingConfig",
    "PeriodStat",
    "PracticeAttempt",
    "PromptSchedule",
    "RetiredQuestion",
    "Review",
    "SQLModel",
    "ServerQuestion",
    "SqlScratch",
    "StreakDay",
    "StreakSettings",
    "metadata",
]
