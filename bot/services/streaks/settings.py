"""/config streaks: parsing and storing a server's streak rules."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import insert_ignoring_conflicts, utcnow
from bot.models import StreakSettings
from bot.services.errors import Refused
from bot.text import is_blank, visible

MAX_MILESTONES = 10
HEADS_UP_RANGE = range(1, 24)
_ROLE_ITEM = re.compile(r"^\s*(\d{1,4})\s*=\s*(.+?)\s*$")


def parse_milestones(text: str) -> list[int]:
    """Parse "3,7,14,30,100" into sorted distinct milestones."""
    parts = [visible(p) for p in text.split(",") if not is_blank(p)]
    if not parts or not all(p.isdecimal() and len(p) <= 6 for p in parts):
        raise Refused("Milestones are streak lengths separated by commas, e.g. `3,7,14,30,100`.")
    numbers = [int(p) for p in parts]
    twice = next((n for n in numbers if numbers.count(n) > 1), None)
    if twice is not None:
        raise Refused(f"Milestone {twice} is named twice: name each once.")
    values = sorted(numbers)
    if values[0] < 1 or values[-1] > 1000 or len(values) > MAX_MILESTONES:
        raise Refused(f"Use up to {MAX_MILESTONES} milestones between 1 and 1000.")
    return values


def parse_milestone_roles(text: str) -> dict[int, str]:
    """Parse "7=@Regular,30=@Veteran" into {milestone: role reference} (a mention, id or name)."""
    if is_blank(text):
        raise Refused("Milestone roles were blank: give `7=@Regular,30=@Veteran`, or `none` to clear them.")
    if text.strip().lower() in {"none", "off", "-"}:
        return {}
    result: dict[int, str] = {}
    for item in (i for i in text.split(",") if not is_blank(i)):
        match = _ROLE_ITEM.match(item)
        if not match:
            raise Refused(
                "Milestone roles look like `7=@Regular,30=@Veteran` (or `none` to clear). Nothing was changed."
            )
        if int(match[1]) in result:
            raise Refused(f"Milestone {int(match[1])} is named twice: give it one role. Nothing was changed.")
        result[int(match[1])] = match[2]
    return result


def role_reference_id(reference: str) -> int | None:
    """Return the role id in a mention (<@&id>) or a bare id, or None for a name."""
    match = re.fullmatch(r"<@&(\d+)>|(\d{15,22})", reference.strip())
    return int(match[1] or match[2]) if match else None


@dataclass(frozen=True, slots=True)
class StreakChanges:
    """Validated changes; None keeps the current value."""

    freezes_enabled: bool | None = None
    milestones: list[int] | None = None
    milestone_roles: dict[int, int] | None = None
    heads_up_hours: int | None = None


async def configure(*, session: AsyncSession, guild_id: int, changes: StreakChanges) -> StreakSettings:
    """Apply validated streak settings."""
    await session.execute(
        insert_ignoring_conflicts(session, StreakSettings, {"guild_id": guild_id, "updated_at": utcnow(),
                                  "milestones": [3, 7, 14, 30, 100], "milestone_roles": {}}, conflict=["guild_id"])
    )  # fmt: skip
    row = await session.get(StreakSettings, guild_id, populate_existing=True, with_for_update=True)
    assert row is not None
    if changes.freezes_enabled is not None:
        row.freezes_enabled = changes.freezes_enabled
    if changes.milestones is not None:
        row.milestones = changes.milestones
    if changes.milestone_roles is not None:
        row.milestone_roles = {str(k): v for k, v in sorted(changes.milestone_roles.items())}
    if changes.heads_up_hours is not None:
        if changes.heads_up_hours not in HEADS_UP_RANGE:
            raise Refused("The heads-up comes 1 to 23 hours before the prompt closes. Nothing was changed.")
        row.heads_up_hours = changes.heads_up_hours
    orphans = sorted(int(m) for m in row.milestone_roles if int(m) not in row.milestones)
    if orphans:
        raise Refused(
            f"A role is set for {', '.join(map(str, orphans))}, which is not a milestone "
            f"(milestones: {', '.join(map(str, row.milestones))}); add it to milestones or drop its role. "
            "Nothing was changed."
        )
    if changes.milestone_roles is not None:
        row.role_error, row.role_error_at = None, None
    row.updated_at = utcnow()
    await session.flush()
    return row


async def record_role_error(*, session: AsyncSession, guild_id: int, error: str | None, now: dt.datetime) -> None:
    """Remember (or clear) a problem granting milestone roles, for /config show."""
    row = await session.get(StreakSettings, guild_id)
    if row is None:
        row = StreakSettings(guild_id=guild_id)
        session.add(row)
    row.role_error = error[:500] if error else None
    row.role_error_at = now if error else None
