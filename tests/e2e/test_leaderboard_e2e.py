"""/leaderboard end to end: every board and period, paging, the caller's rank, ties, guild-time weeks and months.

Sixteen members answer five prompt days in America/Los_Angeles (posted 20:00 local, i.e. 03:00 UTC the
next day), Sat 27 June to Wed 1 July 2026: a week starts on Mon 29 June and a month on Wed 1 July.
The test keeps its own model of what each board must show and compares page by page.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import Answer
from bot.pacing import SlidingWindow
from discord_standin.actors import Actor
from discord_standin.replies import Reply
from discord_standin.server import FakeDiscord
from discord_standin.world import Message
from tests.e2e.conftest import BotFactory
from tests.e2e.daily_support import answer_posts, at, custom_ids, drain, rows, thread_of
from tests.e2e.streak_support import answer, post_prompt, review, set_up_prompts

ZONE = "America/Los_Angeles"
DAYS = [dt.date(2026, 6, 27) + dt.timedelta(days=n) for n in range(5)]  # Sat .. Wed
PLAN = [  # which of the five prompt days each member answers
    "xxxxx", "xxxx.", ".xxxx", "xx.xx", "..xxx", "xxx..", "x.x.x", "...xx",
    "xx...", "....x", "x....", ".xxxx", "x..xx", ".x.xx", "xxx.x", "..x.x",
]  # fmt: skip
REVIEWS = {1: {8: 2, 10: 1}, 3: {1: 1, 5: 2}, 4: {n: 3 if n == 3 else 2 if n == 0 else 1 for n in range(12)}}
"""Per prompt day: reviewer index -> how many answers of that day they review (at 21:00 local)."""
LINE = re.compile(r"^\*\*(\d+)\.\*\* <@(\d+)> — (\d+)$")
BOARDS = ("streak", "best", "answers", "reviews")
PERIODS = ("all-time", "month", "week")
TITLES = {"streak": "Current streak", "best": "Best streak", "answers": "Answers", "reviews": "Reviews given"}


def local(day: int, hour: int) -> dt.datetime:
    """Return the instant of prompt day ``day`` at ``hour`` local time."""
    return at(DAYS[day].year, DAYS[day].month, DAYS[day].day, hour, 0, ZONE)


class Model:
    """What the boards must show after some prompt days and reviews."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self.posted = -1
        self.reviews: list[tuple[int, dt.date]] = []  # (reviewer id, local day)

    def streak(self, n: int) -> tuple[int, dict[int, int]]:
        """Return member ``n``'s current streak and the streak reached on each answered day."""
        current, reached = 0, {}
        for day in range(self.posted + 1):
            if PLAN[n][day] == "x":
                current += 1
                reached[day] = current
            elif day < self.posted:  # a closed prompt day missed (no freezes in five days)
                current = 0
        return current, reached

    def expected(self, board: str, period: str, today: dt.date) -> list[tuple[int, int]]:
        """Return [(user id, value)] in board order: value descending, then user id."""
        start = {"all-time": dt.date.min, "week": today - dt.timedelta(days=today.weekday()),
                 "month": today.replace(day=1)}[period]  # fmt: skip
        values = {}
        for n, uid in enumerate(self.ids):
            current, reached = self.streak(n)
            inside = [v for d, v in reached.items() if DAYS[d] >= start]
            values[uid] = {
                "streak": current,
                "best": max(inside, default=0),
                "answers": len(inside),
                "reviews": sum(1 for who, day in self.reviews if who == uid and day >= start),
            }[board]
        return sorted(((u, v) for u, v in values.items() if v > 0), key=lambda e: (-e[1], e[0]))


def entries(reply: Reply) -> list[tuple[int, int, int]]:
    """Return the (rank, user id, value) lines of a leaderboard page."""
    assert reply.embed is not None, reply.text()
    matches = [LINE.match(line) for line in (reply.embed.get("description") or "").splitlines()]
    return [(int(m[1]), int(m[2]), int(m[3])) for m in matches if m]


