"""One compressed program of drillbot on a simulated server, played against the local Discord stand-in.

The real DrillBot runs unmodified: only its clock is injected (through the Bot's constructor, the
seam the end-to-end tests use), so two days and a mock round fit in well under a minute. The
stand-in listens on a free port of 127.0.0.1; the database is a SQLite file in a temporary folder;
nothing from the environment or .env is used. The terminal shows what everyone did and what the
bot posted; at the end the server is written out as a self-contained HTML page.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import create_bot
from bot.client import DrillBot
from bot.clock import ManualClock
from bot.config import Settings
from bot.migrate import upgrade_head
from bot.services.questions.bank import QuestionBank
from bot.text import clip
from discord_standin.access import P
from discord_standin.actors import Actor
from discord_standin.page import render_page
from discord_standin.replies import Reply
from discord_standin.running import start_bot, stop_bot
from discord_standin.server import FakeDiscord
from discord_standin.world import Channel, Message

START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)  # a Monday
SQL_ROTATION = "mon=sql,tue=statistics-probability,wed=behavioral,thu=case,fri=machine-learning"
QUERY, NOTES = "Your query", "Notes (optional)"
MEMBERS = (  # name, mock-interview track
    ("alex", "data-scientist"), ("bea", "data-scientist"), ("chen", "data-analyst"),
    ("dev", "ml-engineer"), ("ema", "data-scientist"), ("farid", "quant-analyst"),
)  # fmt: skip
SCORES = {"Structure": ["4"], "Clarity": ["5"], "Depth": ["4"]}
MARKUP = re.compile(r"<(?P<kind>@!?|#|t:)(?P<id>\d+)(?::[tTdDfFR])?>")


@dataclass
class Server:
    """The simulated server: its people and channels."""

    guild_id: int
    admin: Actor
    members: dict[str, Actor]
    prompts: Channel
    mocks: Channel
    general: Channel


@dataclass
class Demo:
    """What the run produced: the transcript, the page, and how long it took."""

    transcript: list[str] = field(default_factory=list)
    page: Path | None = None
    seconds: float = 0.0


class Narrator:
    """Prints the transcript as it happens (and keeps it), with mentions and timestamps made readable."""

    def __init__(self, demo: Demo, echo: Callable[[str], None], steps: int, fake: FakeDiscord) -> None:
        self.demo, self.echo, self.steps, self.step, self.fake = demo, echo, steps, 0, fake

    def say(self, line: str) -> None:
        """Print a line of the transcript."""
        line = MARKUP.sub(self._readable, line)
        self.demo.transcript.append(line)
        self.echo(line)

    def _readable(self, match: re.Match[str]) -> str:
        kind, number = match["kind"].rstrip(":!"), int(match["id"])
        if kind == "t":
            return dt.datetime.fromtimestamp(number, dt.UTC).strftime("%a %d %b %H:%M UTC")
        if kind == "#":
            channel = self.fake.world.channels.get(number)
            return f"#{channel.name}" if channel else "#channel"
        user = self.fake.world.users.get(number)
        return f"@{user.global_name or user.username}" if user else "@someone"

    def begin(self, title: str) -> None:
        """Start a step (its progress line)."""
        self.step += 1
        self.say(f"[{self.step}/{self.steps}] {title}")

    def did(self, who: str, what: str, reply: Reply | None = None) -> None:
        """Tell what a member did and what the bot answered them."""
        said = f" → {clip(_reply_text(reply), 160)}" if reply is not None else ""
        self.say(f"    {who}: {what}{said}")

    def posted(self, fake: FakeDiscord, channel: Channel, since: int) -> int:
        """Print the bot's messages in ``channel`` (and its threads) after message index ``since``."""
        messages = fake.messages(channel)
        for message in messages[since:]:
            if message.author.bot:
                self.say(f"    bot posted in #{channel.name}: {clip(_message_text(message), 160)}")
        return len(messages)


def _reply_text(reply: Reply) -> str:
    if reply.kind == "modal" and reply.modal is not None:
        return "a form opens"
    text = reply.text() or (f"{len(reply.files)} file(s)" if reply.files else reply.kind)
    return " ".join(text.split())


