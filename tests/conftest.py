"""Shared fixtures: a fresh database per test, on SQLite and (where configured) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db import Database
from bot.migrate import upgrade_head

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")
POSTGRES_SKIP_REASON = "TEST_POSTGRES_URL is not set: PostgreSQL variant skipped"
BACKENDS = ("sqlite", "postgres")

pytest_plugins = ["tests.standin.fixtures"]


settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_report_header() -> list[str]:
    """Say which back-ends this run covers."""
    return [
        f"database back-ends: sqlite{', postgres' if POSTGRES_URL else ' (postgres skipped: TEST_POSTGRES_URL unset)'}"
    ]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int) -> None:
    """Fail the run when PostgreSQL tests were skipped but CI demands them."""
    if os.environ.get("REQUIRE_POSTGRES") != "1":
        return
    skipped = terminalreporter.stats.get("skipped", [])
    hits = [r for r in skipped if POSTGRES_SKIP_REASON in str(r.longrepr)]
    if hits:
        terminalreporter.write_line(f"REQUIRE_POSTGRES=1 but {len(hits)} PostgreSQL tests were skipped", red=True)
        terminalreporter._session.exitstatus = 1  # type: ignore[attr-defined]


async def make_postgres_schema() -> tuple[str, str]:
    """Create a throw-away schema and return (url, schema) whose connections default to it."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    return POSTGRES_URL, schema


async def drop_postgres_schema(schema: str) -> None:
    """Drop a schema made by make_postgres_schema."""
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await admin.dispose()


def postgres_engine_kwargs(schema: str) -> dict[str, object]:
    """Connect options that put a connection's search path on ``schema``."""
    return {"connect_args": {"server_settings": {"search_path": schema}}}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once per database back-end."""
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP_REASON)
    return str(request.param)


@pytest.fixture
async def empty_database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """Yield an empty database (no tables) on the back-end under test."""
    if backend == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
        yield db
        await db.dispose()
        return
    url, schema = await make_postgres_schema()
    db = Database(url, **postgres_engine_kwargs(schema))
    try:
        yield db
    finally:
        await db.dispose()
        await drop_postgres_schema(schema)


@pytest.fixture
async def database(empty_database: Database) -> Database:
    """Yield a database migrated to the latest revision."""
    await upgrade_head(empty_database.url, engine=empty_database.write_engine)
    return empty_database
