"""A SQL question's dataset in an in-memory DuckDB: load it, run a query on it.

Used by `drillbot questions check` on the shipped bank, whose queries are trusted. Members'
queries never run here: they run in the sandbox's worker processes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.services.questions.schema import Table

if TYPE_CHECKING:
    import duckdb

DIALECT = "DuckDB"  # close to PostgreSQL: FILTER, QUALIFY, window functions, INTERVAL; 7/2 is 3.5
# Functions whose result changes from run to run: a checked query may not call them.
UNSTABLE = re.compile(
    r"\b(?:(?:now|today|random|setseed|uuid|gen_random_uuid|get_current_time|get_current_timestamp)\s*\("
    r"|(?:current_date|current_time|current_timestamp|localtime|localtimestamp)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class QueryResult:
    """What a query returned: its column names and rows."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


def connect() -> duckdb.DuckDBPyConnection:
    """Return an empty in-memory database in UTC that cannot reach files, the network or extensions."""
    import duckdb

    connection = duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def load(connection: duckdb.DuckDBPyConnection, tables: Sequence[Table], *, reverse: bool = False) -> None:
    """Create the tables and insert their rows (in reverse order when asked), each cell cast to its column's type."""
    for table in tables:
        names, types = table.column_names(), table.column_types()
        columns = ", ".join(f'"{n}" {t}' for n, t in zip(names, types, strict=True))
        connection.execute(f'CREATE TABLE "{table.table}" ({columns})')
        if not table.rows:
            continue
        casts = ", ".join(f"CAST(? AS {t})" for t in types)
        rows = list(reversed(table.rows)) if reverse else list(table.rows)
        connection.executemany(f'INSERT INTO "{table.table}" SELECT {casts}', [list(r) for r in rows])


def run(tables: Sequence[Table], query: str, *, reverse: bool = False) -> QueryResult:
    """Load ``tables`` into a fresh database and return what ``query`` gives there."""
    connection = connect()
    try:
        load(connection, tables, reverse=reverse)
        cursor = connection.execute(query)
        rows = cursor.fetchall()
        return QueryResult([d[0] for d in cursor.description or []], [tuple(r) for r in rows])
    finally:
        connection.close()
