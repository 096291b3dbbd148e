"""Guard tests through the fake Discord: the command surface, cogs, limits, /help, admin checks, faults."""

from __future__ import annotations

import asyncio
import re

from bot.client import EXTENSIONS, DrillBot
from discord_standin.server import FakeDiscord
from tests.e2e.conftest import BotFactory

# The command surface that exists so far (top-level -> subcommands). Update with each feature.
SURFACE: dict[str, set[str]] = {
    "help": set(),
    "config": {"admin-role", "show", "prompts", "streaks", "pairing"},
    "mock": {"join", "leave", "pause", "avoid", "unavoid", "status", "history", "pair-now", "stats"},
    "drill": {"today", "answer", "history", "post-now", "remind", "practice", "run"},
    "streak": set(),
    "leaderboard": set(),
    "question": {"add", "show", "list", "retire", "import", "export"},
    "feedback": {"give", "mine", "reported", "stats"},
    "privacy": {"export", "delete"},
}
CONTEXT_MENUS = {"Remove from drill"}
NAME = re.compile(r"^[-_\w]{1,32}$")


def _leaves(command: dict) -> set[str]:
    return {o["name"] for o in command.get("options") or [] if o.get("type") in (1, 2)}


async def test_boots_and_syncs_exactly_the_surface(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """READY through the fake, and the synced commands are exactly the documented surface."""
    synced = {c["name"]: _leaves(c) for c in fake_discord.commands() if c.get("type", 1) == 1}
    assert synced == SURFACE
    assert {c["name"] for c in fake_discord.commands() if c.get("type") == 3} == CONTEXT_MENUS
    assert drillbot.is_ready() and drillbot.shard_count == 1


async def test_every_cog_loads(drillbot: DrillBot) -> None:
    """Every extension in the bot's list is loaded."""
    assert set(drillbot.extensions) == set(EXTENSIONS)


async def test_no_command_clashes_and_all_within_limits(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """No duplicate names at any level; names, descriptions, options and choices within Discord's limits."""
    commands = fake_discord.commands()
    names = [c["name"] for c in commands]
    assert len(names) == len(set(names))

    def check(node: dict, path: str) -> None:
        assert NAME.match(node["name"]) and node["name"] == node["name"].lower(), path
        assert 1 <= len(node.get("description", "")) <= 100, path
        options = node.get("options") or []
        assert len(options) <= 25, path
        option_names = [o["name"] for o in options]
        assert len(option_names) == len(set(option_names)), path
        for option in options:
            assert len(option.get("choices") or []) <= 25, path
            check(option, f"{path} {option['name']}")

    for command in commands:
        if command.get("type", 1) == 1:
            check(command, command["name"])


async def test_help_is_ephemeral_fast_and_lists_every_command(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """/help answers ephemerally within the deadline and names every leaf command."""
    reply = await fake_discord.default.alice.slash("help")
    assert reply.ephemeral
    text = reply.text()
    for top, subs in SURFACE.items():
        for leaf in subs or {""}:
            assert f"/{top} {leaf}".strip() in text
    ack = fake_discord.records.acks[-1]
    assert ack.latency < 3.0


async def test_admin_command_refused_for_a_member_even_past_discords_gate(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """A member who gets past default_member_permissions is still refused at run time; nothing changes."""
    alice = fake_discord.default.alice
    reply = await alice.slash("config admin-role", role=fake_discord.default.member_role, bypass_permissions=True)
    assert reply.ephemeral and "admin" in reply.content.lower()
    async with drillbot.db.read() as session:
        from bot.services.guild_settings import admin_role_id

        assert await admin_role_id(session=session, guild_id=fake_discord.guild.id) is None


async def test_configured_admin_role_grants_admin_commands(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """After /config admin-role, holders of that role pass the admin check; clearing it revokes that."""
    world = fake_discord.default
    set_reply = await world.dana.slash("config admin-role", role=world.member_role)
    assert set_reply.ephemeral and "can now run admin commands" in set_reply.content
    shown = await world.alice.slash("config show", bypass_permissions=True)
    assert shown.embed is not None and str(world.member_role.id) in shown.text()
    await world.dana.slash("config admin-role")
    refused = await world.alice.slash("config show", bypass_permissions=True)
    assert refused.embed is None and "admin" in refused.content.lower()


async def test_survives_forced_reconnect_and_429_storm(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """After op 7 and with a storm of 429s on the callback route, interactions are still answered."""
    await fake_discord.gateway.request_reconnect()
    await fake_discord.gateway.wait_until_ready()
    fake_discord.faults.rate_limit("POST /interactions/*/*/callback", times=5, retry_after=0.05)
    alice, bob = fake_discord.default.alice, fake_discord.default.bob
    replies = await asyncio.gather(alice.slash("help"), bob.slash("help"), alice.slash("question list"))
    assert all(r.ephemeral for r in replies)
    assert fake_discord.records.rate_limited >= 5
    await fake_discord.gateway.invalidate_session(resumable=False)
    await fake_discord.gateway.wait_until_ready()
    assert (await alice.slash("help")).ephemeral


async def test_jobs_start_once_after_ready_and_not_again_on_reconnect(
    fake_discord: FakeDiscord, start_drillbot: BotFactory
) -> None:
    """The scheduler starts once the gateway is ready; a new session (READY again) neither restarts nor doubles it."""
    bot = await start_drillbot(background_jobs=True)
    assert bot.is_ready() and bot.scheduler.running
    jobs = sorted(job.id for job in bot.scheduler.get_jobs())
    assert {"prompts", "outbox", "outbox-prune", "mock-rounds", "reminders", "guild-purge"} <= set(jobs)
    await fake_discord.gateway.invalidate_session(resumable=False)  # a fresh session: READY and on_ready again
    await fake_discord.gateway.wait_until_ready()
    assert bot.scheduler.running and sorted(job.id for job in bot.scheduler.get_jobs()) == jobs


async def test_commands_are_published_only_when_they_differ(
    fake_discord: FakeDiscord, start_drillbot: BotFactory
) -> None:
    """A restart with the same tree sends no PUT; commands changed on Discord's side are put back."""
    first = await start_drillbot()
    puts = len(fake_discord.records.requests_to("PUT /applications/*/commands"))
    assert puts == 1 and fake_discord.records.requests_to("GET /applications/*/commands")
    await first.close()
    await start_drillbot()
    assert len(fake_discord.records.requests_to("PUT /applications/*/commands")) == puts  # nothing new to send
    registered = fake_discord.world.application.global_commands
    next(c for c in registered if c["name"] == "help")["description"] = "changed elsewhere"
    assert await start_drillbot() is not None
    assert len(fake_discord.records.requests_to("PUT /applications/*/commands")) == puts + 1  # drift repaired
    help_command = next(c for c in fake_discord.world.application.global_commands if c["name"] == "help")
    assert help_command["description"] != "changed elsewhere"
