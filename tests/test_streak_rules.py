"""Streak arithmetic: answered days, freezes earned and spent, best streak."""

from __future__ import annotations

from bot.services.streaks.rules import MAX_FREEZES, StreakState, answered, missed, recompute


def test_seven_answered_days_earn_a_freeze_and_a_miss_spends_it() -> None:
    state, statuses = recompute([True] * 7 + [False] + [True], freezes_enabled=True)
    assert statuses[7] == "frozen"
    assert (state.current, state.freezes, state.frozen_in_streak, state.best) == (8, 0, 1, 8)


def test_without_freezes_a_miss_ends_the_streak() -> None:
    state, statuses = recompute([True] * 7 + [False] + [True], freezes_enabled=False)
    assert statuses[7] == "missed" and (state.current, state.best) == (1, 7)


def test_freezes_cap_at_two_and_frozen_days_do_not_earn() -> None:
    state, _ = recompute([True] * 28, freezes_enabled=True)
    assert state.freezes == MAX_FREEZES
    state, statuses = recompute([True] * 14 + [False, False, False] + [True], freezes_enabled=True)
    assert statuses[14:17] == ["frozen", "frozen", "missed"]
    assert state.current == 1 and state.freezes == 0


def test_frozen_days_neither_grow_nor_advance_earning() -> None:
    state = StreakState()
    for _ in range(6):
        state = answered(state)
    state = StreakState(state.current, state.best, 1, state.earn_progress, 0, state.total_answers)
    state, status = missed(state, freezes_enabled=True)
    assert status == "frozen" and state.current == 6 and state.earn_progress == 6
    state = answered(state)
    assert state.freezes == 1 and state.earn_progress == 0  # the seventh answered day earned one


def test_a_miss_with_no_streak_spends_nothing() -> None:
    state, status = missed(StreakState(freezes=2), freezes_enabled=True)
    assert status == "missed" and state.freezes == 2
