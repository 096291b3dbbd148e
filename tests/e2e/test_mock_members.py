"""/mock for members (join, update, leave, pause, avoid, status, history) and /config pairing, through the fake."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import MockAvoid, MockProfile
from discord_standin.access import P
from discord_standin.options import CommandNotAvailable
from discord_standin.server import FakeDiscord
from discord_standin.world import Overwrite
from tests.e2e.daily_support import at, timestamp
from tests.e2e.mock_support import (
    config_row,
    configure_pairing,
    intro,
    join,
    latest_groups,
    members,
    pair_threads,
    profile,
    rounds_of,
    rows,
    setup_pairing,
    tick,
)

BAD_JOINS: list[tuple[dict[str, str], str]] = [
    ({"timezone": "Mars/Olympus"}, "time zone"),
    ({"timezone": "../etc/passwd"}, "time zone"),
    ({"availability": "whenever suits"}, "Availability looks like"),
    ({"availability": "mon-fri 22-18"}, "start before end"),
    ({"availability": "weekday teatime"}, "not a time of day"),
    ({"availability": " , ; "}, "at least one window"),
]
BAD_CONFIGS: list[tuple[dict[str, object], str]] = [
    ({"timezone": "Mars/Olympus"}, "time zone"),
    ({"timezone": "localtime"}, "time zone"),
    ({"time": "25:00"}, "not a time"),
    ({"time": "noon"}, "not a time"),
    ({"time": "18:00", "timezone": "Nowhere/Atlantis", "weekday": 4}, "time zone"),
]
PAIRING_PERMISSIONS = [
    P.VIEW_CHANNEL, P.SEND_MESSAGES, P.CREATE_PRIVATE_THREADS, P.SEND_MESSAGES_IN_THREADS, P.MANAGE_THREADS,
]  # fmt: skip


async def test_join_stores_the_profile_and_joining_again_updates_it(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """/mock join stores track, level, zone and UTC availability; a second run updates the same profile."""
    alice = fake_discord.default.alice
    first = await join(alice, track="ml-engineer", level="junior", timezone="Europe/Helsinki",
                       availability="mon 18-20")  # fmt: skip
    assert first.ephemeral and first.content.startswith("You are in")
    row = await profile(drillbot, alice)
    assert row is not None and (row.track, row.level, row.timezone) == ("ml-engineer", "junior", "Europe/Helsinki")
    assert row.slots == [16, 17] and row.active  # Monday 18-20 in Helsinki (winter reference week, UTC+2)
    second = await join(alice, track="data-analyst", level="senior", timezone="UTC", availability="weekend mornings")
    assert second.ephemeral and second.content.startswith("Profile updated")
    [row] = await rows(drillbot, MockProfile)
    assert (row.track, row.level, row.timezone, row.availability_text) == (
        "data-analyst", "senior", "UTC", "weekend mornings",
    )  # fmt: skip
    assert row.slots == [*range(5 * 24 + 8, 5 * 24 + 12), *range(6 * 24 + 8, 6 * 24 + 12)]


@pytest.mark.parametrize(("values", "reason"), BAD_JOINS, ids=[str(v) for v, _ in BAD_JOINS])
async def test_bad_join_input_is_refused_and_stores_nothing(
    fake_discord: FakeDiscord, drillbot: DrillBot, values: dict[str, str], reason: str
) -> None:
    """An unknown zone or unparseable availability: a clear ephemeral error; no profile, an old one unchanged."""
    alice, bob = fake_discord.default.alice, fake_discord.default.bob
    options = {"track": "data-scientist", "level": "mid", "timezone": "UTC", "availability": "weekday evenings"}
    reply = await alice.slash("mock join", **{**options, **values})
    assert reply.ephemeral and reason in reply.content and "changed" in reply.content, reply.content
    assert await profile(drillbot, alice) is None
    await join(bob, level="senior")
    before = (await profile(drillbot, bob)).model_dump()  # type: ignore[union-attr]
    again = await bob.slash("mock join", **{**options, **values})
    assert reason in again.content and "changed" in again.content
    assert (await profile(drillbot, bob)).model_dump() == before  # type: ignore[union-attr]


async def test_leave_takes_a_member_out_and_join_brings_them_back(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """/mock leave drops a member from rounds (twice says so); /mock join resumes at once."""
    await setup_pairing(fake_discord)
    alice, bob, carol = members(fake_discord, 3)
    for actor in (alice, bob, carol):
        await join(actor)
    left = await carol.slash("mock leave")
    assert left.ephemeral and "/mock join" in left.content
    assert "not taking part" in (await carol.slash("mock leave")).content
    assert "not taking part" in (await carol.slash("mock status")).content
    await fake_discord.default.dana.slash("mock pair-now")
    [(_group, ids)] = await latest_groups(drillbot)
    assert sorted(ids) == sorted([alice.id, bob.id])
    await join(carol)
    clock.set(at(2026, 6, 8, 9))  # next week: a new round
    await fake_discord.default.dana.slash("mock pair-now")
    [(_group, ids)] = await latest_groups(drillbot)
    assert sorted(ids) == sorted([alice.id, bob.id, carol.id])


async def test_pause_skips_rounds_and_resumes_by_itself(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """/mock pause weeks:1 skips this week's round; the member is back once the clock passes the pause."""
    await setup_pairing(fake_discord)
    alice, bob, carol = members(fake_discord, 3)
    for actor in (alice, bob, carol):
        await join(actor)
    paused = await alice.slash("mock pause", weeks=1)
    until = at(2026, 6, 8, 8)
    assert paused.ephemeral and f"<t:{int(until.timestamp())}:D>" in paused.content and "/mock join" in paused.content
    assert "Paused until" in (await alice.slash("mock status")).content
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    [(_group, ids)] = await latest_groups(drillbot)
    assert sorted(ids) == sorted([bob.id, carol.id])
    await tick(drillbot, clock, at(2026, 6, 10, 18))
    [(_group, ids)] = await latest_groups(drillbot)
    assert sorted(ids) == sorted([alice.id, bob.id, carol.id])


