"""A simulated year of one 50,000-member community: who answered which prompt day, and every row it leaves.

Members answer by tier (a small core nearly every day, regulars most weeks, casual members now
and then, half the members only a handful of times; members join through the year and some
stop), some review others' answers, and the streak tables are derived exactly as the bot would
have left them: each member's state from ``streak_rules.recompute`` over their answered/missed
prompt days, a ``StreakDay`` per answered or frozen day with its ``streak_after``, and the
week/month tallies ``streaks`` accumulates.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bot.models.streaks import DEFAULT_MILESTONES
from bot.services import streaks
from bot.services.streaks.rules import recompute

GUILD_ID = 810_000_000_000_000_001
CHANNEL_ID = 810_000_000_000_000_002
FIRST_USER_ID = 820_000_000_000_000_000
FIRST_MESSAGE_ID = 830_000_000_000_000_000
# A Thursday late in May: the current week and month already hold a few prompt days.
LAST_DAY = dt.date(2026, 5, 21)
POST_AT = dt.time(9, 0)
FILLER = (
    "I would start by clarifying the requirements, then sketch the data model, walk through the "
    "trade-offs and finish with how I would test it."
)


@dataclass
class Member:
    """One member's simulated year."""

    user_id: int
    tier: str
    flags: bytearray  # per prompt day (index into World.days): 1 when answered


@dataclass
class World:
    """The generated year, as rows ready for bulk inserts."""

    days: list[dt.date]
    members: list[Member]
    prompts: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    member_streaks: list[dict[str, Any]] = field(default_factory=list)
    streak_days: list[dict[str, Any]] = field(default_factory=list)
    period_stats: list[dict[str, Any]] = field(default_factory=list)

    @property
    def user_ids(self) -> list[int]:
        return [m.user_id for m in self.members]

    def drop_rows(self) -> None:
        """Free the loaded rows: millions of dicts would make every full garbage collection a long pause."""
        self.prompts, self.answers, self.reviews = [], [], []
        self.member_streaks, self.streak_days, self.period_stats = [], [], []
        gc.collect()
        gc.freeze()


TIERS = (  # name, share of members, answer rate range, day-to-day persistence range, chance to stop
    ("core", 0.04, (0.85, 0.98), (0.5, 0.9), 0.0),
    ("regular", 0.12, (0.35, 0.75), (0.3, 0.7), 0.4),
    ("casual", 0.34, (0.05, 0.30), (0.1, 0.5), 0.5),
    ("rare", 0.50, (0.0, 0.0), (0.0, 0.0), 0.0),
)
REVIEW_RATE = {"core": 0.4, "regular": 0.15, "casual": 0.05, "rare": 0.02}


def simulate_member(rng: random.Random, user_id: int, n_days: int) -> Member:
    """Draw a member's answered days: a two-state Markov chain at their tier's rate, inside their active span."""
    pick = rng.random()
    for name, share, rate_range, persistence_range, stop_chance in TIERS:  # noqa: B007
        if pick < share:
            break
        pick -= share
    flags = bytearray(n_days)
    join = 0 if rng.random() < 0.25 else rng.randrange(n_days)
    stop = rng.randrange(join + 1, n_days + 1) if rng.random() < stop_chance else n_days
    if name == "rare":
        count = min(stop - join, 1 + int(rng.paretovariate(1.6)))
        for day in rng.sample(range(join, stop), count):
            flags[day] = 1
        return Member(user_id, name, flags)
    rate = rng.uniform(*rate_range)
    persistence = rng.uniform(*persistence_range)
    after_answer = rate + (1 - rate) * persistence  # P(answer | answered the day before)
    after_miss = rate * (1 - persistence)  # P(answer | missed the day before): the stationary rate is `rate`
    on = rng.random() < rate
    for day in range(join, stop):
        on = rng.random() < (after_answer if on else after_miss)
        flags[day] = on
    if not any(flags):
        flags[rng.randrange(join, stop)] = 1
    return Member(user_id, name, flags)


