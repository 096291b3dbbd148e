"""Engines and sessions: WAL and BEGIN IMMEDIATE on SQLite, asyncpg on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator

from bot.cache import CACHE, SettingsCache, TrackedSession

log = logging.getLogger(__name__)

# Well under Discord's 3 s acknowledgement deadline, so a stuck writer surfaces as an error
# the user can be told about instead of an interaction that never answers.
SQLITE_BUSY_TIMEOUT_MS = 2000
# SQLite copies the WAL back into the database file (a checkpoint) in whichever commit finds the
# WAL longer than wal_autocheckpoint pages, and that commit waits for it: 20-25 ms with 50,000
# members, once every ~40 answers at the default of 1,000 pages. So the writer's own automatic
# checkpoint is only a backstop, and Database runs a PASSIVE checkpoint on the writer's connection
# after every CHECKPOINT_EVERY_COMMITS write transactions, in the background (bench.streaks shows
# what it buys). The WAL file is cut back to SQLITE_WAL_KEEP_BYTES when rewound.
CHECKPOINT_EVERY_COMMITS = 500
SQLITE_WAL_BACKSTOP_PAGES = 50_000
SQLITE_WAL_KEEP_BYTES = 64 * 1024 * 1024
# How many sessions use the database at once. SQLite: each pooled aiosqlite connection is a thread
# of this process, and a burst spread over many threads spends its time handing the GIL around
# (bench.reads: 200 /drill today reads at once, 1.6-2.8 ms of CPU each over two connections against
# 3.2-3.8 ms over fifteen). PostgreSQL: the pool's size and overflow. Callers beyond these wait on
# a semaphore (cheap) instead of in the pool's queue, where each waiter runs a timeout of its own.
SQLITE_READERS = 2
POSTGRES_POOL_SIZE, POSTGRES_MAX_OVERFLOW = 10, 20


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A datetime column that stores UTC and always returns timezone-aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Refuse naive datetimes and store UTC (naive UTC on SQLite, which has no zone)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to a UTC column; use an aware datetime")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Hand back an aware UTC datetime whatever the back-end returned."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL names SQLite."""
    return url.startswith("sqlite")


