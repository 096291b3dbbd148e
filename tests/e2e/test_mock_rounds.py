"""Pairing rounds through the fake Discord: heads-up, private threads, packs, trio, follow-up, limits, failures."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlmodel import col

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import MockGroup, MockGroupMember
from bot.services.mock.pairing import Candidate, match
from bot.services.mock.rounds import round_seed
from bot.services.questions.bank import QuestionBank
from discord_standin.actors import Actor
from discord_standin.server import FakeDiscord
from discord_standin.world import PRIVATE_THREAD
from tests.e2e.daily_support import at, custom_ids
from tests.e2e.mock_support import (
    bot_posts,
    by_id,
    config_row,
    everyone_joins,
    fill_active_threads,
    followup,
    groups_of,
    intro,
    join,
    latest_groups,
    members,
    mock_cog,
    moderator,
    pair_threads,
    profile,
    rounds_of,
    rows,
    setup_pairing,
    tick,
)

TRACKS = ("data-scientist", "data-analyst", "ml-engineer", "data-engineer", "quant-analyst")


def leave_server(fake: FakeDiscord, actor: Actor) -> None:
    """Take a member out of the guild (Discord then answers 10007 when they are added to a thread)."""
    del fake.default.guild.members[actor.id]


async def test_a_scheduled_round_posts_one_heads_up_then_private_threads(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """The heads-up goes out once, 24 h ahead; at the round one private thread per group holds only its members."""
    world = fake_discord.default
    people = await everyone_joins(fake_discord, 4)
    mod = moderator(fake_discord)
    await tick(drillbot, clock, at(2026, 6, 2, 17, 59))
    assert fake_discord.messages(world.mock) == []
    await tick(drillbot, clock, at(2026, 6, 2, 18))
    await tick(drillbot, clock, at(2026, 6, 3, 9))
    [heads_up] = fake_discord.messages(world.mock)
    assert f"<t:{int(at(2026, 6, 3, 18).timestamp())}:R>" in heads_up.content and "/mock pause" in heads_up.content
    await tick(drillbot, clock, at(2026, 6, 3, 17, 59))
    assert pair_threads(fake_discord, world.mock) == []
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    groups = await latest_groups(drillbot)
    threads = pair_threads(fake_discord, world.mock)
    assert len(groups) == len(threads) == 2 and len(fake_discord.messages(world.mock)) == 1
    outsiders = [world.dana, *people]
    for group, ids in groups:
        thread = fake_discord.world.channel(group.thread_id or 0)
        assert thread in threads and thread.type == PRIVATE_THREAD and thread.invitable is False
        assert sorted(fake_discord.thread_members(thread)) == sorted([fake_discord.world.bot.id, *ids])
        for actor in outsiders:
            assert fake_discord.can_see(actor.id, thread.id) == (actor.id in ids), actor
        assert fake_discord.can_see(mod.id, thread.id)
        first, second = ids
        message = intro(fake_discord, thread)
        assert f"<@{first}> interviews <@{second}> first" in message.content
        assert "Mon 17:00-22:00" in message.content and "Show my question pack" in message.content
        assert message.allowed_mentions is not None and message.allowed_mentions["parse"] == []
        assert sorted(int(u) for u in message.allowed_mentions["users"]) == sorted(ids)
    assert sorted(u for _g, ids in groups for u in ids) == sorted(a.id for a in people)


async def test_a_biweekly_schedule_runs_every_other_week(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Biweekly: a round, then a week with no round and no heads-up, then the next round; the follow-up comes
    near the end of the two weeks."""
    world = fake_discord.default
    await setup_pairing(fake_discord, cadence="biweekly")
    for actor in members(fake_discord, 2):
        await join(actor)
    await tick(drillbot, clock, at(2026, 6, 2, 18))
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    [first] = await rounds_of(drillbot)
    [thread] = pair_threads(fake_discord, world.mock)
    for when in (at(2026, 6, 9, 18), at(2026, 6, 10, 18), at(2026, 6, 10, 19), at(2026, 6, 15, 18)):
        await tick(drillbot, clock, when)  # a weekly schedule would warn, pair and follow up in here
    assert await rounds_of(drillbot) == [first] and pair_threads(fake_discord, world.mock) == [thread]
    assert len(fake_discord.messages(world.mock)) == 1 and bot_posts(fake_discord, thread, "mock:outcome:") == []
    await tick(drillbot, clock, at(2026, 6, 16, 18))
    followup(fake_discord, thread)
    [_first_heads_up, heads_up] = fake_discord.messages(world.mock)
    assert f"<t:{int(at(2026, 6, 17, 18).timestamp())}:R>" in heads_up.content
    await tick(drillbot, clock, at(2026, 6, 17, 18))
    assert [r.period_key for r in await rounds_of(drillbot)] == ["2026-W23+2", "2026-W25+2"]
    [old, new] = pair_threads(fake_discord, world.mock)
    assert old.id == thread.id and old.archived and not new.archived
    assert (await config_row(drillbot, world.guild.id))["next_round_at"] == at(2026, 7, 1, 18)  # type: ignore[index]


