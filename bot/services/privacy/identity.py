"""Keyed hashes of member ids: lets a list name a member without storing who they are."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import insert_ignoring_conflicts, utcnow
from bot.models import AppSecret

MEMBER_KEY = "member-key"


async def secret(*, session: AsyncSession, name: str = MEMBER_KEY) -> bytes:
    """Return a named secret, generating and storing it the first time (safe under concurrency)."""
    await session.execute(
        insert_ignoring_conflicts(
            session, AppSecret, {"name": name, "value": secrets.token_hex(32), "created_at": utcnow()},
            conflict=["name"],
        )
    )  # fmt: skip
    row = await session.get(AppSecret, name)
    assert row is not None
    return bytes.fromhex(row.value)


def member_key(key: bytes, guild_id: int, user_id: int) -> str:
    """Return the keyed hash that stands for a member of a server."""
    return hmac.new(key, f"{guild_id}:{user_id}".encode(), hashlib.sha256).hexdigest()
