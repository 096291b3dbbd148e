"""/question through the fake Discord: add, import, export, retire, show, list, and admin refusals."""

from __future__ import annotations

import yaml

from bot.client import DrillBot
from bot.services import questions as svc
from discord_standin.server import FakeDiscord

GOOD = b"""\
questions:
  - id: team-001
    category: case
    tracks: [business-analyst]
    difficulty: medium
    prompt: Estimate the number of households that would buy a sports add-on in a mid-sized country.
    rubric: [Segments households first, States assumptions with numbers]
  - id: team-002
    category: behavioral
    tracks: [data-analyst, data-scientist]
    difficulty: easy
    prompt: Tell me about a time a stakeholder disagreed with your numbers and what you did.
    rubric: [Gives a concrete example, Describes how they reconciled the numbers]
"""


def footer(reply) -> str:
    return (reply.embed or {}).get("footer", {}).get("text", "")


async def _own(bot: DrillBot, guild_id: int) -> list[str]:
    async with bot.db.read() as session:
        return [q.id for q in await svc.server_questions(session=session, guild_id=guild_id)]


async def test_add_through_the_modal(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """An admin adds a question with the modal; it is stored and shown with its new id."""
    dana = fake_discord.default.dana
    modal = await dana.slash("question add", category="sql", difficulty="hard")
    assert modal.kind == "modal" and modal.modal is not None
    reply = await dana.submit_modal(
        modal,
        {
            "Tracks": ["data-analyst", "data-engineer"],
            "Question": "Find each user's longest streak of consecutive viewing days.",
            "Rubric: what a strong answer covers": "Uses the date minus row_number trick\nHandles duplicate days",
            "Tables the question uses": "views(user_id BIGINT, viewed_on DATE)",
        },
    )
    assert reply.ephemeral and "sql-s1" in reply.text()
    assert await _own(drillbot, fake_discord.guild.id) == ["sql-s1"]


async def test_add_with_a_bad_rubric_stores_nothing(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """A one-line rubric is refused with the reason; nothing is stored."""
    dana = fake_discord.default.dana
    modal = await dana.slash("question add", category="case", difficulty="easy")
    reply = await dana.submit_modal(
        modal,
        {
            "Tracks": ["business-analyst"],
            "Question": "Size the market for a new plan in a small country.",
            "Rubric: what a strong answer covers": "Only one point",
        },
    )
    assert reply.ephemeral and "Rubric" in reply.content
    assert await _own(drillbot, fake_discord.guild.id) == []


async def test_import_then_export_round_trips(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """An imported file comes back from export, and export imports again unchanged."""
    dana = fake_discord.default.dana
    reply = await dana.slash("question import", file=("mine.yaml", GOOD))
    assert reply.ephemeral and "2 added" in reply.text()
    exported = await dana.slash("question export")
    assert exported.ephemeral and len(exported.files) == 1
    name, data = exported.files[0]
    assert name.endswith(".yaml")
    assert [q["id"] for q in yaml.safe_load(data)["questions"]] == ["team-001", "team-002"]
    again = await dana.slash("question import", file=("back.yaml", data))
    assert "0 added, 2 updated" in again.text()
    assert await _own(drillbot, fake_discord.guild.id) == ["team-001", "team-002"]


async def test_a_bad_import_reports_every_problem_and_stores_nothing(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    dana = fake_discord.default.dana
    bad = GOOD.replace(b"category: case", b"category: cooking").replace(b"difficulty: easy", b"difficulty: 9")
    reply = await dana.slash("question import", file=("bad.yaml", bad))
    text = reply.text()
    assert reply.ephemeral and "Nothing was imported" in text
    assert "bad.yaml:3: questions[0].category" in text and "questions[1].difficulty" in text
    assert await _own(drillbot, fake_discord.guild.id) == []


async def test_retire_show_and_list_paging(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """A retired question leaves the list; list pages with buttons; members see no rubric."""
    world = fake_discord.default
    pages = -(-len([q for q in drillbot.bank.all() if q.category == "sql"]) // 10)
    first = await world.alice.slash("question list", category="sql")
    assert first.ephemeral and f"Page 1 of {pages}" in footer(first)
    retired_id = first.embed["description"].split("`")[1]
    second = await world.alice.press(first, "Next ▶")
    assert f"Page 2 of {pages}" in footer(second) and retired_id not in second.text()
    back = await world.alice.press(second, "◀ Previous")
    assert f"Page 1 of {pages}" in footer(back)
    reply = await world.dana.slash("question retire", id=retired_id)
    assert reply.ephemeral and "retired" in reply.content
    after = await world.alice.slash("question list", category="sql")
    assert retired_id not in after.text()
    shown = await world.alice.slash("question show", id="sql-002")
    assert shown.ephemeral and "Rubric" not in shown.text() and "Tables" in shown.text()
    admin_view = await world.dana.slash("question show", id="sql-002")
    assert "Rubric" in admin_view.text()
    missing = await world.alice.slash("question show", id="nope-999")
    assert missing.ephemeral and "no question" in missing.content


async def test_list_buttons_work_after_a_restart(fake_discord: FakeDiscord, start_drillbot) -> None:
    """A page button keeps working when a new bot process receives the press."""
    first_bot = await start_drillbot()
    page = await fake_discord.default.bob.slash("question list")
    await first_bot.close()
    await start_drillbot()
    turned = await fake_discord.default.bob.press(page, "Next ▶")
    assert "Page 2 of" in footer(turned)


async def test_ids_autocomplete(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    reply = await fake_discord.default.alice.autocomplete("question show", "id", "sql-01")
    values = [c["value"] for c in reply]
    assert values and all(v.startswith("sql-01") for v in values) and len(values) <= 25


async def test_members_are_refused_admin_subcommands(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """add, import, export and retire are refused for a member, at run time; nothing changes."""
    alice = fake_discord.default.alice
    replies = [
        await alice.slash("question add", category="sql", difficulty="easy"),
        await alice.slash("question import", file=("x.yaml", GOOD)),
        await alice.slash("question export"),
        await alice.slash("question retire", id="sql-001"),
    ]
    for reply in replies:
        assert reply.kind != "modal" and reply.ephemeral and "admin" in reply.content.lower()
    assert await _own(drillbot, fake_discord.guild.id) == []
    async with drillbot.db.read() as session:
        assert await svc.retired_ids(session=session, guild_id=fake_discord.guild.id) == set()


LONG_SCHEMA = "\n".join(
    f"      table_{i}(id BIGINT, name VARCHAR, created_at TIMESTAMP, amount DOUBLE)" for i in range(20)
)
WITH_SOLUTION = f"""\
questions:
  - id: team-sql-1
    category: sql
    tracks: [data-analyst]
    difficulty: hard
    prompt: Across twenty tables, find the users whose total amount grew every month of 2024.
    rubric: [Unions the tables first, Compares consecutive months with LAG]
    schema: |
{LONG_SCHEMA}
    solution: |
      {"Union the twenty tables, sum per user and month, then compare each month with LAG. " * 6}
""".encode()


async def test_show_keeps_long_tables_whole_and_shows_admins_the_model_answer(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """Tables over 1,024 characters go over several fields, each a closed code block, named with the dialect.

    Admins see the model answer beside the question; members do not.
    """
    world = fake_discord.default
    reply = await world.dana.slash("question import", file=("team.yaml", WITH_SOLUTION))
    assert "team-sql-1" in reply.text() or "Imported" in reply.text(), reply.text()
    shown = await world.dana.slash("question show", id="team-sql-1")
    question, answer = shown.embeds
    tables = [f for f in question["fields"] if f["name"].startswith("Tables (DuckDB SQL)")]
    assert len(tables) == 2 and tables[1]["name"].endswith("continued")
    for field in tables:
        assert len(field["value"]) <= 1024
        assert field["value"].startswith("```sql\n") and field["value"].endswith("\n```")
    shown_lines = "\n".join(f["value"][7:-4] for f in tables).splitlines()
    assert shown_lines == [line.strip() for line in LONG_SCHEMA.splitlines()]
    assert answer["title"] == "Model answer · team-sql-1" and "LAG" in answer["description"]
    member = await world.alice.slash("question show", id="team-sql-1")
    assert len(member.embeds) == 1 and "Model answer" not in member.text()
