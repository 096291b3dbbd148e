"""Every table, imported here so the metadata (and Alembic) sees them all."""

from bot.models.base import SQLModel
from bot.models.guild import GuildSettings

metadata = SQLModel.metadata

__all__ = ["GuildSettings", "SQLModel", "metadata"]