def _message_text(message: Message) -> str:
    parts = [message.content] + [str(e.get("title") or e.get("author", {}).get("name") or "") for e in message.embeds]
    return " · ".join(" ".join(p.split()) for p in parts if p) or "(an embed)"


def build_server(fake: FakeDiscord) -> Server:
    """An admin, six members (some on a data-science track), and the channels the program uses."""
    guild = fake.add_guild("Interview Prep Club", owner="owner")
    member_role = fake.world.add_role(guild, "Member", permissions=0, position=1)
    admin_role = fake.world.add_role(guild, "Organiser", permissions=int(P.MANAGE_GUILD), position=2)
    general = fake.add_text_channel(guild, "general")
    prompts = fake.add_text_channel(guild, "daily-prompts")
    mocks = fake.add_text_channel(guild, "mock-interviews")
    admin = fake.add_member(guild, "maya", roles=[member_role, admin_role], global_name="Maya (organiser)")
    members = {name: fake.add_member(guild, name, roles=[member_role]) for name, _track in MEMBERS}
    return Server(guild.id, admin, members, prompts, mocks, general)


def settings_for(fake: FakeDiscord, database_url: str) -> Settings:
    """Settings that point at the stand-in and the demo's database, whatever the environment or .env say."""
    return Settings(
        _env_file=None, discord_token=fake.token, database_url=database_url, discord_api_base=fake.api_base,
        discord_gateway_url=None, shard_count=None, shard_ids=None, dev_guild_id=None, message_content_intent=False,
        log_level="WARNING",
    )  # fmt: skip


async def drain(bot: DrillBot) -> None:
    """Let the bot's outbox post what is pending."""
    bot.outbox.wake()
    await bot.outbox.wait_idle()
    await bot.outbox.drain()


async def post_day(bot: DrillBot, clock: ManualClock, day: int) -> None:
    """Move the clock to 09:00 UTC on June ``day`` and let the bot post that day's prompt."""
    clock.set(dt.datetime(2026, 6, day, 9, 0, tzinfo=dt.UTC))
    cog: Any = bot.get_cog("DrillCog")
    await cog.poster.tick()
    await drain(bot)


def thread_of(fake: FakeDiscord, post: Message) -> Channel:
    """The answer thread started from a daily post."""
    return fake.world.channel(post.thread_id or post.id)


