"""Prompt schedules as plain values: parsing admin input, and DST-correct local post times."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.services.errors import Refused
from bot.services.questions.schema import CATEGORIES, TRACKS
from bot.text import is_blank, visible

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ARCHIVE_MINUTES = (60, 1440, 4320, 10080)
ROUND_ROBIN = "round-robin"
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_time(text: str) -> dt.time:
    """Parse "HH:MM" (24 h) into a time."""
    match = _TIME.match(text.strip())
    if not match:
        raise Refused(f"`{text[:20]}` is not a time: use HH:MM on a 24-hour clock, e.g. 09:30 or 18:00.")
    return dt.time(int(match[1]), int(match[2]))


NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})  # host files and placeholders, not IANA zones


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_ZONES


def parse_timezone(name: str) -> ZoneInfo:
    """Return the IANA zone called ``name`` (host files such as "localtime" are not zones)."""
    text = name.strip()
    if not text or text.startswith("/") or ".." in text:
        raise Refused(f"`{text[:40]}` is not a time zone: pick an IANA name such as Europe/Helsinki.")
    if text not in _zone_names():
        raise Refused(f"`{text[:40]}` is not a time zone I know: pick an IANA name such as Europe/Helsinki.")
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refused(f"`{text[:40]}` is not a time zone I know: pick an IANA name such as Europe/Helsinki.") from None


def search_timezones(text: str, limit: int = 25) -> list[str]:
    """Return IANA zone names matching ``text`` (prefix matches first), for autocomplete."""
    needle = text.strip().lower().replace(" ", "_")
    names = sorted(_zone_names())
    starts = [n for n in names if n.lower().startswith(needle)]
    contains = [n for n in names if needle in n.lower() and n not in starts]
    return (starts + contains)[:limit]


def parse_days(text: str) -> frozenset[int]:
    """Parse "mon-fri", "mon,wed,fri" or "daily" into weekday numbers (Monday is 0)."""
    spec = text.strip().lower().replace(" ", "")
    if spec in {"daily", "every", "all", "mon-sun"}:
        return frozenset(range(7))
    days: set[int] = set()
    for part in filter(None, spec.split(",")):
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _weekday(first, text), _weekday(last, text)
            span = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
            days.update(span)
        else:
            days.add(_weekday(part, text))
    if not days:
        raise Refused("Give at least one day, e.g. `mon-fri` or `mon,wed,fri`.")
    return frozenset(days)


def _weekday(token: str, original: str) -> int:
    """Return the weekday of "mon", "tues", "monday"… (a prefix of the day's name, 3 letters at least)."""
    for index, name in enumerate(DAY_NAMES):
        if len(token) >= 3 and name.startswith(token):
            return index
    raise Refused(f"`{original[:40]}` is not a list of days: use e.g. `mon-fri` or `mon,wed,fri`.")


def format_days(days: frozenset[int] | set[int]) -> str:
    """Render weekdays compactly, e.g. "mon-fri" or "mon,wed,fri"."""
    ordered = sorted(days)
    if ordered == list(range(7)):
        return "daily"
    if ordered and ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{WEEKDAYS[ordered[0]]}-{WEEKDAYS[ordered[-1]]}"
    return ",".join(WEEKDAYS[d] for d in ordered)


def parse_rotation(text: str) -> dict[int, str] | None:
    """Parse "round-robin" (None) or "mon=sql,tue=behavioral" (weekday -> category)."""
    spec = visible(text).lower().replace(" ", "")
    if not spec:
        raise Refused("The rotation was blank: give `round-robin`, or pairs like `mon=sql,tue=behavioral`.")
    if spec in {ROUND_ROBIN, "roundrobin"}:
        return None
    mapping: dict[int, str] = {}
    for part in filter(None, spec.split(",")):
        day, sep, category = part.partition("=")
        if not sep:
            raise Refused("Rotation is `round-robin` or pairs like `mon=sql,tue=behavioral`.")
        if category not in CATEGORIES:
            raise Refused(f"`{category[:40]}` is not a category. Categories: {', '.join(CATEGORIES)}.")
        for weekday in parse_days(day):
            if weekday in mapping:
                raise Refused(f"`{WEEKDAYS[weekday]}` is named twice in the rotation: give each day one category.")
            mapping[weekday] = category
    return mapping


def format_rotation(rotation: dict[int, str] | None) -> str:
    """Render a rotation the way an admin types it."""
    if not rotation:
        return ROUND_ROBIN
    return ",".join(f"{WEEKDAYS[d]}={c}" for d, c in sorted(rotation.items()))


def parse_tracks(text: str) -> list[str]:
    """Parse a comma list of tracks ("all" or empty means every track)."""
    spec = [visible(t).lower() for t in text.split(",") if not is_blank(t)]
    if not spec:
        raise Refused("The tracks were blank: give a comma list of tracks, or `all`.")
    if spec == ["all"]:
        return []
    unknown = [t for t in spec if t not in TRACKS]
    if unknown:
        raise Refused(f"Unknown track(s): {', '.join(unknown)[:100]}. Tracks: {', '.join(TRACKS)}.")
    return sorted(set(spec), key=TRACKS.index)


def parse_date(text: str) -> dt.date:
    """Parse an ISO date (YYYY-MM-DD)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Refused(f"`{text[:20]}` is not a date: use YYYY-MM-DD, e.g. 2026-12-24.") from None


PAUSE_AHEAD_MAX = dt.timedelta(days=366)


def check_pause_date(day: dt.date, now: dt.datetime) -> dt.date:
    """Refuse a pause date that is past in every time zone, or more than a year ahead (then it would mean "off")."""
    earliest = (now - dt.timedelta(hours=12)).date()  # still today somewhere west of UTC
    if day < earliest:
        raise Refused(f"{day.isoformat()} is in the past: give a date from today on, or `off` to end a pause.")
    if day > (now + PAUSE_AHEAD_MAX).date():
        raise Refused(
            f"{day.isoformat()} is more than a year ahead: pause a year at most, or turn prompts off with `enabled`."
        )
    return day


def local_instant(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """Return the UTC instant of wall time ``at`` on ``day`` in ``zone``.

    A wall time that does not exist that day (clocks jump forward) moves to the next valid
    instant, the end of the gap; an ambiguous one (clocks fall back) uses the first.
    """
    wall = dt.datetime.combine(day, at)
    for minutes in range(0, 24 * 60):
        candidate = (wall + dt.timedelta(minutes=minutes)).replace(tzinfo=zone, fold=0)
        back = candidate.astimezone(dt.UTC).astimezone(zone)
        if back.replace(tzinfo=None) == candidate.replace(tzinfo=None):
            return candidate.astimezone(dt.UTC)
    raise AssertionError("no valid wall time within a day")  # pragma: no cover - no zone skips a whole day


def local_date(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    """Return the calendar date of ``instant`` in ``zone``."""
    return instant.astimezone(zone).date()


@dataclass(frozen=True, slots=True)
class PostRule:
    """When a server's prompt goes out: wall time, zone, weekdays and an optional pause."""

    at: dt.time
    zone: ZoneInfo
    days: frozenset[int]
    pause_until: dt.date | None = None

    def is_prompt_day(self, day: dt.date) -> bool:
        """Tell whether a prompt is due on ``day`` (local)."""
        if day.weekday() not in self.days:
            return False
        return self.pause_until is None or day >= self.pause_until

    def due_on(self, day: dt.date) -> dt.datetime:
        """Return the UTC instant the prompt of local ``day`` is due."""
        return local_instant(day, self.at, self.zone)

    def next_due(self, after: dt.datetime, *, include_today_if_missed: bool = False) -> tuple[dt.date, dt.datetime]:
        """Return the next (local date, UTC instant) due strictly after ``after``.

        With ``include_today_if_missed``, today's post counts even if its time has passed
        (a start-up after downtime posts it late, the same local day only).
        """
        today = local_date(after, self.zone)
        for offset in range(0, 400):
            day = today + dt.timedelta(days=offset)
            if not self.is_prompt_day(day):
                continue
            due = self.due_on(day)
            if due > after or (offset == 0 and include_today_if_missed):
                return day, due
        raise Refused("This schedule never posts: check its days and pause date.")


def category_for(day: dt.date, rotation: dict[int, str] | None, index: int) -> str:
    """Return the category of a prompt: the weekday's mapping, or the round-robin position."""
    if rotation:
        if day.weekday() in rotation:
            return rotation[day.weekday()]
        ordered = sorted(set(rotation.values()), key=CATEGORIES.index)
        return ordered[index % len(ordered)]
    return CATEGORIES[index % len(CATEGORIES)]
