"""Names vulture cannot see used: read by a framework, the database, or the tests and benchmarks as an API."""

from bot.client import build_intents
from bot.clock import ManualClock
from bot.models import (
    DailyPrompt,
    FeedbackDraft,
    GuildDeparture,
    MockFeedback,
    MockProfile,
    MockRound,
    RetiredQuestion,
    StreakDay,
)
from bot.models.base import SQLModel
from bot.models.mock import Level
from bot.outbox import Outbox
from bot.services.mock.pairing import Matching
from bot.services.privacy import Coverage
from bot.services.questions.schema import Difficulty
from bot.tree import DrillTree
from cogs.daily import DrillCog

# discord.py reads these: intents, the API's base and gateway, dynamic item templates
build_intents(...).presences
build_intents(...).message_content
# SQLAlchemy reads these: the naming convention of constraints, the driver's transaction mode
SQLModel.metadata.naming_convention
_.isolation_level  # the driver connection in db._install_sqlite_pragmas
_.BASE  # discord.http.Route.BASE in bot.endpoints
_.DEFAULT_GATEWAY  # DiscordWebSocket.DEFAULT_GATEWAY in bot.endpoints
DrillTree.interaction_check  # called by discord.py before every command
DrillCog.run_question_autocomplete  # discord.py calls an option's autocomplete callback
# columns: written by the services, read by exports and admins' SQL
DailyPrompt.due_at, DailyPrompt.claimed_at, DailyPrompt.posted_at
MockFeedback.communication, MockFeedback.technical_depth, MockFeedback.problem_solving, MockFeedback.culture
FeedbackDraft.updated_at
GuildDeparture.left_at
MockProfile.availability_text, MockProfile.inactive_reason
MockRound.completed_at
RetiredQuestion.retired_at
StreakDay.streak_after
# enum members: the words members pick from
Level.JUNIOR, Level.MID, Level.SENIOR
Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD
# results read by the privacy guard test and the pairing benchmark
Coverage.member_columns, Coverage.member_json, Coverage.plain_json, Coverage.not_members, Coverage.purge
Matching.same_track_pairs
# the seams tests and benchmarks drive the bot through
ManualClock.advance
Outbox.wait_idle
