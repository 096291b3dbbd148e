"""What many members read between two writes, kept in memory: read once, dropped when a write commits.

Member commands read the same few rows again and again: their server's time zone and streak
rules, the question today's prompt asked, a leaderboard's first page. Under a burst those reads
are a good part of each reply's time. ``cached`` keeps such a value per (table, key) in the
``SettingsCache`` of the process's Database. Every session the Database opens notes which tables
its writes touched (ORM flushes and INSERT/UPDATE/DELETE statements alike), and when it commits,
the cache drops those tables, for every key: a commit is known by the tables it wrote, not by
their rows, so an answer anywhere costs the next leaderboard view one read. A read that began
before that commit does not store its (older) value afterwards: each table has a generation that
a drop moves on. A session that has itself changed the table reads it from the database.

This holds because only the process that serves a server writes its rows (commands reach the
process owning the server's shard, and its jobs touch only the servers it owns); a row changed
behind the bot's back (by hand, with SQL) is seen after a restart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

T = TypeVar("T")
CACHE = "drillbot.settings_cache"
TOUCHED = "drillbot.touched_tables"
MISSING = object()


class SettingsCache:
    """Values per table and key, each table with a generation that a drop moves on."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[Hashable, Any]] = {}
        self._generations: Counter[str] = Counter()

    def get(self, table: str, key: Hashable) -> Any:
        """Return the value held for ``key`` of ``table``, or ``MISSING``."""
        return self._tables.get(table, {}).get(key, MISSING)

    def generation(self, table: str) -> int:
        """Return how many times ``table`` was dropped."""
        return self._generations[table]

    def put(self, table: str, key: Hashable, value: Any, *, generation: int) -> None:
        """Hold ``value``, unless ``table`` was dropped since ``generation`` (the value may be older)."""
        if self._generations[table] == generation:
            self._tables.setdefault(table, {})[key] = value

    def drop(self, tables: set[str]) -> None:
        """Forget every value read from ``tables`` (every server's: a write names its table, not its server)."""
        for table in tables:
            self._generations[table] += 1
            self._tables.pop(table, None)


class TrackedSession(Session):
    """The Database's sessions: they note the tables their writes touch, for the settings cache."""


async def cached(session: AsyncSession, table: str, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
    """Return the value ``load`` reads from ``table`` for ``key``, from memory when the cache holds it.

    ``load`` must return something that outlives its session: a plain value, or a model instance in
    no session (a row the session loaded expires when that session rolls back).
    """
    cache: SettingsCache | None = session.info.get(CACHE)
    if cache is None or _changing(session, table):
        return await load()
    value = cache.get(table, key)
    if value is not MISSING:
        return value
    generation = cache.generation(table)
    value = await load()
    cache.put(table, key, value, generation=generation)
    return value


def _changing(session: AsyncSession, table: str) -> bool:
    """Tell whether this session has written ``table`` or holds unflushed changes to it."""
    return table in session.info.get(TOUCHED, ()) or table in _pending_tables(session)


def _pending_tables(session: Session | AsyncSession) -> set[str | None]:
    """Return the tables of the objects a session has added, changed or deleted and not flushed."""
    return {
        getattr(getattr(o, "__table__", None), "name", None) for o in (*session.new, *session.dirty, *session.deleted)
    }


def _touch(session: Session, name: str | None) -> None:
    if name is not None:
        session.info.setdefault(TOUCHED, set()).add(name)


@event.listens_for(TrackedSession, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _touch(state.session, getattr(getattr(state.statement, "table", None), "name", None))


@event.listens_for(TrackedSession, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    for name in _pending_tables(session):
        _touch(session, name)


@event.listens_for(TrackedSession, "after_commit")
def _drop_changed(session: Session) -> None:
    touched = session.info.pop(TOUCHED, None)
    cache: SettingsCache | None = session.info.get(CACHE)
    if touched and cache is not None:
        cache.drop(touched)


@event.listens_for(TrackedSession, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(TOUCHED, None)
