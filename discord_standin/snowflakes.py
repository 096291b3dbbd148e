"""Discord-style snowflakes and timestamps."""

from __future__ import annotations

import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1420070400000


class SnowflakeGenerator:
    """Make unique, increasing, timestamp-based snowflakes like Discord's."""

    def __init__(self, *, worker: int = 1, process: int = 0) -> None:
        self._worker = worker & 0x1F
        self._process = process & 0x1F
        self._last_ms = 0
        self._increment = 0

    def next(self, *, at_ms: int | None = None) -> int:
        """Return a new snowflake (for the current time unless ``at_ms`` is given)."""
        ms = int(time.time() * 1000) if at_ms is None else at_ms
        if at_ms is None:
            if ms <= self._last_ms:
                ms = self._last_ms
                self._increment += 1
                if self._increment > 0xFFF:
                    ms += 1
                    self._increment = 0
            else:
                self._increment = 0
            self._last_ms = ms
        return ((ms - DISCORD_EPOCH_MS) << 22) | (self._worker << 17) | (self._process << 12) | self._increment


def snowflake_time(snowflake: int) -> datetime:
    """Return the creation time encoded in a snowflake."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def iso(moment: datetime) -> str:
    """Format a datetime the way Discord does (ISO 8601 with offset)."""
    return moment.astimezone(UTC).isoformat()


def now_iso() -> str:
    """Return the current time formatted like Discord's timestamps."""
    return iso(datetime.now(UTC))