async def test_each_member_gets_the_pack_for_the_person_they_interview(
    fake_discord: FakeDiscord, drillbot: DrillBot, bank: QuestionBank
) -> None:
    """Pair: each other; trio: A→B→C→A; four questions in loop order, the technical one of the track."""
    world = fake_discord.default
    await setup_pairing(fake_discord)
    people = members(fake_discord, 5)
    for actor, track in zip(people, TRACKS, strict=True):
        await join(actor, track=track)
    mod = moderator(fake_discord)
    await world.dana.slash("mock pair-now")
    groups = await latest_groups(drillbot)
    assert sorted(len(ids) for _g, ids in groups) == [2, 3]
    named, tracks = by_id(people), {a.id: t for a, t in zip(people, TRACKS, strict=True)}
    for group, ids in groups:
        thread = fake_discord.world.channel(group.thread_id or 0)
        assert "screen → culture → technical → product case" in intro(fake_discord, thread).content
        for position, viewer in enumerate(ids):
            interviewee = ids[(position + 1) % len(ids)]
            reply = await named[viewer].press(intro(fake_discord, thread), "Show my question pack")
            assert reply.ephemeral and f"interviewing <@{interviewee}>" in reply.content
            assert len(reply.embeds) == 4 and sum(len(str(e)) for e in reply.embeds) < 8000
            [target] = await rows(drillbot, MockGroupMember, col(MockGroupMember.group_id) == group.id,
                                  col(MockGroupMember.user_id) == interviewee)  # fmt: skip
            questions = [bank.get(q) for q in target.pack]
            assert [q.round.value if q and q.round else None for q in questions] == [
                "screen", "culture", "technical", "product-case"]  # fmt: skip
            technical = questions[2]
            assert technical is not None and tracks[interviewee] in technical.tracks
            titles = [e["title"] for e in reply.embeds]
            assert [t.split(" · ")[:2] for t in titles] == [["Q1", "screen"], ["Q2", "culture"], ["Q3", "technical"],
                                                              ["Q4", "product-case"]]  # fmt: skip
            for embed, question in zip(reply.embeds, questions, strict=True):
                assert question is not None and question.prompt.startswith(embed["description"].rstrip("…"))
                assert "A strong answer…" in [f["name"] for f in embed["fields"]]
            assert reply.labels() == ["Model answer Q1", "Model answer Q2", "Model answer Q3", "Model answer Q4"]
            answer = await named[viewer].press(reply, "Model answer Q3")
            assert answer.embed is not None and answer.embed["title"] == f"Model answer · {technical.id}"
            again = await named[viewer].press(intro(fake_discord, thread), "Show my question pack")
            assert [e["title"] for e in again.embeds] == titles
        packs = {m.user_id: m.pack for m in await rows(drillbot, MockGroupMember,
                                                       col(MockGroupMember.group_id) == group.id)}  # fmt: skip
        assert len({tuple(p) for p in packs.values()}) == len(ids)  # nobody's pack is another's
        refused = await mod.press(intro(fake_discord, thread), "Show my question pack")
        assert refused.ephemeral and refused.embeds == [] and "only for the members" in refused.content