def build_world(rng: random.Random, n_members: int, n_days: int) -> World:
    """Simulate the year and derive every row the bot would hold at the end of it (the last prompt still open)."""
    days = [LAST_DAY - dt.timedelta(days=n_days - 1 - i) for i in range(n_days)]
    members = [simulate_member(rng, FIRST_USER_ID + i, n_days) for i in range(n_members)]
    world = World(days, members)
    for i, day in enumerate(days):
        due = dt.datetime.combine(day, POST_AT, tzinfo=dt.UTC)
        world.prompts.append({
            "id": i + 1, "guild_id": GUILD_ID, "local_date": day, "question_id": f"q-{i % 200:03d}",
            "category": ("behavioral", "system-design", "coding")[i % 3], "state": "threaded",
            "nonce": f"{i:025d}", "channel_id": CHANNEL_ID, "message_id": FIRST_MESSAGE_ID + 2 * i,
            "thread_id": FIRST_MESSAGE_ID + 2 * i, "due_at": due, "claimed_at": due, "posted_at": due,
        })  # fmt: skip

    # Answers, in (day, member) order; remember each day's answers for the reviews.
    by_day: list[list[tuple[int, int, dt.datetime]]] = [[] for _ in days]
    answer_id = 0
    for i, day in enumerate(days):
        base = dt.datetime.combine(day, POST_AT, tzinfo=dt.UTC)
        for member in members:
            if member.flags[i]:
                answer_id += 1
                at = base + dt.timedelta(seconds=rng.randrange(14 * 3600))
                by_day[i].append((answer_id, member.user_id, at))
                world.answers.append({
                    "id": answer_id, "prompt_id": i + 1, "guild_id": GUILD_ID, "user_id": member.user_id,
                    "display_name": f"member{member.user_id - FIRST_USER_ID}", "text": f"{FILLER} ({answer_id})",
                    "source": "modal", "post_message_id": FIRST_MESSAGE_ID + 10_000_000 + answer_id,
                    "created_at": at, "updated_at": at,
                })  # fmt: skip

    # Reviews: some answerers review another answer of the same day, later that day (guild time is UTC).
    tier_of = {m.user_id: m.tier for m in members}
    reviews_given: dict[int, int] = defaultdict(int)
    periods: dict[tuple[int, str, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0])  # answers, reviews, best
    review_id = 0
    for i, day in enumerate(days):
        todays = by_day[i]
        if len(todays) < 2:
            continue
        seen: set[tuple[int, int]] = set()
        for _, reviewer, at in todays:
            if rng.random() >= REVIEW_RATE[tier_of[reviewer]]:
                continue
            target_id, author, target_at = todays[rng.randrange(len(todays))]
            if author == reviewer or (target_id, reviewer) in seen:
                continue
            seen.add((target_id, reviewer))
            review_id += 1
            when = min(max(at, target_at) + dt.timedelta(minutes=rng.randrange(1, 40)),
                       dt.datetime.combine(day, dt.time(23, 59), tzinfo=dt.UTC))  # fmt: skip
            world.reviews.append({
                "id": review_id, "answer_id": target_id, "guild_id": GUILD_ID, "reviewer_id": reviewer,
                "reviewer_name": f"member{reviewer - FIRST_USER_ID}", "structure": rng.randint(2, 5),
                "clarity": rng.randint(2, 5), "depth": rng.randint(1, 5), "comment": "Clear structure.",
                "created_at": when, "updated_at": when,
            })  # fmt: skip
            reviews_given[reviewer] += 1
            local_day = when.date()  # record_review counts it on the guild-local day it was given
            for key in ((reviewer, "week", streaks.week_start(local_day)),
                        (reviewer, "month", streaks.month_start(local_day))):  # fmt: skip
                periods[key][1] += 1

    # Streak state: recompute over the closed prompt days, plus the open (last) one when answered,
    # exactly as streaks.rebuild_member does; the incremental path would have left the same rows.
    now = dt.datetime.combine(days[-1], dt.time(23, 0), tzinfo=dt.UTC)
    closed = len(days) - 1
    for member in members:
        uid = member.user_id
        flags = [bool(f) for f in member.flags[:closed]]
        accounted = days[:closed]
        if member.flags[closed]:
            flags.append(True)
            accounted = days
        state, statuses = recompute(flags, freezes_enabled=True)
        current = 0
        last_accounted: dt.date | None = None  # what record_answers / settle_closed_prompt leave in last_prompt_date
        for day, status in zip(accounted, statuses, strict=True):
            if status == "answered":
                current += 1
            elif status == "missed":
                if current:
                    last_accounted = day  # the close that broke the streak
                current = 0
                continue
            last_accounted = day
            world.streak_days.append(
                {"guild_id": GUILD_ID, "user_id": uid, "local_date": day, "status": status, "streak_after": current}
            )
            if status == "answered":
                for key in ((uid, "week", streaks.week_start(day)), (uid, "month", streaks.month_start(day))):
                    tally = periods[key]
                    tally[0] += 1
                    tally[2] = max(tally[2], current)
        if current != state.current:
            raise AssertionError(f"member {uid}: per-day walk ends at {current}, recompute says {state.current}")
        world.member_streaks.append({
            "guild_id": GUILD_ID, "user_id": uid, "current": state.current, "best": state.best,
            "freezes": state.freezes, "earn_progress": state.earn_progress,
            "frozen_in_streak": state.frozen_in_streak, "total_answers": state.total_answers,
            "reviews_given": reviews_given.get(uid, 0), "last_prompt_date": last_accounted,
            "milestone_announced": max((m for m in DEFAULT_MILESTONES if m <= state.current), default=0),
            "remind": uid % 10 == 0, "reminded_prompt_id": None, "dm_closed": False, "updated_at": now,
        })  # fmt: skip
    world.period_stats = [
        {"guild_id": GUILD_ID, "user_id": uid, "period": period, "start": start,
         "answers": tally[0], "reviews": tally[1], "best": tally[2]}
        for (uid, period, start), tally in periods.items()
    ]  # fmt: skip
    return world
