"""Peer feedback through the fake Discord: the two-step form, trio, edits, refusals, notices, reports, mine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import col

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import FeedbackDraft, MockFeedback, MockGroup, MockGroupMember
from bot.services.feedback import DIMENSIONS
from bot.services.questions.bank import QuestionBank
from discord_standin.access import P
from discord_standin.actors import Actor
from discord_standin.replies import Reply
from discord_standin.server import FakeDiscord
from discord_standin.world import Message, Overwrite
from tests.e2e.daily_support import at, configure, custom_ids, tick_at
from tests.e2e.mock_support import intro, join, latest_groups, members, moderator, rows, setup_pairing, tick
from tests.eventually import eventually

GOOD = {"communication": 4, "structure": 3, "technical_depth": 2, "problem_solving": 5, "culture": 4}
TEXTS = {"Strengths": "Crisp STAR structure on the churn story", "To improve": "Quantify the impact of the model"}


async def paired(fake: FakeDiscord, bot: DrillBot, count: int) -> tuple[list[Actor], MockGroup, list[int]]:
    """Have ``count`` members join and pair them now (one group); return them, the group and its member ids."""
    await setup_pairing(fake)
    people = members(fake, count)
    for actor in people:
        await join(actor)
    await fake.default.dana.slash("mock pair-now")
    [(group, ids)] = await latest_groups(bot)
    return people, group, ids


def intro_of(fake: FakeDiscord, group: MockGroup) -> Message:
    return intro(fake, fake.world.channel(group.thread_id or 0))


async def fill(actor: Actor, form: Reply, group_id: int, recipient_id: int, scores: dict[str, int]) -> None:
    """Pick scores in the form's selects (each pick is stored as a draft)."""
    for dimension, score in scores.items():
        update = await actor.choose(form, f"feedback:score:{group_id}:{recipient_id}:{dimension}", [str(score)])
        assert update.kind == "update", update.content


async def give(
    actor: Actor, source: Message | Reply, group_id: int, recipient_id: int, *, scores: dict[str, int] = GOOD,
    signal: str = "yes", texts: dict[str, str] = TEXTS, press: str = "Give feedback",
) -> Reply:  # fmt: skip
    """Press Give feedback (and the recipient's button in a trio), fill both steps, submit."""
    form = await actor.press(source, press)
    if any(i.startswith("feedback:to:") for i in _ids(form)):
        form = await actor.press(form, f"feedback:to:{group_id}:{recipient_id}")
    assert form.ephemeral and f"<@{recipient_id}>" in form.text(), form.text()
    await fill(actor, form, group_id, recipient_id, scores)
    modal = await actor.press(form, "Continue")
    assert modal.kind == "modal", modal.content
    return await actor.submit_modal(modal, {"Overall signal": [signal], **texts})


async def forged(actor: Actor, custom_id: str, values: list[str] | None = None) -> Reply:
    """Send a component interaction for any id, from a bot message in #general carrying that component."""
    fake = actor.fake
    if values is None:
        component: dict[str, Any] = {"type": 2, "style": 2, "label": "x", "custom_id": custom_id}
    else:
        component = {"type": 3, "custom_id": custom_id, "options": [{"label": v, "value": v} for v in values]}
    message = fake.seed_message(fake.default.general, fake.world.bot, "", components=[{"type": 1, "components": [
        component]}])  # fmt: skip
    return await actor.interact_component(custom_id, message=message, component_type=component["type"],
                                          values=values)  # fmt: skip


def _ids(reply: Reply) -> list[str]:
    return [i for m in [reply.message] if m is not None for i in custom_ids(m)]


def notices(fake: FakeDiscord, channel_id: int) -> list[Message]:
    return [m for m in fake.messages(channel_id) if any(i.startswith("feedback:read:") for i in custom_ids(m))]


async def told(fake: FakeDiscord, channel_id: int, count: int) -> list[Message]:
    """Wait for ``count`` notices in a channel (they go out just after the giver's confirmation); return them."""

    async def arrived() -> bool:
        return len(notices(fake, channel_id)) >= count

    await eventually(arrived)
    return notices(fake, channel_id)


