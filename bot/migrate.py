"""Apply Alembic migrations from code: `drillbot migrate` and the start of `drillbot run`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """Build an Alembic config for ``database_url`` without reading alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


async def run_alembic(
    database_url: str, action: str = "upgrade", revision: str = "head", *, engine: AsyncEngine | None = None
) -> None:
    """Run ``alembic upgrade/downgrade`` against ``database_url`` (or an existing engine)."""
    config = alembic_config(database_url)
    own = engine is None
    engine = engine or create_engine(database_url, writer=True)
    fn = command.upgrade if action == "upgrade" else command.downgrade
    try:
        async with engine.connect() as conn:

            def _apply(sync_conn: object) -> None:
                config.attributes["sync_connection"] = sync_conn
                fn(config, revision)

            await conn.run_sync(_apply)
            await conn.commit()
    finally:
        if own:
            await engine.dispose()


async def upgrade_head(database_url: str, *, engine: AsyncEngine | None = None) -> None:
    """Apply every pending revision."""
    await run_alembic(database_url, "upgrade", "head", engine=engine)