async def check_board(caller: Actor, board: str, period: str, want: list[tuple[int, int]]) -> None:
    """Run /leaderboard, walk every page with Next and one back with Previous, and compare with ``want``."""
    ranked = [(rank, uid, value) for rank, (uid, value) in enumerate(want, start=1)]
    pages = max(1, -(-len(ranked) // 10))
    reply = await caller.slash("leaderboard", board=board, period=period)
    assert reply.ephemeral and reply.embed is not None
    scope = "" if board == "streak" or period == "all-time" else f" · this {period}"
    assert reply.embed["title"] == f"Leaderboard · {TITLES[board]}{scope}"
    assert reply.component("◀ Previous").get("disabled") is True
    mine = next(((r, v) for r, u, v in ranked if u == caller.id), None)
    you = f"You: #{mine[0]} — {mine[1]}" if mine else "You are not on this board yet."
    for page in range(pages):
        if page:
            reply = await caller.press(reply, "Next ▶")
        where = f"{board}/{period} page {page + 1}"
        assert entries(reply) == ranked[page * 10 : page * 10 + 10], where
        assert reply.embed is not None and reply.embed["footer"]["text"] == f"{you} · page {page + 1} of {pages}"
    assert reply.component("Next ▶").get("disabled") is True
    if pages > 1:
        back = await caller.press(reply, "◀ Previous")
        assert entries(back) == ranked[(pages - 2) * 10 : (pages - 1) * 10]
        assert back.embed is not None and f"page {pages - 1} of {pages}" in back.embed["footer"]["text"]
    if not ranked:
        assert "Nobody is on this board yet." in reply.text()


async def post_day(fake: FakeDiscord, bot: DrillBot, clock: ManualClock, model: Model, day: int) -> Message:
    """Post prompt day ``day`` and have its planned members answer."""
    post = await post_prompt(fake, bot, clock, local(day, 20))
    model.posted = day
    for n, member in enumerate(members_of(fake)):
        if PLAN[n][day] == "x":
            await answer(member, post, f"m{n:02d} on {DAYS[day]}")
    return post


async def review_day(fake: FakeDiscord, bot: DrillBot, clock: ManualClock, model: Model, post: Message) -> None:
    """At 21:00 local, each planned reviewer reviews the next answers of that day (never their own)."""
    day = model.posted
    clock.set(local(day, 21))
    await drain(bot)
    members = members_of(fake)
    thread = thread_of(fake, post)
    posted = await rows(bot, Answer, col(Answer.prompt_id) == _prompt_id(fake, bot, post))
    answers = sorted(posted, key=lambda a: a.user_id)
    for reviewer, count in REVIEWS[day].items():
        targets = [a for a in answers if a.user_id > members[reviewer].id] + [
            a for a in answers if a.user_id < members[reviewer].id
        ]
        for target in targets[:count]:
            key = f"drill:review:{target.id}"
            message = next(m for m in answer_posts(fake, thread) if key in custom_ids(m))
            await review(fake, bot, members[reviewer], message, key)
            model.reviews.append((members[reviewer].id, DAYS[day]))


def _prompt_id(fake: FakeDiscord, bot: DrillBot, post: Message) -> int:
    answer_button = next(i for i in custom_ids(post) if i.startswith("drill:answer:"))
    return int(answer_button.rsplit(":", 1)[1])


def members_of(fake: FakeDiscord) -> list[Actor]:
    """Return the sixteen ranked members, oldest (lowest id) first."""
    return [fake.actor(f"m{n:02d}") for n in range(len(PLAN))]


async def test_every_board_and_period_pages_and_ranks_in_guild_time(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Boards × periods over a week and a month boundary (guild time), 10 a page, the caller's rank in the footer."""
    world = fake_discord.default
    monkeypatch.setattr(drillbot.outbox, "window", lambda _channel: SlidingWindow(limit=1000))  # no 5-per-5-s wait
    members = [fake_discord.add_member(world.guild, f"m{n:02d}", roles=[world.member_role]) for n in range(len(PLAN))]
    assert [m.id for m in members] == sorted(m.id for m in members)
    model = Model([m.id for m in members])
    clock.set(local(0, 12))
    await set_up_prompts(fake_discord, timezone=ZONE, time="20:00")
    for day in range(5):
        post = await post_day(fake_discord, drillbot, clock, model, day)
        if day in REVIEWS:
            await review_day(fake_discord, drillbot, clock, model, post)
        if day == 1:  # Sunday 21:00 local is Monday in UTC: still the week of 22 June
            assert clock.now().astimezone(ZoneInfo(ZONE)).date() == DAYS[1] and clock.now().weekday() == 0
            for board in ("answers", "reviews", "best"):
                await check_board(members[9], board, "week", model.expected(board, "week", DAYS[1]))
        if day == 3:  # Tuesday 30 June 21:00 local is 1 July in UTC: still June
            assert clock.now().day == 1
            for board in ("answers", "reviews", "best"):
                await check_board(members[4], board, "month", model.expected(board, "month", DAYS[3]))
    clock.set(local(4, 22))
    for board in BOARDS:
        for period in PERIODS:
            want = model.expected(board, period, DAYS[4])
            assert len(want) > 10, f"{board}/{period} has no second page"
            caller = members[15] if board != "reviews" else members[11]
            assert caller.id in [u for u, _ in want[10:]], f"{board}/{period}: the caller is not on page 2"
            await check_board(caller, board, period, want)
    # Ties: m02 and m11 answered the same days; the lower id ranks first, every time.
    fours = [u for u, v in model.expected("answers", "all-time", DAYS[4]) if v == 4]
    assert fours == [members[n].id for n in (1, 2, 3, 11, 14)]
    await check_board(members[15], "reviews", "week", model.expected("reviews", "week", DAYS[4]))  # not on it


async def answered_once(fake: FakeDiscord, bot: DrillBot, clock: ManualClock, count: int) -> list[Actor]:
    """Add ``count`` members who each answer the first prompt day (1 June 2026): a board of ties by id."""
    world = fake.default
    members = [fake.add_member(world.guild, f"m{n:02d}", roles=[world.member_role]) for n in range(count)]
    await set_up_prompts(fake)
    post = await post_prompt(fake, bot, clock, at(2026, 6, 1, 9, 0))
    for member in members:
        await answer(member, post)
    return members


async def test_page_buttons_work_after_a_restart(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """A leaderboard shown by one process pages in the next (the buttons carry board, period and page)."""
    world = fake_discord.default
    first = await start_drillbot()
    members = await answered_once(fake_discord, first, clock, 12)
    shown = await world.alice.slash("leaderboard", board="answers", period="week")
    assert shown.embed is not None and shown.embed["footer"]["text"].endswith("page 1 of 2")
    await first.close()
    await start_drillbot()
    second = await world.alice.press(shown, "Next ▶")
    assert entries(second) == [(11, members[10].id, 1), (12, members[11].id, 1)]
    assert second.embed is not None and second.embed["footer"]["text"] == (
        "You are not on this board yet. · page 2 of 2"
    )


async def test_next_continues_after_the_last_member_shown_when_the_board_moved(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A member climbing between two presses shifts the ranks: Next neither repeats nor skips anyone."""
    world = fake_discord.default
    members = await answered_once(fake_discord, drillbot, clock, 12)
    shown = await world.alice.slash("leaderboard", board="answers", period="all-time")
    assert entries(shown) == [(n + 1, members[n].id, 1) for n in range(10)]
    later = await post_prompt(fake_discord, drillbot, clock, at(2026, 6, 2, 9, 0))
    await answer(members[11], later)  # now first, with 2 answers
    second = await world.alice.press(shown, "Next ▶")
    assert entries(second) == [(12, members[10].id, 1)]  # by page number it would repeat m09 at #11
    assert second.embed is not None and second.embed["footer"]["text"].endswith("page 2 of 2")
    assert second.component("Next ▶").get("disabled") is True
    back = await world.alice.press(second, "◀ Previous")  # the ten members right before m10
    assert entries(back) == [(n + 2, members[n].id, 1) for n in range(10)]
    top = await world.alice.press(back, "◀ Previous")  # only m11 is ahead: the first page
    assert entries(top) == [(1, members[11].id, 2)] + [(n + 2, members[n].id, 1) for n in range(9)]
    assert top.component("◀ Previous").get("disabled") is True


async def test_page_buttons_of_the_older_format_say_the_board_moved_on(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A button whose id holds only a page number (as /leaderboard made them before) asks for a fresh board."""
    world = fake_discord.default
    await answered_once(fake_discord, drillbot, clock, 23)
    shown = await world.alice.slash("leaderboard", board="answers", period="all-time")
    assert shown.message is not None
    buttons = shown.message.components[0]["components"]
    buttons[1]["custom_id"] = "lb:answers:all-time:2:next"  # the message as the earlier version posted it
    reply = await world.alice.press(shown, "Next ▶")
    assert reply.ephemeral and reply.embed is None
    assert "/leaderboard" in reply.text()
