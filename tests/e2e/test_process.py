"""The bot as a real process against the fake Discord: runs, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from discord_standin.server import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]


async def start_process(fake: FakeDiscord, database_url: str, cwd: Path, **env: str) -> asyncio.subprocess.Process:
    """Start `python -m bot run` pointed at the fake."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "SHARD_"))}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base,
             "DATABASE_URL": database_url, "LOG_LEVEL": "INFO", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_sigterm_stops_the_bot_cleanly(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    """The process migrates, connects, syncs commands, and exits 0 on SIGTERM."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    proc = await start_process(fake_discord, url, tmp_path)
    try:
        await fake_discord.wait_for_commands_synced(timeout=30)
        await fake_discord.wait_until_ready(timeout=30)
        reply = await fake_discord.default.alice.slash("help", timeout=10)
        assert reply.ephemeral
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), timeout=20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    stderr = (await proc.stderr.read()).decode() if proc.stderr else ""
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert (tmp_path / "bot.db").exists()