def _install_sqlite_pragmas(engine: AsyncEngine, *, writer: bool) -> None:
    """Give every connection WAL, foreign keys and a busy timeout; the writer's transactions begin IMMEDIATE.

    SQLAlchemy's documented recipe for SQLite transactions: the driver's own BEGIN is turned off
    and the writer's "begin" event emits ours (a connection in AUTOCOMMIT, the checkpoint, gets
    none). Readers begin nothing: each SELECT is its own read transaction on a WAL snapshot.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if writer:
            cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_BACKSTOP_PAGES}")
            cursor.execute(f"PRAGMA journal_size_limit={SQLITE_WAL_KEEP_BYTES}")
        cursor.close()

    if not writer:
        return

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, *, writer: bool = False, **kwargs: Any) -> AsyncEngine:
    """Create an engine for ``url``; on SQLite a writer engine begins IMMEDIATE transactions."""
    if is_sqlite(url):
        path = url.split("///", 1)[1].split("?", 1)[0] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
        if writer:
            # One process writes to SQLite one transaction at a time anyway; queueing writers in
            # the pool instead of in SQLite's busy handler keeps the tail latency low. The pool
            # rolls a connection back when it is handed back (a cancelled task's open transaction).
            options.update(pool_size=1, max_overflow=0, pool_timeout=30)
        else:  # readers never hold a transaction open
            options.update(pool_size=SQLITE_READERS, max_overflow=0, pool_reset_on_return=None)
        options.update(kwargs)
        engine = create_async_engine(url, **options)
        _install_sqlite_pragmas(engine, writer=writer)
        return engine
    # pool_pre_ping: a connection the server dropped (a restart, a failover) is replaced before use.
    options = {"pool_size": POSTGRES_POOL_SIZE, "max_overflow": POSTGRES_MAX_OVERFLOW, "pool_pre_ping": True}
    options.update(kwargs)
    return create_async_engine(url, **options)


class Database:
    """The engines and session factories of one process: reads and writes kept apart."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine_kwargs = engine_kwargs
        self.sqlite = is_sqlite(url)
        self.read_engine = create_engine(url, **engine_kwargs)
        self.write_engine = create_engine(url, writer=True, **engine_kwargs) if self.sqlite else self.read_engine
        self.settings = SettingsCache()
        options: dict[str, Any] = {"expire_on_commit": False, "sync_session_class": TrackedSession,
                                   "info": {CACHE: self.settings}}  # fmt: skip
        self.read_sessions = async_sessionmaker(self.read_engine, **options)
        self.write_sessions = async_sessionmaker(self.write_engine, **options)
        readers = SQLITE_READERS if self.sqlite else POSTGRES_POOL_SIZE + POSTGRES_MAX_OVERFLOW
        self._read_slots = asyncio.Semaphore(int(engine_kwargs.get("pool_size", readers)))
        self._write_slot = asyncio.Semaphore(1 if self.sqlite else POSTGRES_POOL_SIZE + POSTGRES_MAX_OVERFLOW)
        self._commits = 0
        self._checkpoint: asyncio.Task[tuple[int, int, int] | None] | None = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """Open a session for reading; nothing it does is committed."""
        async with self._read_slots, self.read_sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """Open a write transaction (IMMEDIATE on SQLite), committed on success, rolled back on error."""
        async with self._write_slot, self.write_sessions() as session, session.begin():
            yield session
        if self.sqlite:
            self._commits += 1
            if self._commits >= CHECKPOINT_EVERY_COMMITS and (self._checkpoint is None or self._checkpoint.done()):
                self._commits = 0
                self._checkpoint = asyncio.get_running_loop().create_task(self.checkpoint())
                self._checkpoint.add_done_callback(_log_failure)

    async def checkpoint(self) -> tuple[int, int, int] | None:
        """Copy SQLite's WAL into the database file as far as readers allow (PASSIVE), on the writer's connection.

        Returns SQLite's (busy, WAL pages, pages copied); None on PostgreSQL.
        """
        if not self.sqlite:
            return None
        async with self.write_engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")  # the pragma runs outside a transaction
            row = (await auto.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")).one_or_none()
        if row is None:
            return None
        busy, pages, copied = (int(v) for v in row)
        return busy, pages, copied

    async def dispose(self) -> None:
        """Close every pooled connection (after a running checkpoint)."""
        if self._checkpoint is not None:
            await asyncio.gather(self._checkpoint, return_exceptions=True)
        await self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            await self.write_engine.dispose()


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("background WAL checkpoint failed: %s", task.exception())


def insert_ignoring_conflicts(
    session: AsyncSession, table: Any, values: dict[str, Any] | list[dict[str, Any]] | None, *, conflict: list[str]
) -> Any:
    """Build an INSERT that skips rows whose ``conflict`` columns already exist (SQLite and PostgreSQL).

    ``values`` None: the rows are given to ``session.execute`` instead (see ``upsert``).
    """
    return _dialect_insert(session, table, values).on_conflict_do_nothing(index_elements=conflict)


def upsert(
    session: AsyncSession,
    table: Any,
    values: dict[str, Any] | list[dict[str, Any]] | None,
    *,
    conflict: list[str],
    update: dict[str, Any] | Callable[[Any], dict[str, Any]],
) -> Any:
    """Build an INSERT ... ON CONFLICT DO UPDATE setting ``update`` (SQLite and PostgreSQL).

    ``update`` may be a function of the row that was to be inserted (``excluded``) returning the
    mapping, for values that differ row by row. ``values`` None: the rows are given to
    ``session.execute`` instead. Several rows go that way on a hot path: an INSERT of several
    VALUES rows has no cache key, so SQLAlchemy compiles it afresh on every call.
    """
    insert = _dialect_insert(session, table, values)
    changes = update(insert.excluded) if callable(update) else update
    return insert.on_conflict_do_update(index_elements=conflict, set_=changes)


def _dialect_insert(session: AsyncSession, table: Any, values: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert(table) if values is None else insert(table).values(values)
