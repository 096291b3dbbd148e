"""Every table, imported here so the metadata (and Alembic) sees them all."""

from bot.models.base import SQLModel
from bot.models.guild import GuildSettings
from bot.models.questions import RetiredQuestion, ServerQuestion

metadata = SQLModel.metadata

__all__ = ["GuildSettings", "RetiredQuestion", "SQLModel", "ServerQuestion", "metadata"]
