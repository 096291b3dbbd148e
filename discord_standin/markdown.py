"""Discord Markdown for the guild page: HTML escaping, readable timestamps, display names, the renderer."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .world import DM, Guild, Role, User

if TYPE_CHECKING:
    from .server import FakeDiscord

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# --- Markdown on escaped text -----------------------------------------------------------------------

_TOKEN = re.compile(r"\x00(\d+)\x00")
_CODE_BLOCK = re.compile(r"```(?:([\w+\-.#]*)\n)?(.*?)```", re.S)
_INLINE_CODE = re.compile(r"``(?!`)(.+?)``|`([^`\n]+)`")
_ROLE_MENTION = re.compile(r"&lt;@&amp;(\d+)&gt;")
_USER_MENTION = re.compile(r"&lt;@!?(\d+)&gt;")
_CHANNEL_MENTION = re.compile(r"&lt;#(\d+)&gt;")
_COMMAND_MENTION = re.compile(r"&lt;/([\w\- ]{1,100}):(\d+)&gt;")
_TIMESTAMP = re.compile(r"&lt;t:(-?\d{1,16})(?::([tTdDfFR]))?&gt;")
_EMOJI = re.compile(r"&lt;(a?):(\w{1,32}):(\d+)&gt;")
_EVERYONE = re.compile(r"@(everyone|here)\b")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\(\s*(?:&lt;)?(https?://[^\s()]+?)(?:&gt;)?\s*\)")
_ANGLE_URL = re.compile(r"&lt;(https?://[^\s]+?)&gt;")
_BARE_URL = re.compile(r"https?://[^\s\x00]+?(?=[.,:;!?)]*(?:\s|$|\x00|&gt;|&lt;|&quot;))")
_INLINE_RULES = (
    (re.compile(r"\*\*\*(?!\s)(.+?)\*\*\*"), r"<strong><em>\1</em></strong>"),
    (re.compile(r"\*\*(?!\s)(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"__(?!\s)(.+?)__"), r"<u>\1</u>"),
    (re.compile(r"~~(?!\s)(.+?)~~"), r"<s>\1</s>"),
    (re.compile(r"\|\|(?!\s)(.+?)\|\|"), r'<span class="spoiler">\1</span>'),
    (re.compile(r"(?<![\w*])\*(?![\s*])(.+?)(?<![\s*])\*(?![\w*])"), r"<em>\1</em>"),
    (re.compile(r"(?<![\w_])_(?![\s_])(.+?)(?<![\s_])_(?![\w_])"), r"<em>\1</em>"),
)
_QUOTE_LINE = re.compile(r"^&gt;(?: (.*))?$")
_BULLET = re.compile(r"^(\s*)[-*] (.*)$")
_NUMBERED = re.compile(r"^(\s*)(\d{1,9})\. (.*)$")
_HEADER = re.compile(r"^(#{1,3}) (.+)$")
_SUBTEXT = re.compile(r"^-# (.+)$")


def _esc(text: Any) -> str:
    """Escape any text for HTML (quotes included); NUL, used for placeholders, becomes U+FFFD."""
    return html.escape(str(text).replace("\x00", "\ufffd"), quote=True)


def _date_words(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def format_timestamp(seconds: int, style: str = "f") -> str | None:
    """Return a ``<t:seconds:style>`` timestamp as readable UTC text (None when out of range)."""
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    clock = f"{moment:%H:%M}"
    if style == "t":
        return f"{clock} UTC"
    if style == "T":
        return f"{moment:%H:%M:%S} UTC"
    if style == "d":
        return f"{moment:%Y-%m-%d}"
    if style == "D":
        return _date_words(moment)
    if style == "F":
        return f"{WEEKDAYS[moment.weekday()]}, {_date_words(moment)} {clock} UTC"
    if style == "R":
        return f"{moment:%Y-%m-%d} {clock} UTC"
    return f"{_date_words(moment)} {clock} UTC"


def _parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _short_time(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


class _Names:
    """Display names of users, roles and channels as the guild's members see them."""

    def __init__(self, fake: FakeDiscord, guild: Guild) -> None:
        self.world = fake.world
        self.guild = guild

    def user(self, user_id: int) -> str | None:
        member = self.guild.members.get(user_id)
        if member is not None and member.nick:
            return member.nick
        user = member.user if member is not None else self.world.users.get(user_id)
        return None if user is None else user.global_name or user.username

    def of(self, user: User) -> str:
        return self.user(user.id) or user.global_name or user.username

    def role(self, role_id: int) -> Role | None:
        role = self.guild.roles.get(role_id)
        if role is not None:
            return role
        return next((g.roles[role_id] for g in self.world.guilds.values() if role_id in g.roles), None)

    def channel(self, channel_id: int) -> str | None:
        channel = self.world.channels.get(channel_id)
        if channel is None or channel.deleted or channel.type == DM:
            return None
        return channel.name

    def colour(self, user_id: int) -> int:
        """Return the colour of the member's highest coloured role (0: none)."""
        member = self.guild.members.get(user_id)
        if member is None:
            return 0
        roles = [self.guild.roles[r] for r in member.role_ids if r in self.guild.roles]
        coloured = [r for r in roles if r.color]
        return max(coloured, key=lambda r: r.position).color if coloured else 0


