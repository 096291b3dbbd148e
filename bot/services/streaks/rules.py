"""Streak arithmetic as pure functions: what one answered or missed prompt day does to a streak.

A streak counts consecutive prompt days (days a prompt was actually posted) that a member
answered. A missed prompt day spends a freeze if the member holds one (the streak survives
but does not grow), otherwise it ends the streak. Seven answered prompt days earn a freeze
(frozen days do not count towards that), and a member holds at most two.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

FREEZE_EVERY = 7
MAX_FREEZES = 2

DayStatus = Literal["answered", "frozen", "missed"]


@dataclass(frozen=True, slots=True)
class StreakState:
    """A member's streak after the prompt days accounted so far."""

    current: int = 0
    best: int = 0
    freezes: int = 0
    earn_progress: int = 0
    frozen_in_streak: int = 0
    total_answers: int = 0


def answered(state: StreakState) -> StreakState:
    """Account an answered prompt day."""
    current = state.current + 1
    progress = state.earn_progress + 1
    freezes = state.freezes
    if progress >= FREEZE_EVERY:
        progress = 0
        freezes = min(MAX_FREEZES, freezes + 1)
    return replace(
        state,
        current=current,
        best=max(state.best, current),
        freezes=freezes,
        earn_progress=progress,
        total_answers=state.total_answers + 1,
    )


def missed(state: StreakState, *, freezes_enabled: bool) -> tuple[StreakState, DayStatus]:
    """Account a missed prompt day: spend a freeze to keep the streak, or end it."""
    if state.current == 0:
        return state, "missed"
    if freezes_enabled and state.freezes > 0:
        return replace(state, freezes=state.freezes - 1, frozen_in_streak=state.frozen_in_streak + 1), "frozen"
    return replace(state, current=0, earn_progress=0, frozen_in_streak=0), "missed"


def recompute(days: list[bool], *, freezes_enabled: bool) -> tuple[StreakState, list[DayStatus]]:
    """Rebuild a streak from scratch from the member's answered/missed flag for each closed prompt day."""
    state = StreakState()
    statuses: list[DayStatus] = []
    for was_answered in days:
        if was_answered:
            state = answered(state)
            statuses.append("answered")
        else:
            state, status = missed(state, freezes_enabled=freezes_enabled)
            statuses.append(status)
    return state, statuses
