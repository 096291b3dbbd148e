"""Migrations match the models, on SQLite and PostgreSQL, and round-trip."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

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


def test_revisions_form_one_line() -> None:
    """Revisions form a single chain with one head, so features never fork the schema."""
    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))
    assert len(script.get_heads()) == 1
    assert MIGRATIONS_DIR.is_dir()
