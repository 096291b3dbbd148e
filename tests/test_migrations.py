"""Migrations match the models, on SQLite and PostgreSQL, and round-trip."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.db import Database
from bot.migrate import MIGRATIONS_DIR, alembic_config, run_alembic, upgrade_head
from bot.models import metadata


async def _diff(db: Database) -> list[Any]:
    async with db.write_engine.connect() as conn:

        def compare(sync_conn: Any) -> list[Any]:
            ctx = MigrationContext.configure(
                sync_conn, opts={"compare_type": True, "render_as_batch": sync_conn.dialect.name == "sqlite"}
            )
            return list(compare_metadata(ctx, metadata))

        return await conn.run_sync(compare)


async def _tables(db: Database) -> set[str]:
    async with db.write_engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_head_matches_the_models(empty_database: Database) -> None:
    """`upgrade head` on an empty database leaves no autogenerate diff against the models."""
    await upgrade_head(empty_database.url, engine=empty_database.write_engine)
    assert await _diff(empty_database) == []
    assert set(metadata.tables) <= await _tables(empty_database)


async def test_downgrade_base_then_upgrade_round_trips(empty_database: Database) -> None:
    """Every revision downgrades cleanly, and upgrading again gives the same schema."""
    db = empty_database
    await upgrade_head(db.url, engine=db.write_engine)
    await run_alembic(db.url, "downgrade", "base", engine=db.write_engine)
    assert await _tables(db) <= {"alembic_version"}
    await upgrade_head(db.url, engine=db.write_engine)
    assert await _diff(db) == []


async def _storage_options(db: Database) -> dict[str, Any]:
    async with db.read() as session:
        rows = await session.execute(
            text(
                "SELECT relname, reloptions FROM pg_class WHERE relname IN ('member_streak', 'period_stat')"
                " AND relnamespace = to_regnamespace(current_schema())::oid"
            )
        )
        return {name: options for name, options in rows}


async def test_postgresql_vacuums_the_board_tables_early(empty_database: Database) -> None:
    """On PostgreSQL the leaderboard tables are vacuumed after 500 updates plus 1%, keeping their counts index-only."""
    db = empty_database
    await upgrade_head(db.url, engine=db.write_engine)
    if db.sqlite:
        assert await _diff(db) == []  # nothing to set on SQLite
        return
    expected = ["autovacuum_vacuum_threshold=500", "autovacuum_vacuum_scale_factor=0.01"]
    assert await _storage_options(db) == {"member_streak": expected, "period_stat": expected}
    await run_alembic(db.url, "downgrade", "0007", engine=db.write_engine)
    assert await _storage_options(db) == {"member_streak": None, "period_stat": None}


def test_revisions_form_one_line() -> None:
    """Revisions form a single chain with one head, so features never fork the schema."""
    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))
    assert len(script.get_heads()) == 1
    assert MIGRATIONS_DIR.is_dir()
