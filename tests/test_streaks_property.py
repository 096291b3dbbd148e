"""Property: the incremental streak state always equals a from-scratch recomputation."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.db import Database
from bot.migrate import upgrade_head
from bot.models import DailyPrompt, StreakSettings
from bot.services import streaks
from bot.services.daily.schedule import PostRule
from bot.services.streaks.rules import recompute

ZONES = ["America/New_York", "Europe/Helsinki", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
# Starts just before DST changes, so schedules cross them.
STARTS = [dt.datetime(2026, 3, 5, tzinfo=dt.UTC), dt.datetime(2026, 10, 20, tzinfo=dt.UTC),
          dt.datetime(2026, 3, 25, tzinfo=dt.UTC), dt.datetime(2026, 9, 28, tzinfo=dt.UTC)]  # fmt: skip
GUILD = 1


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file copied for each example."""
    path = tmp_path_factory.mktemp("streaks") / "template.db"
    asyncio.run(upgrade_head(f"sqlite+aiosqlite:///{path}"))
    return path


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    members = draw(st.integers(1, 4))
    prompts = draw(st.integers(1, 30))
    rate = draw(st.integers(5, 10))  # how often members answer, out of 10: streaks long enough to earn freezes
    answer = st.integers(0, 9).map(lambda x: x < rate)
    return {
        "zone": draw(st.sampled_from(ZONES)),
        "start": draw(st.sampled_from(STARTS)),
        "at": dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 10, 30, 45]))),
        "days": frozenset(draw(st.sets(st.integers(0, 6), min_size=1))),
        # Per scheduled day: posted, or an outage / pause (no prompt that day).
        "posted": draw(st.lists(st.integers(0, 9).map(lambda x: x < 8), min_size=prompts, max_size=prompts)),
        # Per prompt and member: answered?  (an answer can come late: any time before the next prompt)
        "answers": draw(
            st.lists(st.lists(answer, min_size=members, max_size=members), min_size=prompts, max_size=prompts)
        ),
        "duplicates": draw(st.lists(st.booleans(), min_size=prompts, max_size=prompts)),
        "freezes": draw(st.booleans()),
    }


async def run_scenario(db: Database, s: dict[str, object]) -> None:
    zone = ZoneInfo(str(s["zone"]))
    rule = PostRule(at=s["at"], zone=zone, days=s["days"])  # type: ignore[arg-type]
    posted: list[bool] = s["posted"]  # type: ignore[assignment]
    answers: list[list[bool]] = s["answers"]  # type: ignore[assignment]
    duplicates: list[bool] = s["duplicates"]  # type: ignore[assignment]
    async with db.write() as session:
        session.add(StreakSettings(guild_id=GUILD, freezes_enabled=bool(s["freezes"])))
    now: dt.datetime = s["start"]  # type: ignore[assignment]
    dates: list[dt.date] = []
    history: dict[int, set[dt.date]] = {m: set() for m in range(len(answers[0]))}
    for index, is_posted in enumerate(posted):
        day, due = rule.next_due(now)
        now = due
        if not is_posted:
            continue  # no prompt that day: it is not a prompt day
        async with db.write() as session:
            session.add(
                DailyPrompt(
                    guild_id=GUILD,
                    local_date=day,
                    question_id="q",
                    category="c",
                    state="threaded",
                    nonce=f"n{index}",
                    channel_id=1,
                    message_id=index + 1,
                    due_at=due,
                    posted_at=due,
                )
            )
            if dates:
                await streaks.settle_closed_prompt(session=session, guild_id=GUILD, closed_date=dates[-1])
        dates.append(day)
        for member, did in enumerate(answers[index]):
            if not did:
                continue
            history[member].add(day)
            for _ in range(2 if duplicates[index] else 1):  # a retried submission counts once
                async with db.write() as session:
                    await streaks.record_answers(session=session, guild_id=GUILD, user_ids=[member], prompt_date=day)
    for member, answered_days in history.items():
        async with db.read() as session:
            row = await streaks.get_member(session=session, guild_id=GUILD, user_id=member)
        if not answered_days:
            assert row is None
            continue
        assert row is not None
        closed = dates[:-1]
        flags = [d in answered_days for d in closed] + ([True] if dates[-1] in answered_days else [])
        expected, _ = recompute(flags, freezes_enabled=bool(s["freezes"]))
        assert streaks.state_of(row) == expected, (member, flags)


EARN_THEN_MISS = {
    "zone": "Australia/Lord_Howe", "start": STARTS[3], "at": dt.time(2, 10), "days": frozenset(range(7)),
    "posted": [True] * 12, "answers": [[True, True]] * 7 + [[False, True]] + [[True, False]] * 4,
    "duplicates": [False] * 12, "freezes": True,
}  # fmt: skip


@given(scenarios())
@example(EARN_THEN_MISS)
def test_incremental_equals_recomputation(template: Path, tmp_path_factory: pytest.TempPathFactory, s: dict) -> None:
    """Over random schedules, zones (DST), outages, late and repeated answers and freezes, both agree."""
    path = tmp_path_factory.mktemp("ex") / "db.sqlite"
    shutil.copy(template, path)

    async def main() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        try:
            await run_scenario(db, s)
        finally:
            await db.dispose()

    asyncio.run(main())
