"""The command line: clear one-line errors and exit code 2 for a missing or rejected token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "SHARD_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**base, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_missing_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Without DISCORD_TOKEN the bot prints one clear line and exits 2, no traceback."""
    result = _run(["run"], {"DISCORD_TOKEN": ""}, tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "DISCORD_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_setting_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """An invalid setting names the variable in one line and exits 2."""
    result = _run(["run"], {"DISCORD_TOKEN": "x", "SHARD_COUNT": "2", "SHARD_IDS": "5"}, tmp_path)
    assert result.returncode == 2
    assert "SHARD_IDS" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
async def rejecting_api() -> AsyncIterator[str]:
    """Serve a Discord-like API that rejects every token with 401."""

    async def unauthorized(_request: web.Request) -> web.Response:
        body = json.dumps({"message": "401: Unauthorized", "code": 0})
        return web.Response(status=401, text=body, headers={"Content-Type": "application/json"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unauthorized)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/api/v10"
    await runner.cleanup()


async def test_rejected_token_is_one_line_and_exit_2(rejecting_api: str, tmp_path: Path) -> None:
    """A token Discord rejects gives one clear line and exit 2, after the database was migrated."""
    import asyncio

    env = {
        "DISCORD_TOKEN": "not-a-token",
        "DISCORD_API_BASE": rejecting_api,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'd.db'}",
    }
    result = await asyncio.to_thread(_run, ["run"], env, tmp_path)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("drillbot: error")]
    assert len(errors) == 1 and "rejected" in errors[0]
    assert "Traceback" not in result.stderr
    assert (tmp_path / "d.db").exists()


def test_migrate_creates_the_default_sqlite_file(tmp_path: Path) -> None:
    """`drillbot migrate` with no DATABASE_URL creates ./data/drillbot.db and its tables."""
    result = _run(["migrate"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "drillbot.db").stat().st_size > 0
