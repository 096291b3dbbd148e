"""Every text a member can get back from the sandbox, in one place."""

from __future__ import annotations

import re

from bot.sandbox.settings import SandboxSettings

CLIP = 300  # characters of a database error shown to the member
# An absolute path of two or more parts (not a URL, not a division like 7/2): the host's layout stays private.
_HOST_PATH = re.compile(r"(?<![\w.:/])(?:/[\w.@~+-]+){2,}/?")

EMPTY = "The query is empty: write one SELECT statement."
NO_FILES = "Files and the network are not available here: a query can only read the question's tables."
ONE_RUNNING = "You already have a query running: wait for its result."
RUNNER_BUSY = "The SQL runner is busy: try again in a moment."
NOT_RUNNING = "The SQL runner is not running right now: try again in a moment."
WRITES = "Only one statement, and it may only read: this query changes data."
CRASHED = "Stopped: the query brought down its SQL runner (a fresh one is starting)."
UNEXPECTED = "The SQL runner could not run this query: please tell the moderators."

# Why a kind of statement is refused, by DuckDB's statement type (the keyword shown comes from the query).
_WHY = {
    "INSERT": "changes data", "UPDATE": "changes data", "DELETE": "changes data", "MERGE_INTO": "changes data",
    "CREATE": "changes the tables", "CREATE_FUNC": "changes the tables", "DROP": "changes the tables",
    "ALTER": "changes the tables", "VACUUM": "changes the tables",
    "COPY": "reads or writes files", "EXPORT": "writes files", "COPY_DATABASE": "writes files",
    "ATTACH": "opens another database", "DETACH": "closes a database",
    "LOAD": "loads extensions", "EXTENSION": "loads extensions",
    "SET": "changes settings", "VARIABLE_SET": "changes settings", "PRAGMA": "runs a database command",
    "CALL": "runs a database command", "TRANSACTION": "controls transactions",
}  # fmt: skip


def too_long(settings: SandboxSettings, length: int) -> str:
    """Say the query is over the length limit."""
    return f"The query is too long: at most {settings.max_sql:,} characters (this one has {length:,})."


def too_many(settings: SandboxSettings) -> str:
    """Say the member hit the per-minute rate."""
    return f"Slow down: at most {settings.per_member_per_minute} queries a minute."


def too_slow(settings: SandboxSettings) -> str:
    """Say the query was stopped by the time limit."""
    return f"Stopped: the query took longer than {settings.timeout:g} s."


def too_big(settings: SandboxSettings) -> str:
    """Say the query was stopped by the memory limit."""
    return f"Stopped: the query needed more than {settings.memory_mb} MB of memory."


def too_many_rows(settings: SandboxSettings) -> str:
    """Say the result had more rows than the runner keeps."""
    return f"Stopped: the result has more than {settings.max_rows:,} rows."


def too_large(settings: SandboxSettings) -> str:
    """Say the result was larger than the runner keeps."""
    return f"Stopped: the result is larger than {settings.max_result_mb} MB."


def several(count: int) -> str:
    """Say the query holds more than one statement."""
    return f"Only one statement, and it may only read: this query has {count}."


def not_reading(keyword: str, kind: str) -> str:
    """Say which statement or clause was refused, and why."""
    why = _WHY.get(kind, "is not a query that only reads")
    return f"Only one statement, and it may only read: `{keyword}` {why}."


def unreadable(error: str) -> str:
    """Say the query could not be parsed, with the parser's words."""
    return f"The query could not be read: {clip(error)}"


def clip(text: str, limit: int = CLIP) -> str:
    """Return a database error fit to show: host paths removed, at most ``limit`` characters."""
    text = _HOST_PATH.sub("…", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
