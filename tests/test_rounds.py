"""Rounds as stored: the 8-round window that makes a pair a repeat."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlmodel import col

from bot.db import Database
from bot.models import MockRound
from bot.services import mock
from bot.services.mock import rounds

GUILD, ALICE, BOB = 77, 111111111111111111, 222222222222222222
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


async def _join(db: Database, user: int) -> None:
    async with db.write() as session:
        await mock.join(session=session, guild_id=GUILD, user_id=user, track="data-scientist", level="mid",
                        timezone="UTC", availability="weekday evenings", now=NOW)  # fmt: skip


async def _round(db: Database, number: int) -> rounds.RoundResult:
    async with db.write() as session:
        return await rounds.create_round(session=session, guild_id=GUILD, period_key=f"p{number}",
                                         now=NOW + dt.timedelta(weeks=number), channel_id=5,
                                         followup_at=None)  # fmt: skip


async def test_a_pair_counts_as_a_repeat_for_eight_rounds_then_not(database: Database) -> None:
    """A pair that met in round 1 is still recent for round 9 (rounds without them count) and not for round 10."""
    await _join(database, ALICE)
    await _join(database, BOB)
    first = await _round(database, 1)
    assert first.round.repeats == 0 and not first.round.unpaired
    async with database.write() as session:
        await mock.leave(session=session, guild_id=GUILD, user_id=ALICE)
    for number in range(2, 10):
        assert (await _round(database, number)).round.unpaired == [BOB]
    async with database.read() as session:
        ninth = (await session.scalars(select(MockRound).order_by(col(MockRound.id).desc()).limit(1))).first()
        assert ninth is not None and ninth.id is not None
        assert await rounds.recent_pairs(session=session, guild_id=GUILD, before_round=ninth.id) == {
            frozenset((ALICE, BOB))
        }
        assert await rounds.recent_pairs(session=session, guild_id=GUILD, before_round=ninth.id + 1) == set()
    await _join(database, ALICE)
    tenth = await _round(database, 10)
    assert tenth.round.repeats == 0 and not tenth.round.unpaired
