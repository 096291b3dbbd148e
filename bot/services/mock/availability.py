"""Weekly availability: what members type, as hours of the week in UTC, and overlaps shown locally."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from bot.services.daily.schedule import WEEKDAYS, parse_days
from bot.services.errors import Refused

PARTS = {"morning": (8, 12), "mornings": (8, 12), "afternoon": (12, 17), "afternoons": (12, 17),
         "evening": (17, 22), "evenings": (17, 22), "night": (21, 24), "nights": (21, 24),
         "anytime": (8, 22), "any": (8, 22)}  # fmt: skip
DAY_WORDS = {"weekday": "mon-fri", "weekdays": "mon-fri", "weekend": "sat-sun", "weekends": "sat-sun",
             "daily": "mon-sun", "everyday": "mon-sun", "any": "mon-sun"}  # fmt: skip
_RANGE = re.compile(r"^(\d{1,2})(?::00)?\s*-\s*(\d{1,2})(?::00)?$")
# A fixed reference week keeps the UTC conversion stable; DST shifts of an hour are tolerated.
_REFERENCE_MONDAY = dt.date(2026, 1, 5)


def _window(days: str, hours: str) -> tuple[frozenset[int], int, int]:
    weekdays = parse_days(DAY_WORDS.get(days, days))
    if hours in PARTS:
        start, end = PARTS[hours]
    else:
        match = _RANGE.match(hours)
        if not match:
            raise Refused(f"`{hours[:30]}` is not a time of day: use morning/afternoon/evening or 18-21.")
        start, end = int(match[1]), int(match[2])
        if not (0 <= start < end <= 24):
            raise Refused(f"`{hours[:30]}`: hours go from 0 to 24, start before end.")
    return weekdays, start, end


def parse_availability(text: str, zone: ZoneInfo) -> list[int]:
    """Parse "weekday evenings, sat 9-12" in ``zone`` into sorted UTC hours of the week (Monday 00 = 0)."""
    hours: set[int] = set()
    for raw in re.split(r"[;,]|\band\b", text.lower()):
        words = raw.split()
        if not words:
            continue
        if len(words) == 1:
            words = ["daily", words[0]] if words[0] in PARTS else [words[0], "anytime"]
        days_word, hours_word = words[0], "".join(words[1:])
        try:
            weekdays, start, end = _window(days_word, hours_word)
        except Refused as exc:
            raise Refused(
                f"{exc} Availability looks like `weekday evenings, weekend mornings` or `mon-fri 18-21, sat 9-12`."
            ) from None
        for weekday in weekdays:
            day = _REFERENCE_MONDAY + dt.timedelta(days=weekday)
            for hour in range(start, end):
                local = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
                utc = local.astimezone(dt.UTC)
                hours.add(((utc.date() - _REFERENCE_MONDAY).days % 7) * 24 + utc.hour)
    if not hours:
        raise Refused("Give at least one window, e.g. `weekday evenings`.")
    return sorted(hours)


def overlap(*slot_sets: list[int]) -> list[int]:
    """Return the UTC hours of the week every member has free."""
    common = set(slot_sets[0]) if slot_sets else set()
    for slots in slot_sets[1:]:
        common &= set(slots)
    return sorted(common)


def describe_slots(slots: list[int], zone: ZoneInfo, *, limit: int = 4) -> list[str]:
    """Render hours of the week as up to ``limit`` local blocks, e.g. "Tue 18:00-21:00"."""
    local: list[tuple[int, int]] = []
    for hour in slots:
        utc = dt.datetime.combine(_REFERENCE_MONDAY, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(hours=hour)
        moment = utc.astimezone(zone)
        local.append((((moment.date() - _REFERENCE_MONDAY).days) % 7, moment.hour))
    local.sort()
    blocks: list[tuple[int, int, int]] = []
    for day, hour in local:
        if blocks and blocks[-1][0] == day and blocks[-1][2] == hour:
            blocks[-1] = (day, blocks[-1][1], hour + 1)
        else:
            blocks.append((day, hour, hour + 1))
    blocks.sort(key=lambda b: (-(b[2] - b[1]), b[0], b[1]))
    chosen = sorted(blocks[:limit])
    return [f"{WEEKDAYS[d].title()} {s:02d}:00-{e:02d}:00" for d, s, e in chosen]
