"""Streak heads-up DMs (/drill remind, send_reminders) and /config streaks, end to end."""

from __future__ import annotations

import pytest

from bot.client import DrillBot
from bot.clock import ManualClock
from discord_standin.actors import Actor
from discord_standin.server import FakeDiscord
from tests.e2e.daily_support import at
from tests.e2e.streak_support import (
    answer,
    member_row,
    post_june,
    set_up_prompts,
    settings_row,
    streaks_cog,
)


def dm_attempts(fake: FakeDiscord, member: Actor) -> int:
    """Return how many times the bot opened a DM channel with ``member``."""
    return sum(
        1 for r in fake.records.requests_to("POST /users/@me/channels")
        if str((r.json or {}).get("recipient_id")) == str(member.id)
    )  # fmt: skip


async def remind_at(bot: DrillBot, clock: ManualClock, when: object) -> int:
    """Run the reminder job once at ``when``; return how many DMs it sent."""
    clock.set(when)  # type: ignore[arg-type]
    return await streaks_cog(bot).send_reminders()


@pytest.fixture
def no_dm_pacing(drillbot: DrillBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Do not wait between reminder DMs."""
    monkeypatch.setitem(streaks_cog(drillbot).send_reminders.__func__.__globals__, "DM_PACE_SECONDS", 0)  # type: ignore[attr-defined]


@pytest.mark.usefixtures("no_dm_pacing")
async def test_one_heads_up_dm_before_the_prompt_closes(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Streak 3+, opted in, not answered: one DM heads_up_hours before the next post; never earlier or twice."""
    world = fake_discord.default
    erin = fake_discord.add_member(world.guild, "erin", roles=[world.member_role])
    await set_up_prompts(fake_discord)
    await world.dana.slash("config streaks", heads_up_hours=5)
    for day in (1, 2, 3):
        post = await post_june(fake_discord, drillbot, clock, day)
        for member in (world.alice, world.bob, world.carol, world.dana, *([erin] if day > 1 else [])):
            await answer(member, post)
    for member in (world.alice, world.bob, world.carol, world.dana, erin):
        on = await member.slash("drill remind", state="on")
        assert on.ephemeral and "Reminders on" in on.content
    assert "off" in (await world.carol.slash("drill remind", state="off")).content
    world.dana.user.dms_closed = True
    post = await post_june(fake_discord, drillbot, clock, 4)  # open until June 5 09:00
    await answer(world.bob, post)
    assert await remind_at(drillbot, clock, at(2026, 6, 5, 3, 59)) == 0
    assert fake_discord.dms(world.alice) == []
    assert await remind_at(drillbot, clock, at(2026, 6, 5, 4, 0)) == 1
    [dm] = fake_discord.dms(world.alice)
    assert "3-day" in dm.content and f"<t:{int(at(2026, 6, 5, 9, 0).timestamp())}:R>" in dm.content
    for member in (world.bob, world.carol, world.dana, erin):  # answered, opted out, DMs closed, streak 2
        assert fake_discord.dms(member) == []
    assert dm_attempts(fake_discord, world.bob) == dm_attempts(fake_discord, world.carol) == 0
    assert dm_attempts(fake_discord, erin) == 0 and dm_attempts(fake_discord, world.dana) == 1
    dana = await member_row(drillbot, world.guild.id, world.dana.id)
    assert dana is not None and dana.dm_closed  # remembered
    assert await remind_at(drillbot, clock, at(2026, 6, 5, 7, 0)) == 0  # not twice
    assert len(fake_discord.dms(world.alice)) == 1 and dm_attempts(fake_discord, world.dana) == 1
    await answer(world.alice, post)
    await answer(world.dana, post)
    await answer(world.bob, await post_june(fake_discord, drillbot, clock, 5))
    assert await remind_at(drillbot, clock, at(2026, 6, 6, 4, 30)) == 1  # a new prompt: a new heads-up
    assert "4-day" in fake_discord.dms(world.alice)[-1].content
    assert dm_attempts(fake_discord, world.dana) == 1  # closed DMs are not retried
    assert await remind_at(drillbot, clock, at(2026, 6, 6, 9, 0)) == 0  # closed (next prompt due): too late
    assert {e.error_code for e in fake_discord.records.errors()} == {50007}  # only dana's closed DMs


@pytest.mark.usefixtures("no_dm_pacing")
async def test_reopening_dms_with_remind_on_resumes_heads_ups(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A member whose DMs were closed runs /drill remind on again: the next prompt's heads-up reaches them."""
    world = fake_discord.default
    await set_up_prompts(fake_discord)
    for day in (1, 2, 3):
        await answer(world.alice, await post_june(fake_discord, drillbot, clock, day))
    await world.alice.slash("drill remind", state="on")
    world.alice.user.dms_closed = True
    post = await post_june(fake_discord, drillbot, clock, 4)
    assert await remind_at(drillbot, clock, at(2026, 6, 5, 7, 0)) == 0
    await answer(world.alice, post)
    world.alice.user.dms_closed = False
    await world.alice.slash("drill remind", state="on")
    await post_june(fake_discord, drillbot, clock, 5)
    assert await remind_at(drillbot, clock, at(2026, 6, 6, 7, 0)) == 1
    assert len(fake_discord.dms(world.alice)) == 1


@pytest.mark.usefixtures("no_dm_pacing")
async def test_a_freeze_holder_is_told_a_freeze_would_be_spent(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """The heads-up tells a member holding a freeze that it would be spent; with freezes off, that the streak ends."""
    world = fake_discord.default
    await set_up_prompts(fake_discord)
    for day in range(1, 8):
        await answer(world.alice, await post_june(fake_discord, drillbot, clock, day))
    await world.alice.slash("drill remind", state="on")
    await post_june(fake_discord, drillbot, clock, 8)
    assert await remind_at(drillbot, clock, at(2026, 6, 9, 7, 0)) == 1
    [dm] = fake_discord.dms(world.alice)
    assert "7-day streak" in dm.content and "1 freeze(s) will be spent" in dm.content
    await world.dana.slash("config streaks", freezes=False)
    await post_june(fake_discord, drillbot, clock, 9)  # June 8 missed: with freezes off the streak ends
    row = await member_row(drillbot, world.guild.id, world.alice.id)
    assert row is not None and (row.current, row.freezes) == (0, 1)
    shown = await world.alice.slash("streak")
    assert (
        shown.embed is not None
        and {"name": "Freezes held", "value": "off on this server", "inline": True} in (shown.embed["fields"])
    )


BAD_INPUT = [
    ({"milestones": "3,seven"}, "Milestones are streak lengths"),
    ({"milestones": "0,5"}, "between 1 and 1000"),
    ({"milestones": ",,"}, "Milestones are streak lengths"),
    ({"milestone_roles": "seven=@Regular"}, "look like"),
    ({"milestone_roles": "7=@Nobody"}, "not a role I can grant"),
    ({"milestone_roles": "7=@everyone"}, "not a role I can grant"),
    ({"milestone_roles": "7=drillbot"}, "not a role I can grant"),  # the bot's managed role
    ({"milestone_roles": "4=Regular"}, "not a milestone"),
    ({"milestones": "5,10", "heads_up_hours": 6, "milestone_roles": "5=@Nobody"}, "not a role I can grant"),
]


@pytest.mark.parametrize(("values", "error"), BAD_INPUT)
async def test_config_streaks_refuses_bad_input(
    fake_discord: FakeDiscord, drillbot: DrillBot, values: dict[str, object], error: str
) -> None:
    """Bad milestones, unknown or ungrantable roles: a clear ephemeral error and nothing stored."""
    world = fake_discord.default
    fake_discord.add_role(world.guild, "Regular")
    reply = await world.dana.slash("config streaks", **values)
    assert reply.ephemeral and error in reply.content and "Nothing was changed" in reply.content, reply.content
    assert await settings_row(drillbot, world.guild.id) is None


async def test_config_streaks_range_members_and_a_valid_change(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """heads_up_hours is bounded 1-23 by Discord; members are refused; valid values are stored and shown."""
    world = fake_discord.default
    regular = fake_discord.add_role(world.guild, "Regular")
    veteran = fake_discord.add_role(world.guild, "Veteran")
    for hours in (0, 24):
        with pytest.raises(AssertionError, match=r"outside 1\.\.23"):
            await world.dana.slash("config streaks", heads_up_hours=hours)
    refused = await world.alice.slash("config streaks", milestones="1", bypass_permissions=True)
    assert refused.ephemeral and "admin" in refused.content.lower()
    assert await settings_row(drillbot, world.guild.id) is None
    done = await world.dana.slash(
        "config streaks", freezes=False, milestones="10, 5", milestone_roles=f"5=@Regular, 10=<@&{veteran.id}>",
        heads_up_hours=6,
    )  # fmt: skip
    assert done.ephemeral and "freezes off; milestones 5, 10" in done.content and "heads-up 6 h" in done.content
    row = await settings_row(drillbot, world.guild.id)
    assert row is not None and (row["freezes_enabled"], row["milestones"], row["heads_up_hours"]) == (False, [5, 10], 6)
    assert row["milestone_roles"] == {"5": regular.id, "10": veteran.id}
    orphaning = await world.dana.slash("config streaks", milestones="10,20", heads_up_hours=9)
    assert "A role is set for 5, which is not a milestone" in orphaning.content
    assert "Nothing was changed" in orphaning.content and await settings_row(drillbot, world.guild.id) == row
    again = await world.dana.slash("config streaks", heads_up_hours=2)  # the rest is kept
    assert "milestones 5, 10" in again.content and f"5=<@&{regular.id}>" in again.content
    shown = (await world.dana.slash("config show")).text()
    assert "**Freezes:** off" in shown and "**Milestones:** 5, 10" in shown and "**Heads-up:** 2 h" in shown
    assert f"5=<@&{regular.id}>, 10=<@&{veteran.id}>" in shown and "⚠️ Milestone roles" not in shown
    cleared = await world.dana.slash("config streaks", milestone_roles="none")
    assert "roles none" in cleared.content