async def play(fake: FakeDiscord, bot: DrillBot, clock: ManualClock, server: Server, say: Narrator) -> None:
    """The program: configure, a SQL prompt answered and reviewed, practice, streaks, a mock round, feedback."""
    admin, people = server.admin, server.members
    alex, bea, chen, dev, ema, farid = (people[name] for name, _ in MEMBERS)

    say.begin("The organiser configures daily prompts and mock-interview pairing")
    reply = await admin.slash("config prompts", options={"channel": server.prompts}, time="09:00", timezone="UTC",
                              days="daily", rotation=SQL_ROTATION)  # fmt: skip
    say.did("maya", "/config prompts #daily-prompts 09:00 UTC daily", reply)
    reply = await admin.slash("config pairing", options={"channel": server.mocks}, cadence="weekly", weekday=2,
                              time="18:00", timezone="UTC", heads_up_hours=0)  # fmt: skip
    say.did("maya", "/config pairing #mock-interviews weekly on Wednesday 18:00 UTC", reply)

    say.begin("Monday 09:00: today's prompt is posted with its answer thread")
    seen = 0
    await post_day(bot, clock, 1)
    seen = say.posted(fake, server.prompts, seen)
    post = fake.messages(server.prompts)[-1]
    thread = thread_of(fake, post)
    question = _question(bot, post)

    say.begin(f"Members answer the SQL prompt ({question.id}): each query is run in the sandbox and checked")
    assert question.reference and question.pitfalls
    for actor, query, note in (
        (alex, question.reference, "Reference-style: filter the period first, then aggregate."),
        (bea, question.pitfalls[0].query, "My first try."),
        (chen, question.reference, "Same idea, checked the edge cases on the data."),
    ):
        form = await actor.press(post, "Answer")
        done = await actor.submit_modal(form, {QUERY: query, NOTES: note}, timeout=30)
        say.did(actor.user.username, "Answer (a SQL query)", done)
    await drain(bot)
    thread_seen = say.posted(fake, thread, 0)

    say.begin("Peers review answers; the authors are told in the thread")
    answers = [m for m in fake.messages(thread) if m.author.bot and any("Review" in str(c) for c in m.components)]
    for reviewer, target in ((dev, answers[0]), (ema, answers[1] if len(answers) > 1 else answers[0])):
        form = await reviewer.press(target, "Review")
        done = await reviewer.submit_modal(form, {**SCORES, "Comment": "Clear steps; name the tie-breaker."})
        say.did(reviewer.user.username, "Review (4/5/4)", done)
    shown = await dev.press(answers[0], "Show query")
    say.did("dev", "Show query", shown)
    await drain(bot)
    thread_seen = say.posted(fake, thread, thread_seen)

    say.begin("Alex opens the model answer (after answering); Farid tries a query and practises")
    today = await alex.slash("drill today")
    say.did("alex", "/drill today", today)
    model = await alex.press(today, "Model answer")
    say.did("alex", "Model answer", model)
    count = f"SELECT COUNT(*) AS row_count FROM {_first_table(question)}"  # noqa: S608 - a shipped table's name
    tried = await farid.slash("drill run", query=count, timeout=30)
    say.did("farid", "/drill run (count the rows)", tried)
    drawn = await farid.slash("drill practice", category="statistics-probability")
    say.did("farid", "/drill practice statistics-probability", drawn)
    form = await farid.press(drawn, "Answer")
    labels = [name for name, _ in form.modal.inputs()] if form.modal else []
    values = {"Answer": "I would set up the likelihood, then compute it step by step."}
    if "Final answer (optional, checked)" in labels:
        values["Final answer (optional, checked)"] = "0.5"
    practice = await farid.submit_modal(form, values, timeout=30)
    say.did("farid", "practice Answer", practice)

    say.begin("Tuesday 09:00: the next prompt; yesterday's model answer goes into its thread")
    await post_day(bot, clock, 2)
    seen = say.posted(fake, server.prompts, seen)
    thread_seen = say.posted(fake, thread, thread_seen)
    day2 = fake.messages(server.prompts)[-1]
    for actor, text in ((alex, "Bayes first: prior, likelihood, posterior, then the number."),
                        (bea, "I would simulate it to check my algebra.")):  # fmt: skip
        form = await actor.press(day2, "Answer")
        done = await actor.submit_modal(form, _answer_values(form, text), timeout=30)
        say.did(actor.user.username, "Answer", done)
    await drain(bot)

    say.begin("Streaks and the leaderboard")
    streak = await alex.slash("streak")
    say.did("alex", "/streak (a heat map)", streak)
    board = await bea.slash("leaderboard")
    say.did("bea", "/leaderboard", board)

    say.begin("Members opt in to mock interviews; the organiser runs a pairing round now")
    for name, track in MEMBERS:
        joined = await people[name].slash("mock join", track=track, level="mid", timezone="UTC",
                                          availability="weekday evenings")  # fmt: skip
        say.did(name, f"/mock join ({track})", joined)
    ran = await admin.slash("mock pair-now", timeout=30)
    say.did("maya", "/mock pair-now", ran)
    await drain(bot)
    threads = [c for c in fake.world.channels.values() if c.parent_id == server.mocks.id]
    for pair_thread in threads:
        say.posted(fake, pair_thread, 0)

    say.begin("In a pair thread: each interviewer opens the loop-shaped question pack")
    pair_thread = threads[0]
    intro = next(m for m in fake.messages(pair_thread) if m.author.bot and m.components)
    insiders = [a for a in people.values() if a.user.id in fake.world.channel(pair_thread.id).thread_members]
    for actor in insiders[:2]:
        pack = await actor.press(intro, "Show my question pack")
        say.did(actor.user.username, "Show my question pack", pack)

    say.begin("After the mock: structured feedback, and the recipient's progress chart")
    giver, receiver = insiders[0], insiders[1]
    form = await giver.press(intro, "Give feedback")
    if any(str(c.get("custom_id", "")).startswith("feedback:to:") for row in form.components
           for c in row.get("components", [])):  # fmt: skip
        form = await giver.press(form, f"feedback:to:{_group_id(intro)}:{receiver.user.id}")
    for dimension, score in (("communication", 4), ("structure", 4), ("technical_depth", 3), ("problem_solving", 5),
                             ("culture", 4)):  # fmt: skip
        await giver.choose(form, f"feedback:score:{_group_id(intro)}:{receiver.user.id}:{dimension}", [str(score)])
    modal = await giver.press(form, "Continue")
    given = await giver.submit_modal(modal, {"Overall signal": ["yes"], "Strengths": "Structured, calm, clear numbers.",
                                             "To improve": "State assumptions before the maths."})  # fmt: skip
    say.did(giver.user.username, f"Give feedback to {receiver.user.username}", given)
    await drain(bot)
    mine = await receiver.slash("feedback mine")
    say.did(receiver.user.username, "/feedback mine (with the trend chart)", mine)