class _Markdown:
    """Discord's Markdown subset, applied to text that has already been HTML-escaped."""

    def __init__(self, names: _Names) -> None:
        self.names = names

    def render(self, text: Any, *, inline: bool = False) -> str:
        """Escape ``text``, then render it (blocks and inline markup, or inline markup only)."""
        stash: list[str] = []

        def keep(fragment: str) -> str:
            stash.append(fragment)
            return f"\x00{len(stash) - 1}\x00"

        out = _esc(text or "")
        out = _CODE_BLOCK.sub(lambda m: keep(self._code_block(m)), out)
        out = _INLINE_CODE.sub(lambda m: keep(f'<code class="ic">{m.group(1) or m.group(2)}</code>'), out)
        out = self._mentions(out, keep)
        out = _LINK.sub(lambda m: keep(self._link(m)), out)
        out = _ANGLE_URL.sub(lambda m: keep(f'<span class="url">{m.group(1)}</span>'), out)
        out = _BARE_URL.sub(lambda m: keep(f'<span class="url">{m.group(0)}</span>'), out)
        out = self._inline(out).replace("\n", "<br>") if inline else self._blocks(out)
        for _ in range(8):
            if "\x00" not in out:
                break
            out = _TOKEN.sub(lambda m: stash[int(m.group(1))], out)
        return out

    @staticmethod
    def _code_block(match: re.Match[str]) -> str:
        lang, code = match.group(1) or "", match.group(2)
        if code.startswith("\n"):
            code = code[1:]
        code = code.removesuffix("\n")
        label = f'<span class="lang">{lang}</span>' if lang else ""
        return f'<pre class="code">{label}<code>{code}</code></pre>'

    def _mentions(self, text: str, keep: Callable[[str], str]) -> str:
        def role(m: re.Match[str]) -> str:
            found = self.names.role(int(m.group(1)))
            if found is None:
                return keep('<span class="mention">@deleted-role</span>')
            style = f' style="color:#{found.color:06x}"' if found.color else ""
            return keep(f'<span class="mention role"{style}>@{_esc(found.name.lstrip("@"))}</span>')

        def user(m: re.Match[str]) -> str:
            name = self.names.user(int(m.group(1)))
            return keep(f'<span class="mention">@{_esc(name) if name else "unknown-user"}</span>')

        def channel(m: re.Match[str]) -> str:
            name = self.names.channel(int(m.group(1)))
            return keep(f'<span class="mention">#{_esc(name) if name else "unknown"}</span>')

        def stamp(m: re.Match[str]) -> str:
            shown = format_timestamp(int(m.group(1)), m.group(2) or "f")
            return m.group(0) if shown is None else keep(f'<span class="stamp">{shown}</span>')

        text = _ROLE_MENTION.sub(role, text)
        text = _USER_MENTION.sub(user, text)
        text = _CHANNEL_MENTION.sub(channel, text)
        text = _COMMAND_MENTION.sub(lambda m: keep(f'<span class="mention">/{m.group(1)}</span>'), text)
        text = _TIMESTAMP.sub(stamp, text)
        text = _EMOJI.sub(lambda m: keep(f'<span class="emoji">:{m.group(2)}:</span>'), text)
        return _EVERYONE.sub(lambda m: keep(f'<span class="mention">@{m.group(1)}</span>'), text)

    def _link(self, match: re.Match[str]) -> str:
        label, url = self._inline(match.group(1)), match.group(2)
        return f'<span class="link">{label}</span> <span class="url">({url})</span>'

    @staticmethod
    def _inline(text: str) -> str:
        for pattern, replacement in _INLINE_RULES:
            text = pattern.sub(replacement, text)
        return text

    def _blocks(self, text: str) -> str:
        lines = text.split("\n")
        out: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("&gt;&gt;&gt; "):
                rest = [line[len("&gt;&gt;&gt; ") :], *lines[i + 1 :]]
                out.append(f"<blockquote>{'<br>'.join(self._inline(x) for x in rest)}</blockquote>")
                break
            if _QUOTE_LINE.match(line):
                quoted = []
                while i < len(lines) and (m := _QUOTE_LINE.match(lines[i])):
                    quoted.append(self._inline(m.group(1) or ""))
                    i += 1
                out.append(f"<blockquote>{'<br>'.join(quoted)}</blockquote>")
                continue
            for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
                if pattern.match(line):
                    items = []
                    while i < len(lines) and (m := pattern.match(lines[i])):
                        nested = ' class="sub"' if m.group(1) else ""
                        items.append(f"<li{nested}>{self._inline(m.group(m.lastindex or 2))}</li>")
                        i += 1
                    out.append(f"<{tag}>{''.join(items)}</{tag}>")
                    break
            else:
                if m := _SUBTEXT.match(line):
                    out.append(f'<div class="subtext">{self._inline(m.group(1))}</div>')
                elif m := _HEADER.match(line):
                    out.append(f'<div class="h{len(m.group(1))}">{self._inline(m.group(2))}</div>')
                else:
                    out.append(f'<div class="line">{self._inline(line) or "<br>"}</div>')
                i += 1
        return "".join(out)