async def test_a_later_round_prefers_questions_the_interviewee_has_not_met(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Round after round, each interviewee's pack holds questions they have not met before."""
    people = await everyone_joins(fake_discord, 2, track="data-engineer")
    seen: dict[int, set[str]] = {a.id: set() for a in people}
    for week in range(3):
        await tick(drillbot, clock, at(2026, 6, 3 + 7 * week, 18))
        [(group, ids)] = await latest_groups(drillbot)
        thread = fake_discord.world.channel(group.thread_id or 0)
        for viewer in ids:
            await by_id(people)[viewer].press(intro(fake_discord, thread), "Show my question pack")
        for member in await rows(drillbot, MockGroupMember, col(MockGroupMember.group_id) == group.id):
            assert len(member.pack) == 4 and not seen[member.user_id] & set(member.pack), week
            seen[member.user_id] |= set(member.pack)


async def test_an_odd_count_makes_exactly_one_trio(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Seven members: two pairs and one trio, everyone placed once, one thread each."""
    people = await everyone_joins(fake_discord, 7)
    ran = await fake_discord.default.dana.slash("mock pair-now")
    assert "Paired 3 group(s)" in ran.followups[-1].content and "0 unpaired" in ran.followups[-1].content
    groups = await latest_groups(drillbot)
    assert sorted(len(ids) for _g, ids in groups) == [2, 2, 3]
    assert sorted(u for _g, ids in groups for u in ids) == sorted(a.id for a in people)
    trio = next(fake_discord.world.channel(g.thread_id or 0) for g, ids in groups if len(ids) == 3)
    a, b, c = next(ids for _g, ids in groups if len(ids) == 3)
    assert (
        f"<@{a}> interviews <@{b}>, <@{b}> interviews <@{c}>, and <@{c}> interviews <@{a}>"
        in intro(fake_discord, trio).content
    )
    assert len(pair_threads(fake_discord, fake_discord.default.mock)) == 3


async def test_the_followup_stores_outcomes_for_members_only_and_feeds_stats(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Near the round's end each thread gets We met / Didn't happen / Reschedule; outsiders are refused."""
    world = fake_discord.default
    people = await everyone_joins(fake_discord, 4)
    mod = moderator(fake_discord)
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    await tick(drillbot, clock, at(2026, 6, 9, 17, 59))
    (one, one_ids), (two, two_ids) = await latest_groups(drillbot)
    threads = [fake_discord.world.channel(g.thread_id or 0) for g in (one, two)]
    assert all(not any(i.startswith("mock:outcome:") for m in fake_discord.messages(t) for i in custom_ids(m))
               for t in threads)  # fmt: skip
    await tick(drillbot, clock, at(2026, 6, 9, 18))
    await tick(drillbot, clock, at(2026, 6, 9, 19))
    asks = [followup(fake_discord, t) for t in threads]
    for ask, group in zip(asks, (one, two), strict=True):
        outcome_ids = [i for i in custom_ids(ask) if i.startswith("mock:outcome:")]
        assert outcome_ids == [f"mock:outcome:{group.id}:{o}" for o in ("met", "not-met", "reschedule")]
    refused = await mod.press(asks[0], "We met")
    assert refused.ephemeral and "Only the members" in refused.content
    assert [g.outcome for g, _ids in await latest_groups(drillbot)] == [None, None]
    named = by_id(people)
    noted = await named[one_ids[1]].press(asks[0], "We met")
    assert noted.ephemeral and "We met" in noted.content
    await named[two_ids[0]].press(asks[1], "Didn't happen")
    (one, _ids), (two, _ids) = await latest_groups(drillbot)
    assert (one.outcome, one.outcome_by, two.outcome, two.outcome_by) == ("met", one_ids[1], "not-met", two_ids[0])
    stats = await world.dana.slash("mock stats")
    text = stats.text()
    assert stats.ephemeral and "week of 1 Jun 2026" in text and "2 groups, 4 members, 0 repeat pair(s)" in text
    assert "met 1 (50%)" in text and "didn't happen 1" in text and "no answer 0" in text


async def test_a_round_run_twice_pairs_nobody_twice(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A double-clicked pair-now, a second pair-now and the scheduled tick the same week make one round."""
    world = fake_discord.default
    people = await everyone_joins(fake_discord, 4)
    clock.set(at(2026, 6, 3, 9))
    first, second = await asyncio.gather(world.dana.slash("mock pair-now"), world.dana.slash("mock pair-now"))
    texts = sorted(r.followups[-1].content for r in (first, second))
    assert texts[0].startswith("Paired 2 group(s)") and texts[1].startswith("This week's round already ran")
    assert "already ran" in (await world.dana.slash("mock pair-now")).followups[-1].content
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    [round_row] = await rounds_of(drillbot)
    groups = await latest_groups(drillbot)
    threads = pair_threads(fake_discord, world.mock)
    assert round_row.period_key == "2026-W23" and len(groups) == len(threads) == 2
    for actor in people:
        assert sum(actor.id in fake_discord.thread_members(t) for t in threads) == 1
        assert sum(1 for t in threads for m in fake_discord.messages(t) if actor.mention in m.content) == 1
    assert (await mock_cog(drillbot).runner.run_round(world.guild.id)).created is False  # type: ignore[union-attr]
    assert len(pair_threads(fake_discord, world.mock)) == 2


async def test_a_new_round_archives_the_previous_threads_first(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Next week's round archives last week's pair thread before opening new ones; stats count the repeat."""
    world = fake_discord.default
    await everyone_joins(fake_discord, 2)
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    [old] = pair_threads(fake_discord, world.mock)
    await tick(drillbot, clock, at(2026, 6, 10, 18))
    [still_old, new] = pair_threads(fake_discord, world.mock)
    assert still_old.id == old.id and old.archived and not new.archived
    archive = fake_discord.records.requests_to(f"PATCH /channels/{old.id}")
    creations = fake_discord.records.requests_to(f"POST /channels/{world.mock.id}/threads")
    assert archive[0].json == {"archived": True} or archive[0].json.get("archived") is True
    assert fake_discord.records.requests.index(archive[0]) < fake_discord.records.requests.index(creations[-1])
    text = (await world.dana.slash("mock stats")).text()
    assert "week of 8 Jun 2026" in text and "1 groups, 2 members, 1 repeat pair(s)" in text


async def test_a_member_who_left_is_taken_out_and_their_partner_repaired(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Adding a departed member answers 10007: they are deactivated, their partner joins another pair's thread."""
    world = fake_discord.default
    people = await everyone_joins(fake_discord, 4)
    clock.set(at(2026, 6, 3, 18))
    candidates = [Candidate(a.id, "data-scientist", "mid", frozenset()) for a in sorted(people, key=lambda a: a.id)]
    predicted = match(candidates, avoid=set(), recent=set(), seed=round_seed(world.guild.id, "2026-W23")).groups
    departed = by_id(people)[predicted[-1].members[0]]  # in the last group: the other pair's thread already exists
    leave_server(fake_discord, departed)
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    row = await profile(drillbot, departed)
    assert row is not None and not row.active and row.inactive_reason == "left-server"
    [(group, ids)] = await latest_groups(drillbot)
    stayed = sorted(a.id for a in people if a is not departed)
    assert sorted(ids) == stayed and group.state == "threaded"
    [dissolved] = await rows(drillbot, MockGroup, col(MockGroup.state) == "dissolved")
    assert (dissolved.id or 0) > (group.id or 0)  # the partner joined a pair whose thread already existed
    [thread] = pair_threads(fake_discord, world.mock)
    assert thread.id == group.thread_id
    assert sorted(fake_discord.thread_members(thread)) == sorted([fake_discord.world.bot.id, *stayed])
    assert all(fake_discord.can_see(u, thread.id) for u in stayed) and not fake_discord.can_see(departed.id, thread.id)
    assert intro(fake_discord, thread).content.count("<@") >= 6  # the latest intro names all three
    reply = await by_id(people)[ids[2]].press(intro(fake_discord, thread), "Show my question pack")
    assert f"interviewing <@{ids[0]}>" in reply.content


async def test_a_lone_partner_of_a_departed_member_is_told(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """With nobody to re-pair with, the partner of a departed member is told and no empty thread is left."""
    alice, bob = await everyone_joins(fake_discord, 2)
    leave_server(fake_discord, bob)
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    assert pair_threads(fake_discord, fake_discord.default.mock) == [] and await latest_groups(drillbot) == []
    assert "could not be paired" in fake_discord.dms(alice)[-1].content
    assert (await rounds_of(drillbot))[-1].unpaired == [alice.id]
    assert not (await profile(drillbot, bob)).active  # type: ignore[union-attr]


async def test_three_unanswered_followups_in_a_row_pause_a_member(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A partner's "We met" counts for both; three unanswered in a row pause the members, who are told."""
    alice, bob = await everyone_joins(fake_discord, 2)
    for week in range(5):
        await tick(drillbot, clock, at(2026, 6, 3, 18) + dt.timedelta(weeks=week))
        if week < 4:
            assert len(await latest_groups(drillbot)) == 1, week
            assert fake_discord.dms(alice) == [] and fake_discord.dms(bob) == []
        await tick(drillbot, clock, at(2026, 6, 9, 18) + dt.timedelta(weeks=week))
        if week == 0:
            [(group, _ids)] = await latest_groups(drillbot)
            await alice.press(followup(fake_discord, group.thread_id or 0), "We met")
    assert await latest_groups(drillbot) == []
    for actor in (alice, bob):
        row = await profile(drillbot, actor)
        assert row is not None and not row.active and row.inactive_reason == "no-response"
        [told] = fake_discord.dms(actor)
        assert "/mock join" in told.content
    await join(alice)
    row = await profile(drillbot, alice)
    assert row is not None and row.active and row.missed_followups == 0


async def test_a_partners_didnt_happen_does_not_count_for_the_silent_member(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Alice answers "Didn't happen" three rounds running, Bob never answers: Bob is paused, Alice stays in."""
    alice, bob = await everyone_joins(fake_discord, 2)
    for week in range(3):
        await tick(drillbot, clock, at(2026, 6, 3, 18) + dt.timedelta(weeks=week))
        await tick(drillbot, clock, at(2026, 6, 9, 18) + dt.timedelta(weeks=week))
        [(group, _ids)] = await latest_groups(drillbot)
        ask = followup(fake_discord, group.thread_id or 0)
        await alice.press(ask, "Didn't happen")
        if week == 0:  # a member may correct their answer: the latest press is the group's outcome
            await alice.press(ask, "Reschedule")
    outcomes = [g.outcome for r in await rounds_of(drillbot) for g, _ids in await groups_of(drillbot, r)]
    assert outcomes == ["reschedule", "not-met", "not-met"]
    await tick(drillbot, clock, at(2026, 6, 24, 18))
    assert await latest_groups(drillbot) == []
    kept, paused = await profile(drillbot, alice), await profile(drillbot, bob)
    assert kept is not None and kept.active and kept.missed_followups == 0
    assert paused is not None and not paused.active and paused.inactive_reason == "no-response"
    [told] = fake_discord.dms(bob)
    assert "/mock join" in told.content
    [unpaired] = fake_discord.dms(alice)
    assert "could not be paired" in unpaired.content


async def test_past_the_thread_limit_groups_are_introduced_by_dm(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """With room for one more active thread, the other groups get their intro (and pack button) by DM."""
    world = fake_discord.default
    fill_active_threads(fake_discord, 999)
    people = await everyone_joins(fake_discord, 6)
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    groups = await latest_groups(drillbot)
    assert sorted(g.state for g, _ids in groups) == ["dm", "dm", "threaded"]
    assert len(pair_threads(fake_discord, world.mock)) == 1
    named = by_id(people)
    for group, ids in groups:
        for position, user_id in enumerate(ids):
            dm_intros = [m for m in fake_discord.dms(user_id) if any(i.startswith("mock:pack:") for i in custom_ids(m))]
            if group.state == "threaded":
                assert dm_intros == []
                continue
            assert len(dm_intros) == 1 and f"<@{ids[0]}> interviews <@{ids[1]}> first" in dm_intros[0].content
            assert "comes by DM" in dm_intros[0].content
            reply = await named[user_id].press(dm_intros[0], "Show my question pack")
            assert f"interviewing <@{ids[(position + 1) % 2]}>" in reply.content and reply.embeds
    text = (await world.dana.slash("mock stats")).text()
    assert "2 group(s) introduced by DM (thread limit reached)" in text
    await tick(drillbot, clock, at(2026, 6, 9, 18))
    for group, ids in groups:
        if group.state == "dm":
            asks = [[m for m in fake_discord.dms(u) if any(i.startswith("mock:outcome:") for i in custom_ids(m))]
                    for u in ids]  # fmt: skip
            assert [len(a) for a in asks] == [1, 1]
            noted = await named[ids[1]].press(asks[1][0], "We met")
            assert noted.ephemeral and "We met" in noted.content
    assert sorted(g.outcome or "" for g, _ids in await latest_groups(drillbot)) == ["", "met", "met"]