async def test_join_again_ends_a_pause_and_pause_needs_a_profile(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Running /mock join during a pause resumes at once; /mock pause before joining is refused."""
    alice = fake_discord.default.alice
    refused = await alice.slash("mock pause", weeks=2)
    assert refused.ephemeral and "/mock join" in refused.content and await profile(drillbot, alice) is None
    await join(alice)
    await alice.slash("mock pause", weeks=4)
    assert (await profile(drillbot, alice)).paused_until == at(2026, 6, 29, 8)  # type: ignore[union-attr]
    await join(alice)
    row = await profile(drillbot, alice)
    assert row is not None and row.paused_until is None and row.active


async def test_an_avoided_pair_never_meets_and_the_list_is_private(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Over many rounds an avoided pair is never grouped; the list stores a keyed hash, nobody is told."""
    await setup_pairing(fake_discord)
    alice, bob, carol, erin, frank = members(fake_discord, 5)
    for actor in (alice, bob, carol, erin, frank):
        await join(actor)
    done = await alice.slash("mock avoid", member=bob)
    assert done.ephemeral and "Nobody else is told" in done.content
    assert "Already" in (await alice.slash("mock avoid", member=bob)).content
    await erin.slash("mock avoid", member=carol)
    self_avoid = await alice.slash("mock avoid", member=alice)
    assert self_avoid.ephemeral and "yourself" in self_avoid.content
    stored = await rows(drillbot, MockAvoid)
    assert len(stored) == 2
    for row in stored:
        text = repr(row.model_dump())
        assert str(bob.id) not in text and str(carol.id) not in text and len(row.avoided_key) == 64
    for week in range(10):
        clock.set(at(2026, 6, 1, 9) + dt.timedelta(weeks=week))
        await fake_discord.default.dana.slash("mock pair-now")
        groups = [set(ids) for _group, ids in await latest_groups(drillbot)]
        assert sorted(u for g in groups for u in g) == sorted(a.id for a in (alice, bob, carol, erin, frank))
        assert not any({alice.id, bob.id} <= g or {carol.id, erin.id} <= g for g in groups), (week, groups)
    assert len(await rounds_of(drillbot)) == 10
    for actor in (bob, carol):
        assert fake_discord.dms(actor) == []
        assert not any(alice.mention in m.content or erin.mention in m.content for m in fake_discord.dms(actor))


async def test_unavoid_lets_the_pair_meet_and_an_unpaired_member_is_told(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Two members, one avoiding the other: nobody is paired and both are told; after /mock unavoid they meet."""
    await setup_pairing(fake_discord)
    alice, bob = fake_discord.default.alice, fake_discord.default.bob
    await join(alice)
    await join(bob)
    await alice.slash("mock avoid", member=bob)
    ran = await fake_discord.default.dana.slash("mock pair-now")
    assert "0 group(s)" in ran.followups[-1].content and "2 unpaired" in ran.followups[-1].content
    assert await latest_groups(drillbot) == [] and pair_threads(fake_discord, fake_discord.default.mock) == []
    for actor, other in ((alice, bob), (bob, alice)):
        [told] = fake_discord.dms(actor)
        assert "could not be paired" in told.content and other.mention not in told.content
    gone = await alice.slash("mock unavoid", member=bob)
    assert gone.ephemeral and "Removed" in gone.content and await rows(drillbot, MockAvoid) == []
    assert "not on your list" in (await alice.slash("mock unavoid", member=bob)).content
    clock.set(at(2026, 6, 8, 9))  # next week: a new round
    await fake_discord.default.dana.slash("mock pair-now")
    [(_group, ids)] = await latest_groups(drillbot)
    assert sorted(ids) == sorted([alice.id, bob.id])


async def test_status_and_history_show_partner_roles_thread_and_next_round(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """/mock status names the partner, who interviews first, the thread and the next round; history lists rounds."""
    await setup_pairing(fake_discord)
    alice, bob = fake_discord.default.alice, fake_discord.default.bob
    before = await alice.slash("mock status")
    assert "not taking part" in before.content and timestamp(at(2026, 6, 3, 18)) in before.content
    await join(alice)
    await join(bob)
    assert "No rounds yet" in (await alice.slash("mock history")).content
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    [(_group, (first, second))] = await latest_groups(drillbot)
    [thread] = pair_threads(fake_discord, fake_discord.default.mock)
    named = {alice.id: alice, bob.id: bob}
    opener, partner = named[first], named[second]
    roles = ((opener, partner, f"you interview {partner.mention} first"),
             (partner, opener, f"{opener.mention} interviews you first"))  # fmt: skip
    for actor, other, role in roles:
        status = await actor.slash("mock status")
        assert status.ephemeral and f"<#{thread.id}>" in status.content and other.mention in status.content
        assert role in status.content, status.content
        assert timestamp(at(2026, 6, 10, 18)) in status.content and "Taking part" in status.content
    await tick(drillbot, clock, at(2026, 6, 9, 18))
    await tick(drillbot, clock, at(2026, 6, 10, 18))
    history = await opener.slash("mock history")
    assert history.ephemeral and "week of 1 Jun 2026" in history.content and "week of 8 Jun 2026" in history.content
    assert partner.mention in history.content and f"<#{thread.id}>" in history.content


async def test_pairing_settings_are_stored_and_shown(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Every /config pairing option is stored, the reply gives the next round, /config show lists it all."""
    world = fake_discord.default
    reply = await configure_pairing(world.dana, world.mock, cadence="biweekly", weekday=2, time="18:30",
                                    timezone="Europe/Helsinki", heads_up_hours=12)  # fmt: skip
    due = at(2026, 6, 3, 18, 30, "Europe/Helsinki")
    assert reply.ephemeral and "Pairing is on" in reply.content and timestamp(due) in reply.content
    row = await config_row(drillbot, world.guild.id)
    assert row is not None
    assert {k: row[k] for k in ("channel_id", "cadence", "weekday", "post_time", "timezone", "heads_up_hours")} == {
        "channel_id": world.mock.id, "cadence": "biweekly", "weekday": 2, "post_time": "18:30",
        "timezone": "Europe/Helsinki", "heads_up_hours": 12,
    }  # fmt: skip
    assert row["enabled"] is True and row["next_round_at"] == due
    shown = (await world.dana.slash("config show")).text()
    for expected in (f"<#{world.mock.id}>", "biweekly, wed 18:30 Europe/Helsinki", "12 h before", timestamp(due)):
        assert expected in shown, expected
    off = await configure_pairing(world.dana, enabled=False)
    assert "Pairing is off" in off.content and "not scheduled" in off.content
    kept = await config_row(drillbot, world.guild.id)
    assert kept is not None and kept["post_time"] == "18:30" and kept["next_round_at"] is None


@pytest.mark.parametrize(("values", "reason"), BAD_CONFIGS, ids=[str(v) for v, _ in BAD_CONFIGS])
async def test_bad_pairing_settings_change_nothing(
    fake_discord: FakeDiscord, drillbot: DrillBot, values: dict[str, object], reason: str
) -> None:
    """An unknown zone or impossible time: a clear ephemeral error and nothing changed."""
    await setup_pairing(fake_discord)
    before = await config_row(drillbot, fake_discord.guild.id)
    reply = await configure_pairing(fake_discord.default.dana, **values)
    assert reply.ephemeral and reason in reply.content and "Nothing was changed" in reply.content, reply.content
    assert await config_row(drillbot, fake_discord.guild.id) == before


async def test_pairing_cannot_be_turned_on_without_a_channel(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """enabled:true before a channel was chosen asks for one; nothing is stored."""
    reply = await configure_pairing(fake_discord.default.dana, enabled=True, time="10:00")
    assert reply.ephemeral and "channel" in reply.content and "Nothing was changed" in reply.content
    assert await config_row(drillbot, fake_discord.guild.id) is None


@pytest.mark.parametrize("permission", PAIRING_PERMISSIONS, ids=lambda p: p.name.lower())
async def test_a_pairing_channel_missing_a_permission_is_refused(
    fake_discord: FakeDiscord, drillbot: DrillBot, permission: P
) -> None:
    """A channel denying the bot one of the five permissions is refused, naming it; nothing changes."""
    world = fake_discord.default
    await setup_pairing(fake_discord)
    before = await config_row(drillbot, world.guild.id)
    denied = Overwrite(id=world.bot_role.id, type=0, deny=int(permission))
    channel = fake_discord.add_text_channel(world.guild, "locked", overwrites=[denied])
    await fake_discord.flush()
    reply = await configure_pairing(world.dana, channel, time="10:00")
    name = permission.name.replace("_", " ").title()
    assert reply.ephemeral and f"<#{channel.id}>" in reply.content and name in reply.content
    assert "Nothing was changed" in reply.content
    assert await config_row(drillbot, world.guild.id) == before


async def test_members_cannot_configure_pairing_or_run_admin_commands(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """/config pairing is hidden from members and refused when forced; so are /mock pair-now and /mock stats."""
    world = fake_discord.default
    with pytest.raises(CommandNotAvailable):
        await configure_pairing(world.alice, world.mock)
    forced = await world.alice.slash("config pairing", options={"channel": world.mock}, bypass_permissions=True)
    assert forced.ephemeral and "admin" in forced.content.lower()
    assert await config_row(drillbot, world.guild.id) is None
    await setup_pairing(fake_discord)
    for command in ("mock pair-now", "mock stats"):
        refused = await world.alice.slash(command)
        assert refused.ephemeral and "admin" in refused.content.lower() and refused.embed is None, command
    assert pair_threads(fake_discord, world.mock) == []


async def test_heads_up_follows_heads_up_hours(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A 60 h heads-up goes out 60 h ahead; 0 sends none; a tick after the round time sends no stale one."""
    world = fake_discord.default
    await setup_pairing(fake_discord, heads_up_hours=60)  # Wednesday 18:00 is 58 h away
    await tick(drillbot, clock, at(2026, 6, 1, 8))
    [early] = fake_discord.messages(world.mock)
    assert f"<t:{int(at(2026, 6, 3, 18).timestamp())}:R>" in early.content
    await configure_pairing(world.dana, heads_up_hours=0)
    for when in (at(2026, 6, 3, 18), at(2026, 6, 9, 18), at(2026, 6, 10, 17)):
        await tick(drillbot, clock, when)
    assert len(fake_discord.messages(world.mock)) == 1
    await configure_pairing(world.dana, heads_up_hours=24)
    await tick(drillbot, clock, at(2026, 6, 10, 18, 5))  # the first tick after the round time: no late heads-up
    assert len(fake_discord.messages(world.mock)) == 1
    assert (await config_row(drillbot, world.guild.id))["next_round_at"] == at(2026, 6, 17, 18)  # type: ignore[index]


async def test_suggested_times_are_shown_in_each_members_zone(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """The intro's suggested times are the overlap of both members' windows, each in their own zone."""
    world = fake_discord.default
    await setup_pairing(fake_discord)
    await join(world.alice, timezone="UTC", availability="weekday evenings")  # 17-22 UTC
    await join(world.bob, timezone="America/New_York", availability="mon-fri 13-18")  # 18-23 UTC (winter)
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    [thread] = pair_threads(fake_discord, world.mock)
    text = intro(fake_discord, thread).content
    assert f"{world.alice.mention} (UTC): Mon 18:00-22:00" in text
    assert f"{world.bob.mention} (America/New_York): Mon 13:00-17:00" in text