def _question(bot: DrillBot, post: Message) -> Any:
    footer = str(post.embeds[0].get("footer", {}).get("text", "")) if post.embeds else ""
    question = bot.bank.get(footer.rsplit("· ", 1)[-1].strip())
    if question is None:
        raise RuntimeError(f"the daily post names no shipped question: {footer!r}")
    return question


def _first_table(question: Any) -> str:
    return str(question.dataset[0].table) if question.dataset else "t"


def _group_id(intro: Message) -> int:
    for row in intro.components:
        for component in row.get("components", []):
            custom_id = str(component.get("custom_id", ""))
            if custom_id.startswith("mock:pack:"):
                return int(custom_id.rsplit(":", 1)[-1])
    raise RuntimeError("the pair thread's intro carries no pack button")


def _answer_values(form: Reply, text: str) -> dict[str, str]:
    names = [name for name, _ in form.modal.inputs()] if form.modal else []
    if QUERY in names:
        return {QUERY: "SELECT 1 AS answer", NOTES: text}
    return {"Answer": text}


async def run_demo(
    out_dir: Path, *, keep: bool = False, echo: Callable[[str], None] = print,
    until_stopped: Callable[[], Awaitable[None]] | None = None,
) -> Demo:  # fmt: skip
    """Play the program and write ``out_dir``/index.html; with ``keep``, stay up until ``until_stopped`` returns."""
    demo = Demo()
    started = time.monotonic()
    fake = FakeDiscord()
    server = build_server(fake)
    await fake.start()
    narrator = Narrator(demo, echo, steps=10, fake=fake)
    with tempfile.TemporaryDirectory(prefix="drillbot-demo-") as folder:
        database_url = f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}"
        await upgrade_head(database_url)
        clock = ManualClock(START)
        settings = settings_for(fake, database_url)
        bot = create_bot(settings, bank=QuestionBank.load(), clock=clock, background_jobs=False,
                         guild_ready_timeout=0.1)  # fmt: skip
        task = await start_bot(fake, bot, timeout=30)
        try:
            await fake.wait_for_commands_synced(timeout=30)
            narrator.say(f"drillbot demo: the real bot against a local Discord stand-in at {fake.api_base}")
            await play(fake, bot, clock, server, narrator)
            html = render_page(fake, server.guild_id, title="drillbot demo · Interview Prep Club",
                               subtitle="A compressed program, played by the real bot against a local stand-in "
                                        "for Discord")  # fmt: skip
            page = await asyncio.to_thread(_write_page, out_dir, html)
            demo.page = page.resolve()
            demo.seconds = time.monotonic() - started
            narrator.say(f"done in {demo.seconds:.1f} s; the page: {demo.page}")
            if keep and until_stopped is not None:
                narrator.say(f"still running: the stand-in at {fake.api_base}; press Ctrl-C to stop")
                await until_stopped()
        finally:
            await stop_bot(bot, task)
            with contextlib.suppress(Exception):
                await fake.close()
    return demo


def _write_page(out_dir: Path, html: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "index.html"
    page.write_text(html, encoding="utf-8")
    return page


def main(out_dir: Path, *, keep: bool) -> int:
    """Run the demo from the command line; Ctrl-C ends a --keep run cleanly (exit 0)."""

    async def wait_forever() -> None:
        await asyncio.Event().wait()

    try:
        asyncio.run(run_demo(out_dir, keep=keep, until_stopped=wait_forever))
    except KeyboardInterrupt:
        print("stopped")
    return 0
