"""Mock profiles, avoid lists, availability and round times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.models import MockAvoid, MockGroup, MockGroupMember, MockRound, PairingConfig
from bot.models.mock import GroupState, RoundState
from bot.services import mock
from bot.services.errors import Refused
from bot.services.mock import rounds
from bot.services.mock.availability import describe_slots, overlap, parse_availability

GUILD, ALICE, BOB, CAROL = 77, 111111111111111111, 222222222222222222, 333333333333333333
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)  # a Monday


def test_availability_windows_become_utc_hours_and_overlap_locally() -> None:
    helsinki, new_york = ZoneInfo("Europe/Helsinki"), ZoneInfo("America/New_York")
    a = parse_availability("weekday evenings, sat 9-12", helsinki)
    b = parse_availability("weekday afternoons", new_york)
    assert len(a) == 5 * 5 + 3 and len(b) == 5 * 5
    common = overlap(a, b)
    assert describe_slots(common, helsinki)[0] == "Mon 19:00-22:00"
    assert describe_slots(common, new_york)[0] == "Mon 12:00-15:00"


@pytest.mark.parametrize("bad", ["whenever", "mon 25-26", "sat 12-9", "blursday evenings", ""])
def test_bad_availability_is_refused(bad: str) -> None:
    with pytest.raises(Refused):
        parse_availability(bad, ZoneInfo("UTC"))


async def _join(db: Database, user: int) -> None:
    async with db.write() as session:
        await mock.join(session=session, guild_id=GUILD, user_id=user, track="data-scientist", level="mid",
                        timezone="UTC", availability="weekday evenings", now=NOW)  # fmt: skip


async def test_join_update_pause_leave(database: Database) -> None:
    """Joining again updates and resumes; a pause ends by itself; leaving takes a member out."""
    await _join(database, ALICE)
    await _join(database, BOB)
    async with database.write() as session:
        until = await mock.pause(session=session, guild_id=GUILD, user_id=ALICE, weeks=2, now=NOW)
    assert until == NOW + dt.timedelta(weeks=2)
    async with database.read() as session:
        now_ids = [p.user_id for p in await mock.candidates(session=session, guild_id=GUILD, now=NOW)]
        later = [p.user_id for p in await mock.candidates(session=session, guild_id=GUILD, now=until)]
    assert now_ids == [BOB] and sorted(later) == [ALICE, BOB]
    await _join(database, ALICE)  # resumes at once
    async with database.write() as session:
        assert await mock.leave(session=session, guild_id=GUILD, user_id=BOB)
        assert not await mock.leave(session=session, guild_id=GUILD, user_id=BOB)
    async with database.read() as session:
        assert [p.user_id for p in await mock.candidates(session=session, guild_id=GUILD, now=NOW)] == [ALICE]
    with pytest.raises(Refused):
        async with database.write() as session:
            await mock.pause(session=session, guild_id=GUILD, user_id=ALICE, weeks=13, now=NOW)


async def test_avoid_lists_are_private_hashes_and_work_both_ways(database: Database) -> None:
    """An avoid entry stores no member id, and makes the pair avoided whoever's list it is on."""
    async with database.write() as session:
        assert await mock.set_avoid(session=session, guild_id=GUILD, user_id=ALICE, other_id=BOB, avoid=True)
        assert not await mock.set_avoid(session=session, guild_id=GUILD, user_id=ALICE, other_id=BOB, avoid=True)
    async with database.read() as session:
        rows = list(await session.scalars(select(MockAvoid)))
        pairs = await mock.avoid_pairs(session=session, guild_id=GUILD, user_ids=[ALICE, BOB, CAROL])
    assert len(rows) == 1 and str(BOB) not in rows[0].avoided_key and len(rows[0].avoided_key) == 64
    assert pairs == {frozenset({ALICE, BOB})}
    async with database.write() as session:
        assert await mock.set_avoid(session=session, guild_id=GUILD, user_id=ALICE, other_id=BOB, avoid=False)
        pairs = await mock.avoid_pairs(session=session, guild_id=GUILD, user_ids=[ALICE, BOB])
    assert pairs == set()
    with pytest.raises(Refused):
        async with database.write() as session:
            await mock.set_avoid(session=session, guild_id=GUILD, user_id=ALICE, other_id=ALICE, avoid=True)


async def test_round_times_follow_weekday_zone_and_cadence(database: Database) -> None:
    changes = mock.PairingChanges(channel_id=5, weekday=2, post_time="18:00", timezone="Europe/Helsinki")
    async with database.write() as session:
        row = await mock.configure(session=session, guild_id=GUILD, changes=changes, now=NOW)
    assert row.enabled and row.next_round_at == dt.datetime(2026, 6, 3, 15, 0, tzinfo=dt.UTC)
    weekly = mock.next_round(row, row.next_round_at)
    row.cadence = "biweekly"
    biweekly = mock.next_round(row, row.next_round_at)
    assert weekly == dt.datetime(2026, 6, 10, 15, 0, tzinfo=dt.UTC)
    assert biweekly == dt.datetime(2026, 6, 17, 15, 0, tzinfo=dt.UTC)
    async with database.read() as session:
        assert (await session.scalars(select(PairingConfig))).one().channel_id == 5


async def test_member_groups_lists_recent_groups_newest_first_each_with_its_members_in_order(
    database: Database,
) -> None:
    """One query gives a member's groups (a trio among them), newest round first, members in interview order."""
    async with database.write() as session:
        groups = []
        for week, members in enumerate([(ALICE, BOB), (CAROL, ALICE, BOB), (BOB, CAROL), (ALICE, CAROL)]):
            round_row = MockRound(guild_id=GUILD, period_key=f"2026-W{23 + week}", seed=week, state=RoundState.OPEN,
                                  channel_id=1, created_at=NOW)  # fmt: skip
            session.add(round_row)
            await session.flush()
            group = MockGroup(round_id=round_row.id or 0, guild_id=GUILD, state=GroupState.THREADED, created_at=NOW)
            session.add(group)
            await session.flush()
            for position, user in enumerate(members):
                session.add(MockGroupMember(group_id=group.id or 0, user_id=user, guild_id=GUILD, position=position))
            groups.append(group.id)
    async with database.read() as session:
        found = await rounds.member_groups(session=session, guild_id=GUILD, user_id=ALICE, limit=10)
        latest = await rounds.member_groups(session=session, guild_id=GUILD, user_id=ALICE, limit=2)
    assert [(g.id, [m.user_id for m in members]) for _r, g, members in found] == [
        (groups[3], [ALICE, CAROL]), (groups[1], [CAROL, ALICE, BOB]), (groups[0], [ALICE, BOB])
    ]  # fmt: skip
    assert [r.period_key for r, _g, _m in found] == ["2026-W26", "2026-W24", "2026-W23"]
    assert [g.id for _r, g, _m in latest] == [groups[3], groups[1]]
