"""Settings from the environment or a `.env` file: one class, read once at start-up."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/drillbot.db"


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: str = Field(default="", repr=False)
    database_url: str = DEFAULT_DATABASE_URL
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: list[int] | None = None
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    message_content_intent: bool = False
    guild_data_grace_days: int = Field(default=30, ge=0)
    sandbox_workers: int = Field(default=2, ge=1, le=32)  # processes that run members' SQL

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _parse_shard_ids(cls, value: object) -> object:
        """Accept "0,1,2" as well as a JSON list."""
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if not text.startswith("["):
                return [int(part) for part in text.split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("discord_api_base", "discord_gateway_url", "dev_guild_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level")
    @classmethod
    def _upper_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @model_validator(mode="after")
    def _shards_consistent(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT")
            bad = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if bad:
                raise ValueError(f"SHARD_IDS {bad} are outside 0..{self.shard_count - 1}")
        return self
