"""The sandbox's limits, declared once with their defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxSettings:
    """How many workers run members' SQL, and what one query may use."""

    workers: int = 2  # worker processes, each running one query at a time
    timeout: float = 2.0  # seconds a query may run before it is interrupted
    grace: float = 1.0  # seconds an interrupted query has to stop before its worker is killed
    memory_mb: int = 256  # DuckDB's memory limit
    address_space_mb: int = 1024  # RLIMIT_AS of a worker: what DuckDB's own accounting misses
    rows_shown: int = 1000  # rows a result carries for display
    max_rows: int = 100_000  # rows a result may have at all: past this the query is stopped
    max_result_mb: int = 16  # rough size a result may have (text counts its length, other values 8 bytes)
    max_sql: int = 4000  # characters of SQL
    per_member_per_minute: int = 10
    queue_cap: int = 50  # queries waiting or running at once, all members together