async def feedback_rows(bot: DrillBot) -> list[MockFeedback]:
    return sorted(await rows(bot, MockFeedback), key=lambda r: r.id)


async def test_both_members_of_a_pair_give_feedback_and_each_recipient_is_told_without_content(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """Two directions are stored; each notice mentions only its recipient and says nothing of the content."""
    people, group, ids = await paired(fake_discord, drillbot, 2)
    named = {a.id: a for a in people}
    first, second = ids
    done = await give(named[first], intro_of(fake_discord, group), group.id or 0, second)
    assert done.ephemeral and "saved" in done.content
    await give(named[second], intro_of(fake_discord, group), group.id or 0, first, signal="strong-yes")
    stored = await feedback_rows(drillbot)
    assert [(r.giver_id, r.recipient_id, r.signal) for r in stored] == [(first, second, "yes"),
                                                                       (second, first, "strong-yes")]  # fmt: skip
    assert all([getattr(r, d) for d in DIMENSIONS] == list(GOOD.values()) for r in stored)
    assert stored[0].strengths == TEXTS["Strengths"] and await rows(drillbot, FeedbackDraft) == []
    by_recipient = {
        n.content.split("<@")[1].split(">")[0]: n for n in await told(fake_discord, group.thread_id or 0, 2)
    }
    assert sorted(by_recipient) == sorted([str(first), str(second)])
    for recipient in (first, second):
        notice = by_recipient[str(recipient)]
        assert notice.content.count("<@") == 1 and f"<@{recipient}>" in notice.content
        assert notice.allowed_mentions is not None and notice.allowed_mentions["parse"] == []
        assert [int(u) for u in notice.allowed_mentions["users"]] == [recipient]
        assert TEXTS["Strengths"] not in notice.content and not notice.embeds
    to_second = by_recipient[str(second)]
    read = await named[second].press(to_second, "Read it (only you)")
    assert read.ephemeral and TEXTS["Strengths"] in read.text() and "Report" in read.labels()
    refused = await named[first].press(to_second, "Read it (only you)")
    assert refused.ephemeral and refused.embeds == [] and TEXTS["Strengths"] not in refused.text()


async def test_in_a_trio_each_member_gives_feedback_to_each_other_member(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """A trio's Give feedback asks whom it is for; six directions end up stored."""
    people, group, ids = await paired(fake_discord, drillbot, 3)
    assert len(ids) == 3
    named = {a.id: a for a in people}
    for giver in ids:
        for recipient in ids:
            if giver != recipient:
                done = await give(named[giver], intro_of(fake_discord, group), group.id or 0, recipient)
                assert "saved" in done.content
    stored = await feedback_rows(drillbot)
    assert sorted((r.giver_id, r.recipient_id) for r in stored) == sorted(
        (g, r) for g in ids for r in ids if g != r)  # fmt: skip
    assert len(await told(fake_discord, group.thread_id or 0, 6)) == 6


async def test_feedback_is_editable_for_seven_days_then_refused(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Within 7 days the form comes back pre-filled and an edit updates (no new notice); then it is refused."""
    people, group, (first, second) = await paired(fake_discord, drillbot, 2)
    giver = next(a for a in people if a.id == first)
    await give(giver, intro_of(fake_discord, group), group.id or 0, second)
    clock.advance(dt.timedelta(days=6))
    form = await giver.press(intro_of(fake_discord, group), "Give feedback")
    chosen = form.component(f"feedback:score:{group.id}:{second}:technical_depth")
    assert [o["value"] for o in chosen["options"] if o.get("default")] == ["2"]
    await fill(giver, form, group.id or 0, second, {"technical_depth": 4})
    modal = await giver.press(form, "Continue")
    prefilled = {label: comp for label, comp in modal.modal.inputs()} if modal.modal else {}
    assert prefilled["Strengths"].get("value") == TEXTS["Strengths"]
    done = await giver.submit_modal(modal, {"Overall signal": ["strong-yes"], "To improve": "Slow down"})
    assert "updated" in done.content
    [row] = await feedback_rows(drillbot)
    assert (row.technical_depth, row.signal, row.improve, row.strengths) == (4, "strong-yes", "Slow down",
                                                                             TEXTS["Strengths"])  # fmt: skip
    clock.advance(dt.timedelta(days=1, minutes=1))
    late = await giver.press(intro_of(fake_discord, group), "Give feedback")
    assert late.ephemeral and "7 days" in late.content and late.embeds == []
    late_pick = await forged(giver, f"feedback:score:{group.id}:{second}:structure", ["1"])
    assert "7 days" in late_pick.content
    assert len(await told(fake_discord, group.thread_id or 0, 1)) == 1  # the edit told nobody again
    assert (await feedback_rows(drillbot))[0].structure == GOOD["structure"]
    assert await rows(drillbot, FeedbackDraft) == []


async def test_outsiders_get_nothing_by_any_button_or_id(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Someone who sees the thread but is not paired, or a member forging ids, is refused and nothing changes."""
    people, group, (first, second) = await paired(fake_discord, drillbot, 2)
    named = {a.id: a for a in people}
    await give(named[first], intro_of(fake_discord, group), group.id or 0, second)
    [row] = await feedback_rows(drillbot)
    mod, carol = moderator(fake_discord), members(fake_discord, 3)[2]
    refused = await mod.press(intro_of(fake_discord, group), "Give feedback")
    assert refused.ephemeral and "Only the members" in refused.content
    gid = group.id or 0
    attempts: list[tuple[Actor, str, list[str] | None]] = [
        (mod, f"feedback:to:{gid}:{second}", None),
        (mod, f"feedback:score:{gid}:{second}:communication", ["1"]),
        (mod, f"feedback:next:{gid}:{second}", None),
        (named[first], f"feedback:to:{gid}:{mod.id}", None),  # a member giving to an outsider
        (named[first], f"feedback:to:{gid}:{first}", None),  # or to themselves
        (carol, "feedback:pick", [f"{gid}:{second}"]),
        (named[first], f"feedback:read:{row.id}", None),  # the giver cannot read it back
        (carol, f"feedback:read:{row.id}", None),
        (carol, "feedback:open", [str(row.id)]),
        (carol, f"feedback:report:{row.id}", None),
        (carol, f"feedback:remove:{row.id}", None),
    ]
    for actor, custom_id, values in attempts:
        reply = await forged(actor, custom_id, values)
        assert reply.kind == "message" and reply.ephemeral, custom_id
        assert reply.embeds == [] and TEXTS["Strengths"] not in reply.text(), custom_id
    assert await rows(drillbot, FeedbackDraft) == []
    [after] = await feedback_rows(drillbot)
    assert after.reported_at is None and after.communication == GOOD["communication"]
    mine = await carol.slash("feedback mine")
    assert mine.ephemeral and mine.files == [] and mine.embeds == []


async def test_incomplete_or_bad_input_is_refused_and_the_draft_is_kept(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """Continue with scores missing, an out-of-range score or blank text: refused, nothing stored but the draft."""
    people, group, (first, second) = await paired(fake_discord, drillbot, 2)
    giver, gid = next(a for a in people if a.id == first), group.id or 0
    form = await giver.press(intro_of(fake_discord, group), "Give feedback")
    await fill(giver, form, gid, second, {"communication": 4, "structure": 2})
    early = await giver.press(form, "Continue")
    assert early.kind == "message" and "Technical depth" in early.content and "Culture/values" in early.content
    out_of_range = await forged(giver, f"feedback:score:{gid}:{second}:culture", ["9"])
    assert "1 to 5" in out_of_range.content
    [draft] = await rows(drillbot, FeedbackDraft)
    assert draft.scores == {"communication": 4, "structure": 2}
    await fill(giver, form, gid, second, {"technical_depth": 3, "problem_solving": 3, "culture": 5})
    modal = await giver.press(form, "Continue")
    blank = await giver.submit_modal(modal, {"Overall signal": ["no"], "Strengths": "   ", "To improve": "More SQL"})
    assert blank.ephemeral and "not saved" in blank.content and "strengths" in blank.content
    assert await feedback_rows(drillbot) == []
    [draft] = await rows(drillbot, FeedbackDraft)
    assert draft.scores == {"communication": 4, "structure": 2, "technical_depth": 3, "problem_solving": 3,
                            "culture": 5}  # fmt: skip
    again = await giver.press(intro_of(fake_discord, group), "Give feedback")
    chosen = again.component(f"feedback:score:{gid}:{second}:culture")
    assert [o["value"] for o in chosen["options"] if o.get("default")] == ["5"]
    assert notices(fake_discord, group.thread_id or 0) == []


async def test_feedback_give_lists_recent_pairings(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """/feedback give offers the member's pairing and partner; picking opens the same form."""
    people, group, (first, second) = await paired(fake_discord, drillbot, 2)
    giver = next(a for a in people if a.id == first)
    listed = await giver.slash("feedback give")
    picker = listed.component("feedback:pick")
    assert [o["value"] for o in picker["options"]] == [f"{group.id}:{second}"]
    form = await giver.choose(listed, "feedback:pick", [f"{group.id}:{second}"])
    assert form.ephemeral and f"<@{second}>" in form.text()
    assert form.component(f"feedback:next:{group.id}:{second}")["label"] == "Continue"
    nobody = await fake_discord.default.dana.slash("feedback give")
    assert nobody.ephemeral and "no recent mock pairing" in nobody.content


async def test_report_lets_admins_read_and_remove_only_reported_feedback(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """Admins see nothing until the recipient reports; then they read it and remove it; members cannot."""
    world = fake_discord.default
    people, group, (first, second) = await paired(fake_discord, drillbot, 2)
    named = {a.id: a for a in people}
    await give(named[first], intro_of(fake_discord, group), group.id or 0, second)
    await give(named[second], intro_of(fake_discord, group), group.id or 0, first)
    to_second, to_first = await feedback_rows(drillbot)
    before = await world.dana.slash("feedback reported")
    assert before.embeds == [] and "No reported" in before.content
    mine = await named[second].slash("feedback mine")
    opened = await named[second].choose(mine, "feedback:open", [str(to_second.id)])
    assert opened.ephemeral and TEXTS["Strengths"] in opened.text()
    modal = await named[second].press(opened, "Report")
    done = await named[second].submit_modal(modal, {"Note for the admins": "Personal attack"})
    assert done.ephemeral and "Reported" in done.content
    member = await named[first].slash("feedback reported", bypass_permissions=True)
    assert member.embeds == [] and "admins" in member.content
    listed = await world.dana.slash("feedback reported")
    assert len(listed.embeds) == 1 and TEXTS["Strengths"] in listed.text() and "Personal attack" in listed.text()
    assert listed.message is not None and listed.message.allowed_mentions == {"parse": []}
    stranger = await forged(named[first], f"feedback:remove:{to_second.id}")
    assert "admins" in stranger.content and len(await feedback_rows(drillbot)) == 2
    unreported = await forged(world.dana, f"feedback:remove:{to_first.id}")
    assert "not reported" in unreported.content
    removed = await world.dana.press(listed, f"Remove #{to_second.id}")
    assert "removed" in removed.content
    assert [r.id for r in await feedback_rows(drillbot)] == [to_first.id]
    stats = await world.dana.slash("feedback stats")
    assert "1 of 2" in stats.text() and TEXTS["Strengths"] not in stats.text()


async def test_feedback_mine_shows_averages_signals_comments_and_a_trend_chart(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """/feedback mine is ephemeral, with averages, the signal distribution, comments and a PNG chart."""
    people, group, ids = await paired(fake_discord, drillbot, 3)
    named = {a.id: a for a in people}
    recipient, givers = ids[0], ids[1:]
    await give(named[givers[0]], intro_of(fake_discord, group), group.id or 0, recipient, signal="no",
               scores={**GOOD, "communication": 2})  # fmt: skip
    texts = {"Strengths": "@everyone loves it", "To improve": "Pace"}
    await give(named[givers[1]], intro_of(fake_discord, group), group.id or 0, recipient, signal="yes",
               scores={**GOOD, "communication": 5}, texts=texts)  # fmt: skip
    mine = await named[recipient].slash("feedback mine")
    assert mine.ephemeral and mine.message is not None and mine.message.allowed_mentions == {"parse": []}
    text = mine.text()
    assert "Communication: **3.5**" in text and "No **1**" in text and "Yes **1**" in text
    assert "@everyone loves it" in text and TEXTS["Strengths"] in text
    [(name, data)] = mine.files
    assert name == "feedback-trend.png" and data.startswith(b"\x89PNG")
    assert mine.embeds[0]["image"]["url"] == "attachment://feedback-trend.png"
    other = await named[givers[0]].slash("feedback mine")
    assert other.files == [] and "not received" in other.content


async def test_the_pack_prefers_the_interviewees_weak_areas(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock, bank: QuestionBank
) -> None:
    """After feedback weak on structure and depth, each stage of the next pack takes what practises them first."""
    await setup_pairing(fake_discord)
    people = members(fake_discord, 2)
    for actor in people:
        await join(actor)
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    [(group, (first, second))] = await latest_groups(drillbot)
    named = {a.id: a for a in people}
    weak = {"communication": 5, "structure": 1, "technical_depth": 3, "problem_solving": 5, "culture": 5}
    await give(named[first], intro_of(fake_discord, group), group.id or 0, second, scores=weak)
    await tick(drillbot, clock, at(2026, 6, 10, 18))
    [(group2, ids2)] = await latest_groups(drillbot)
    assert group2.id != group.id
    interviewer = next(u for u in ids2 if u != second)
    reply = await named[interviewer].press(intro_of(fake_discord, group2), "Show my question pack")
    assert f"interviewing <@{second}>" in reply.content
    [target] = await rows(drillbot, MockGroupMember, col(MockGroupMember.group_id) == group2.id,
                          col(MockGroupMember.user_id) == second)  # fmt: skip
    questions = [q for q in (bank.get(i) for i in target.pack) if q is not None]
    assert [q.round.value if q.round else "" for q in questions] == ["screen", "culture", "technical", "product-case"]
    # structure and technical depth are weakest, practised by behavioral, case, sql, statistics and ML: each stage
    # takes those first (behavioral over culture, case over product-sense; no coding or experimentation)
    practising = {"behavioral", "case", "sql", "statistics-probability", "machine-learning"}
    assert questions[1].category == "behavioral" and questions[3].category == "case"
    assert questions[2].category in practising
    [earlier] = await rows(drillbot, MockGroupMember, col(MockGroupMember.group_id) == group.id,
                           col(MockGroupMember.user_id) == second)  # fmt: skip
    assert not set(target.pack) & set(earlier.pack)


async def test_drill_today_suggests_a_past_prompt_from_a_weak_area(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """With feedback weak on communication, /drill today suggests the behavioral prompt posted earlier."""
    world = fake_discord.default
    reply = await configure(world.dana, world.prompts, time="09:00", timezone="UTC", days="mon-fri",
                            rotation="mon=behavioral,tue=sql")  # fmt: skip
    assert "Nothing was changed" not in reply.content, reply.content
    assert await tick_at(drillbot, clock, at(2026, 6, 1, 9)) == 1
    assert await tick_at(drillbot, clock, at(2026, 6, 2, 9)) == 1
    people, group, (first, second) = await paired(fake_discord, drillbot, 2)
    named = {a.id: a for a in people}
    await give(named[first], intro_of(fake_discord, group), group.id or 0, second,
               scores={**GOOD, "communication": 1, "structure": 1})  # fmt: skip
    today = await named[second].slash("drill today")
    [field] = [f for f in today.embeds[0]["fields"] if f["name"] == "Practise a weak area"]
    assert "behavioral" in field["value"] and "01 Jun 2026" in field["value"]
    plain = await named[first].slash("drill today")
    assert all(f["name"] != "Practise a weak area" for f in plain.embeds[0]["fields"])


async def test_a_group_introduced_by_dm_gives_feedback_there_and_the_notice_comes_by_dm(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Past the thread limit the DM intro carries Give feedback; the recipient's notice and reading happen in DMs."""
    world = fake_discord.default
    hidden = fake_discord.add_text_channel(world.guild, "elsewhere",
                                           overwrites=[Overwrite(id=world.bot_role.id, type=0,
                                                                 deny=int(P.VIEW_CHANNEL))])  # fmt: skip
    for index in range(999):
        fake_discord.add_thread(hidden, f"busy {index}", owner=world.owner)
    await setup_pairing(fake_discord)
    people = members(fake_discord, 4)
    for actor in people:
        await join(actor)
    await tick(drillbot, clock, at(2026, 6, 3, 18))
    [(group, (first, second))] = [(g, ids) for g, ids in await latest_groups(drillbot) if g.state == "dm"]
    named = {a.id: a for a in people}
    dm_intro = intro(fake_discord, named[first].dm_channel.id)
    assert f"feedback:give:{group.id}" in custom_ids(dm_intro)
    done = await give(named[first], dm_intro, group.id or 0, second)
    assert "saved" in done.content
    [notice] = await told(fake_discord, named[second].dm_channel.id, 1)
    assert TEXTS["Strengths"] not in notice.content and notice.embeds == []
    assert notices(fake_discord, named[first].dm_channel.id) == []
    read = await named[second].press(notice, "Read it (only you)")
    assert read.ephemeral and TEXTS["Strengths"] in read.text()


async def test_when_the_pair_thread_is_gone_the_notice_comes_by_dm(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """Feedback given through /feedback give after the thread was deleted still reaches its recipient, by DM."""
    people, group, (first, second) = await paired(fake_discord, drillbot, 2)
    named = {a.id: a for a in people}
    fake_discord.world.channel(group.thread_id or 0).deleted = True
    listed = await named[first].slash("feedback give")
    form = await named[first].choose(listed, "feedback:pick", [f"{group.id}:{second}"])
    await fill(named[first], form, group.id or 0, second, GOOD)
    modal = await named[first].press(form, "Continue")
    done = await named[first].submit_modal(modal, {"Overall signal": ["yes"], **TEXTS})
    assert "saved" in done.content
    [notice] = await told(fake_discord, named[second].dm_channel.id, 1)
    assert TEXTS["Strengths"] not in notice.content


async def test_the_longest_feedback_and_reports_stay_within_discords_limits(
    fake_discord: FakeDiscord, drillbot: DrillBot
) -> None:
    """Texts at their limit, read by the recipient and by admins after two reports, fit Discord's message limits."""
    people, group, ids = await paired(fake_discord, drillbot, 3)
    named = {a.id: a for a in people}
    recipient, givers = ids[0], ids[1:]
    long_texts = {"Strengths": "s" * 1000, "To improve": "i" * 1000}
    for giver in givers:
        await give(named[giver], intro_of(fake_discord, group), group.id or 0, recipient, texts=long_texts)
    mine = await named[recipient].slash("feedback mine")
    assert len(mine.embeds) == 1 and mine.files
    for row in await feedback_rows(drillbot):
        opened = await named[recipient].choose(mine, "feedback:open", [str(row.id)])
        assert "s" * 1000 in opened.text()
        modal = await named[recipient].press(opened, "Report")
        await named[recipient].submit_modal(modal, {"Note for the admins": "n" * 500})
    listed = await fake_discord.default.dana.slash("feedback reported")
    assert 1 <= len(listed.embeds) <= 2 and sum(len(e.get("description") or "") for e in listed.embeds) > 0
    assert len(listed.labels()) == len(listed.embeds)
