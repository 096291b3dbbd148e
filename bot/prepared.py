"""Hot-path statements built once per dialect, run on the driver: on SQLite in one hand-off each.

SQLAlchemy runs a statement through aiosqlite in three or four hand-offs to the driver's thread
(make a cursor, execute, fetch, close), each costing about 0.1 ms of CPU for the thread switch
and the event-loop wake-up, and adds its own work per statement. Recording an answer is six
statements, and the SQLite work in them is about 0.15 ms: the rest of the 4 ms an answer cost was
that overhead. A ``Prepared`` statement is a Core statement compiled once per dialect; on SQLite
its parameters go through the columns' own bind processors (so values are stored exactly as
SQLAlchemy would store them) and it runs on the session's connection, inside the session's
transaction, with aiosqlite's one-hand-off ``execute``, ``execute_fetchall`` and ``executemany``.
On PostgreSQL it goes to asyncpg the same way once SQLAlchemy has begun the transaction (the
transaction's first statement goes through SQLAlchemy, which is what begins it).

Like ``AsyncConnection.execute``, it does not flush the session's pending ORM objects first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A statement compiled for SQLite: its SQL, its parameters in order with their processors, and its results'."""

    sql: str
    names: tuple[str, ...]
    bind: tuple[Processor, ...]
    fixed: Mapping[str, Any]
    result: tuple[Processor, ...]

    def args(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """Return the positional driver arguments for ``params``."""
        values = []
        for name, process in zip(self.names, self.bind, strict=True):
            value = params[name] if name in params else self.fixed[name]
            values.append(value if process is None or value is None else process(value))
        return tuple(values)

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        """Return a result row with each column converted as SQLAlchemy would."""
        return tuple(v if p is None or v is None else p(v) for p, v in zip(self.result, raw, strict=True))


class Prepared:
    """A statement built by ``build(session)`` once per dialect, every value a bound parameter."""

    def __init__(self, build: Callable[[AsyncSession], Any]) -> None:
        self._build = build
        self._statements: dict[str, Any] = {}
        self._compiled: dict[str, _Compiled] = {}

    def statement(self, session: AsyncSession) -> Any:
        """Return the Core statement for the session's dialect (built on first use)."""
        dialect = session.get_bind().dialect.name
        stmt = self._statements.get(dialect)
        if stmt is None:
            stmt = self._statements[dialect] = self._build(session)
        return stmt

    async def execute(self, session: AsyncSession, params: Mapping[str, Any]) -> int:
        """Run the statement once; return how many rows it changed."""
        dialect, driver = await _driver(session)
        if driver is None:
            conn = await session.connection()
            return int((await conn.execute(self.statement(session), params)).rowcount)
        compiled = self._compile(session, dialect)
        args = compiled.args(params)
        async with _translating(compiled.sql, args):
            if dialect.name == "sqlite":
                return int((await driver.execute(compiled.sql, args)).rowcount)
            status = await driver.execute(compiled.sql, *args)  # asyncpg: "INSERT 0 1", "UPDATE 3", ...
            return int(status.rsplit(" ", 1)[-1])

    async def fetch(self, session: AsyncSession, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement once; return its rows (a SELECT, or a write with RETURNING)."""
        dialect, driver = await _driver(session)
        if driver is None:
            conn = await session.connection()
            return [tuple(r) for r in (await conn.execute(self.statement(session), params)).all()]
        compiled = self._compile(session, dialect)
        args = compiled.args(params)
        async with _translating(compiled.sql, args):
            if dialect.name == "sqlite":
                rows = await driver.execute_fetchall(compiled.sql, args)
            else:
                rows = await driver.fetch(compiled.sql, *args)
        return [compiled.row(r) for r in rows]

    async def execute_many(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per parameter set, in one hand-off."""
        dialect, driver = await _driver(session)
        if driver is None:
            conn = await session.connection()
            await conn.execute(self.statement(session), list(rows))
            return
        compiled = self._compile(session, dialect)
        args = [compiled.args(r) for r in rows]
        async with _translating(compiled.sql, args):
            await driver.executemany(compiled.sql, args)

    def _compile(self, session: AsyncSession, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _compile_for(self.statement(session), dialect)
        return compiled


def _compile_for(stmt: Any, dialect: Dialect) -> _Compiled:
    """Compile ``stmt`` once: SQL, positional parameter names, constant defaults and the type processors."""
    compiled = stmt.compile(dialect=dialect)
    defaults = {}
    for column in [*compiled.insert_prefetch, *compiled.update_prefetch]:
        default = column.onupdate if column in compiled.update_prefetch else column.default
        if default is None or not default.is_scalar:
            raise ValueError(f"{column}: only constant column defaults can be applied to a prepared statement")
        defaults[column.key] = default.arg
    if "POSTCOMPILE" in compiled.string:
        raise ValueError("a prepared statement cannot take expanding (IN list) parameters")
    names = tuple(compiled.positiontup or ())
    binds = compiled.binds
    bind = tuple(binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names)
    fixed = {**{name: b.effective_value for name, b in binds.items() if not b.required}, **defaults}
    columns = list(stmt.exported_columns) if getattr(stmt, "exported_columns", None) is not None else []
    result = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
    return _Compiled(compiled.string, names, bind, fixed, result)


_DRIVER_KEY = "bot.prepared.driver"


async def _driver(session: AsyncSession) -> tuple[Dialect, Any]:
    """Return the session's dialect and the driver connection under its transaction (None: go through SQLAlchemy).

    The driver is looked up once per transaction and kept in ``session.info`` with the transaction
    it belongs to: asking the session for its connection costs two greenlet switches and the
    session's bookkeeping, as much CPU as a statement's hand-off to aiosqlite's thread.

    SQLAlchemy begins a transaction on asyncpg only when it runs the transaction's first statement,
    so until then a statement sent straight to asyncpg would run outside it: that first one goes
    through SQLAlchemy.
    """
    transaction = session.sync_session.get_transaction()
    kept = session.info.get(_DRIVER_KEY)
    if kept is not None and transaction is not None and kept[0] is transaction and transaction.is_active:
        return kept[1], kept[2]
    conn = await session.connection()
    dialect = conn.dialect
    if dialect.name not in ("sqlite", "postgresql") or dialect.driver not in ("aiosqlite", "asyncpg"):
        return dialect, None
    sync = conn.sync_connection
    if sync is None or sync.invalidated:
        return dialect, None
    driver: Any = sync.connection.driver_connection
    if dialect.name == "postgresql" and not driver.is_in_transaction():
        return dialect, None
    session.info[_DRIVER_KEY] = (session.sync_session.get_transaction(), dialect, driver)
    return dialect, driver


@asynccontextmanager
async def _translating(sql: str, args: Any) -> AsyncIterator[None]:
    """Raise a driver's error as SQLAlchemy's (IntegrityError, OperationalError, ...), as its own execution would."""
    try:
        yield
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, args, exc, sqlite3.Error) from exc
    except Exception as exc:
        import asyncpg  # type: ignore[import-untyped]

        if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            raise IntegrityError(sql, args, exc) from exc
        if isinstance(exc, asyncpg.PostgresError):
            raise DBAPIError(sql, args, exc) from exc
        raise
