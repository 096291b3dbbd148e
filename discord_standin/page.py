"""Render one guild of the stand-in as a self-contained HTML page, the way the Discord client shows it.

``render_page(fake, guild_id, title=...)`` returns one HTML document: inline CSS only, no scripts, no
external URL (a Content-Security-Policy forbids any load but ``data:`` images). Every image is embedded
as a ``data:`` URI built from the bytes the stand-in holds (``Attachment.data``, found on the message or in
``world.attachments`` for URLs of the stand-in's own CDN); an image whose bytes are not held becomes a
placeholder box with its file name.

Every piece of member or bot text is passed through ``html.escape`` first; the Discord Markdown subset
is then applied to the escaped text, so nothing anyone typed can become markup.
"""

from __future__ import annotations

import base64
import binascii
import html
import mimetypes
import re
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .interactions import COMMAND, COMPONENT, MODAL_SUBMIT, InteractionSession
from .snowflakes import snowflake_time
from .world import ANNOUNCEMENT, CATEGORY, DM, LOADING, TEXT, Attachment, Channel, Guild, Message, Role, User

if TYPE_CHECKING:
    from .server import FakeDiscord

__all__ = ["render_page"]

TEXT_KINDS = (TEXT, ANNOUNCEMENT)
SELECT_TYPES = (3, 5, 6, 7, 8)
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Raster formats a browser shows from a data: URI; SVG is left out on purpose (it can carry script).
SAFE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/avif", "image/x-icon")
AVATAR_COLOURS = ("#5865f2", "#757e8a", "#3ba55c", "#faa61a", "#ed4245", "#eb459e")
BUTTON_STYLES = {1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link", 6: "premium"}

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
_CDN_URL = re.compile(r"^https?://[^/]+/attachments/(\d+)/(\d+)/([^?#/]+)")
_DATA_URI = re.compile(r"^data:(image/[\w.+-]+);base64,([A-Za-z0-9+/=\s]+)$")


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


# --- images --------------------------------------------------------------------------------------------


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"BM"):
        return "image/bmp"
    return None


def image_mime(data: bytes, content_type: str | None, filename: str) -> str | None:
    """Return the MIME type to embed ``data`` with, or None if it is not an image a page may show."""
    sniffed = _sniff(data)
    if sniffed is not None:
        return sniffed
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared in SAFE_IMAGE_TYPES:
        return declared
    guessed = mimetypes.guess_type(filename)[0]
    return guessed if guessed in SAFE_IMAGE_TYPES else None


def _looks_like_image(attachment: Attachment) -> bool:
    declared = (attachment.content_type or "").lower()
    guessed = mimetypes.guess_type(attachment.filename)[0] or ""
    return declared.startswith("image/") or guessed.startswith("image/")


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


# --- the page -----------------------------------------------------------------------------------------


class _Page:
    """Collects a guild's channels, threads, messages and interaction sessions, and writes the HTML."""

    def __init__(self, fake: FakeDiscord, guild: Guild) -> None:
        self.fake = fake
        self.world = fake.world
        self.guild = guild
        self.names = _Names(fake, guild)
        self.md = _Markdown(self.names)
        self.sessions: dict[int, InteractionSession] = dict(fake.interactions.by_id)
        self.threads: dict[int, list[Channel]] = {}
        for channel in sorted(self.world.channels.values(), key=lambda c: c.id):
            if channel.is_thread and channel.guild_id == guild.id and not channel.deleted:
                self.threads.setdefault(channel.parent_id or 0, []).append(channel)

    # --- collection ---

    def text_channels(self) -> list[tuple[Channel | None, list[Channel]]]:
        """Return the guild's text channels grouped by category, in the order Discord lists them."""
        live = self.world.guild_channels(self.guild.id)
        categories = sorted((c for c in live if c.type == CATEGORY), key=lambda c: (c.position, c.id))
        known = {c.id for c in categories}
        texts = sorted((c for c in live if c.type in TEXT_KINDS), key=lambda c: (c.position, c.id))
        groups: list[tuple[Channel | None, list[Channel]]] = [(None, [c for c in texts if c.parent_id not in known])]
        groups += [(cat, [c for c in texts if c.parent_id == cat.id]) for cat in categories]
        return [(cat, chans) for cat, chans in groups if chans]

    def live_messages(self, channel_id: int) -> list[Message]:
        """Return a channel's messages in posting order, ephemeral ones included, deleted ones left out."""
        return [m for m in self.world.channel_messages.get(channel_id, []) if not m.deleted]

    def dm_channels(self) -> list[tuple[User, Channel]]:
        """Return the bot's DM channels with members of this guild that hold at least one message."""
        out = []
        for user_id, channel_id in self.world.dm_channels.items():
            channel = self.world.channels.get(channel_id)
            member = self.guild.members.get(user_id)
            if channel is None or channel.deleted or member is None or member.user.bot:
                continue
            if self.live_messages(channel.id):
                out.append((member.user, channel))
        return sorted(out, key=lambda pair: pair[1].id)

    # --- document ---

    def render(self, title: str, subtitle: str) -> str:
        groups = self.text_channels()
        dms = self.dm_channels()
        sections = [self.channel_section(c) for _, chans in groups for c in chans]
        if dms:
            sections.append(self.dm_section(dms))
        head_sub = f'<p class="subtitle">{_esc(subtitle)}</p>' if subtitle else ""
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f'<div class="app">\n{self.sidebar(groups, dms)}\n<main>\n'
            f'<header class="page-head"><h1>{_esc(title)}</h1>{head_sub}'
            f'<p class="guild-name">{_esc(self.guild.name)}</p></header>\n'
            + "\n".join(sections)
            + "\n</main>\n</div>\n</body>\n</html>\n"
        )

    def sidebar(self, groups: list[tuple[Channel | None, list[Channel]]], dms: list[tuple[User, Channel]]) -> str:
        parts = [f'<nav class="sidebar"><div class="guild">{_esc(self.guild.name)}</div>']
        for category, channels in groups:
            heading = category.name if category is not None else "Text channels"
            parts.append(f'<div class="cat">{_esc(heading)}</div><ul class="chans">')
            for channel in channels:
                icon = "📣" if channel.type == ANNOUNCEMENT else "#"
                parts.append(f'<li><a href="#c-{channel.id}"><span class="hash">{icon}</span>{_esc(channel.name)}</a>')
                threads = self.threads.get(channel.id, [])
                if threads:
                    parts.append('<ul class="sub-threads">')
                    for thread in threads:
                        lock = "🔒 " if thread.is_private_thread else ""
                        parts.append(f'<li><a href="#c-{thread.id}">{lock}{_esc(thread.name)}</a></li>')
                    parts.append("</ul>")
                parts.append("</li>")
            parts.append("</ul>")
        if dms:
            parts.append('<div class="cat">Direct messages</div><ul class="chans">')
            for user, channel in dms:
                who = _esc(self.names.of(user))
                parts.append(f'<li><a href="#c-{channel.id}"><span class="hash">@</span>{who}</a></li>')
            parts.append("</ul>")
        parts.append("</nav>")
        return "".join(parts)

    def channel_section(self, channel: Channel) -> str:
        messages = self.live_messages(channel.id)
        threads = self.threads.get(channel.id, [])
        starters = {m.id for m in messages}
        placed: dict[int, list[Channel]] = {}
        loose: list[Channel] = []
        for thread in threads:
            starter = thread.starter_message_id
            if starter is None:
                starter = next((m.id for m in messages if m.thread_id == thread.id), None)
            if starter is not None and starter in starters:
                placed.setdefault(starter, []).append(thread)
            else:
                loose.append(thread)
        body = []
        for message in messages:
            body.append(self.message(message))
            body += [self.thread(t) for t in placed.get(message.id, [])]
        body += [self.thread(t) for t in loose]
        if not body:
            body.append('<p class="empty">No messages yet.</p>')
        icon = "📣" if channel.type == ANNOUNCEMENT else "#"
        topic = f'<span class="topic">{self.md.render(channel.topic, inline=True)}</span>' if channel.topic else ""
        return (
            f'<section class="channel" id="c-{channel.id}">'
            f'<h2 class="channel-head"><span class="hash">{icon}</span>{_esc(channel.name)}{topic}</h2>'
            + "".join(body)
            + "</section>"
        )

    def thread(self, thread: Channel) -> str:
        messages = self.live_messages(thread.id)
        tags = []
        if thread.is_private_thread:
            tags.append('<span class="tag private">🔒 Private thread</span>')
        if thread.archived:
            tags.append('<span class="tag">archived</span>')
        if thread.locked:
            tags.append('<span class="tag">locked</span>')
        count = len([m for m in messages if not m.ephemeral])
        noun = "message" if count == 1 else "messages"
        body = "".join(self.message(m) for m in messages) or '<p class="empty">No messages in this thread.</p>'
        kind = "thread private" if thread.is_private_thread else "thread"
        return (
            f'<div class="{kind}" id="c-{thread.id}">'
            f'<div class="thread-head"><span class="thread-icon">🧵</span>'
            f'<span class="thread-name">{_esc(thread.name)}</span>{"".join(tags)}'
            f'<span class="muted">{count} {noun}</span></div>{body}</div>'
        )

    def dm_section(self, dms: list[tuple[User, Channel]]) -> str:
        parts = ['<section class="channel dms" id="direct-messages"><h2 class="channel-head">Direct messages</h2>']
        for user, channel in dms:
            parts.append(
                f'<div class="dm" id="c-{channel.id}"><h3 class="dm-head">'
                f'<span class="hash">@</span>{_esc(self.names.of(user))} &amp; {_esc(self.names.of(self.world.bot))}'
                "</h3>"
            )
            parts += [self.message(m) for m in self.live_messages(channel.id)]
            parts.append("</div>")
        parts.append("</section>")
        return "".join(parts)

    # --- one message ---

    def message(self, message: Message) -> str:
        author = message.author
        name = self.names.of(author)
        colour = self.names.colour(author.id)
        name_style = f' style="color:#{colour:06x}"' if colour else ""
        avatar_colour = AVATAR_COLOURS[zlib.crc32(str(author.id).encode()) % len(AVATAR_COLOURS)]
        initial = _esc(name[:1].upper() or "?")
        moment = _parse_iso(message.timestamp) or snowflake_time(message.id)
        session = self.session_of(message)
        top = []
        if message.interaction_metadata is not None:
            top.append(f'<div class="action">↳ {_esc(self.action(message, session))}</div>')
        if message.message_reference and message.type == 19:
            top.append(self.reference(message))
        bot_tag = '<span class="bot-tag">BOT</span>' if author.bot else ""
        edited = '<span class="edited">(edited)</span>' if message.edited_timestamp else ""
        head = (
            f'<div class="head"><span class="author"{name_style}>{_esc(name)}</span>{bot_tag}'
            f'<span class="time">{_short_time(moment)}</span>{edited}</div>'
        )
        if message.flags & LOADING:
            content = f'<div class="content thinking">{_esc(name)} is thinking…</div>'
        elif message.content:
            content = f'<div class="content">{self.md.render(message.content)}</div>'
        else:
            content = ""
        referenced = self.referenced_files(message)
        embeds = "".join(self.embed(e, message) for e in message.embeds if isinstance(e, dict))
        files = "".join(self.attachment(a) for a in message.attachments if a.filename not in referenced)
        components = self.components(message.components, message)
        classes = "msg ephemeral" if message.ephemeral else "msg"
        only = ""
        if message.ephemeral:
            viewer = self.viewer(message, session)
            only = f'<div class="only">👁 Only {_esc(viewer)} can see this</div>'
        return (
            f'<article class="{classes}" id="m-{message.id}">'
            f'<div class="avatar" style="background:{avatar_colour}">{initial}</div><div class="msg-body">'
            + "".join(top)
            + head
            + content
            + (f'<div class="embeds">{embeds}</div>' if embeds else "")
            + (f'<div class="files">{files}</div>' if files else "")
            + (f'<div class="components">{components}</div>' if components else "")
            + only
            + "</div></article>"
        )

    def reference(self, message: Message) -> str:
        ref = message.message_reference or {}
        target = self.world.messages.get(int(ref.get("message_id") or 0))
        if target is None or target.deleted:
            return '<div class="reply-ref">↱ <em>Original message was deleted</em></div>'
        snippet = target.content.replace("\n", " ")
        snippet = snippet[:100] + ("…" if len(snippet) > 100 else "")
        return (
            f'<div class="reply-ref">↱ <span class="mention">@{_esc(self.names.of(target.author))}</span> '
            f'<span class="muted">{_esc(snippet) or "(attachment or embed)"}</span></div>'
        )

    def session_of(self, message: Message) -> InteractionSession | None:
        meta = message.interaction_metadata or {}
        try:
            return self.sessions.get(int(meta.get("id") or 0))
        except (TypeError, ValueError):
            return None

    def viewer(self, message: Message, session: InteractionSession | None) -> str:
        if session is not None:
            return self.names.of(session.user)
        user = (message.interaction_metadata or {}).get("user") or {}
        try:
            return self.names.user(int(user.get("id") or 0)) or str(user.get("username") or "the member")
        except (TypeError, ValueError):
            return "the member"

    def action(self, message: Message, session: InteractionSession | None) -> str:
        """Say what the member did to get this reply ("alice used /drill today", "bob pressed Answer")."""
        who = self.viewer(message, session)
        if session is None:
            name = (message.interaction_metadata or {}).get("name")
            return f"{who} used /{name}" if name else f"{who} used an app"
        data = session.payload.get("data") or {}
        if session.type == COMMAND:
            return f"{who} used {session.label.split(' [')[0]}"
        if session.type == COMPONENT:
            return f"{who} {self.component_action(session, data)}"
        if session.type == MODAL_SUBMIT:
            return f"{who} submitted {self.modal_title(session, data)}"
        return f"{who} used {session.label}"

    def component_action(self, session: InteractionSession, data: dict[str, Any]) -> str:
        custom_id = data.get("custom_id")
        snapshot = (session.payload.get("message") or {}).get("components")
        if snapshot is None and session.source_message is not None:
            snapshot = session.source_message.components
        found = next((c for c in _walk(snapshot or []) if c.get("custom_id") == custom_id), None)
        if found is None:
            return f"used {session.label}"
        if found.get("type") == 2:
            return f"pressed {found.get('label') or _emoji_text(found.get('emoji')) or custom_id}"
        values = [str(v) for v in data.get("values") or []]
        if found.get("type") == 3:
            labels = {str(o.get("value")): str(o.get("label")) for o in found.get("options") or []}
            shown = [labels.get(v, v) for v in values]
        else:
            shown = [self.picked(found.get("type"), v) for v in values]
        where = found.get("placeholder")
        return f"chose {', '.join(shown) or 'nothing'}" + (f" in {where}" if where else "")

    def picked(self, kind: Any, value: str) -> str:
        try:
            ident = int(value)
        except ValueError:
            return value
        if kind == 8:
            name = self.names.channel(ident)
            return f"#{name}" if name else value
        role = self.names.role(ident) if kind in (6, 7) else None
        if role is not None:
            return f"@{role.name.lstrip('@')}"
        user = self.names.user(ident)
        return f"@{user}" if user else value

    def modal_title(self, session: InteractionSession, data: dict[str, Any]) -> str:
        custom_id = data.get("custom_id")
        openers = [
            s
            for s in self.sessions.values()
            if s.modal is not None
            and s.modal.get("custom_id") == custom_id
            and s.user.id == session.user.id
            and s.id < session.id
        ]
        if not openers:
            return f"the form {custom_id}"
        modal = max(openers, key=lambda s: s.id).modal or {}
        return str(modal.get("title") or custom_id)

    # --- embeds, files, components ---

    def referenced_files(self, message: Message) -> set[str]:
        """Return the file names an embed or a component shows through ``attachment://``."""
        urls: list[Any] = []
        for embed in message.embeds:
            if isinstance(embed, dict):
                urls += [(embed.get(k) or {}).get("url") for k in ("image", "thumbnail")]
                urls += [(embed.get(k) or {}).get("icon_url") for k in ("author", "footer")]
        for component in _walk(message.components):
            for key in ("media", "file"):
                if isinstance(component.get(key), dict):
                    urls.append(component[key].get("url"))
            for item in component.get("items") or []:
                if isinstance(item, dict):
                    urls.append((item.get("media") or {}).get("url"))
        return {u[len("attachment://") :] for u in urls if isinstance(u, str) and u.startswith("attachment://")}

    def resolve(self, url: Any, message: Message) -> tuple[str, bytes | None, str | None]:
        """Return (file name, bytes or None, declared content type) for an image URL."""
        if not isinstance(url, str) or not url:
            return "image", None, None
        if url.startswith("attachment://"):
            name = url[len("attachment://") :]
            found = next((a for a in message.attachments if a.filename == name), None)
            return (name, found.data, found.content_type) if found else (name, None, None)
        if m := _CDN_URL.match(url):
            attachment = self.world.attachments.get(int(m.group(2)))
            name = unquote(m.group(3))
            if attachment is not None and attachment.filename in (name, m.group(3)):
                return attachment.filename, attachment.data, attachment.content_type
            return name, None, None
        if m := _DATA_URI.match(url):
            try:
                return "image", base64.b64decode("".join(m.group(2).split()), validate=True), m.group(1)
            except (binascii.Error, ValueError):
                return "image", None, None
        path = urlsplit(url).path if "://" in url else url
        return unquote(path.rstrip("/").rsplit("/", 1)[-1]) or "image", None, None

    def image(self, url: Any, message: Message, css: str, alt: str | None = None) -> str:
        name, data, content_type = self.resolve(url, message)
        mime = image_mime(data, content_type, name) if data is not None else None
        if data is not None and mime is not None:
            return f'<img class="{css}" alt="{_esc(alt or name)}" src="{_data_uri(mime, data)}">'
        return f'<div class="placeholder {css}"><span>🖼</span><span class="ph-name">{_esc(name)}</span></div>'

    def attachment(self, attachment: Attachment) -> str:
        mime = image_mime(attachment.data, attachment.content_type, attachment.filename)
        alt = _esc(attachment.description or attachment.filename)
        if mime is not None:
            return f'<img class="attachment" alt="{alt}" title="{alt}" src="{_data_uri(mime, attachment.data)}">'
        if _looks_like_image(attachment):
            return (
                f'<div class="placeholder attachment"><span>🖼</span>'
                f'<span class="ph-name">{_esc(attachment.filename)}</span></div>'
            )
        return _file_box(attachment.filename, len(attachment.data))

    def embed(self, embed: dict[str, Any], message: Message) -> str:
        colour = embed.get("color")
        bar = f"#{colour:06x}" if isinstance(colour, int) and 0 <= colour <= 0xFFFFFF else "#1e1f22"
        main: list[str] = []
        author = embed.get("author") or {}
        if author.get("name"):
            icon = self.image(author["icon_url"], message, "e-icon") if author.get("icon_url") else ""
            link = f' <span class="url">({_esc(author["url"])})</span>' if author.get("url") else ""
            main.append(f'<div class="e-author">{icon}<span>{_esc(author["name"])}</span>{link}</div>')
        if embed.get("title"):
            link = f'<div class="url">{_esc(embed["url"])}</div>' if embed.get("url") else ""
            main.append(f'<div class="e-title">{self.md.render(embed["title"], inline=True)}</div>{link}')
        if embed.get("description"):
            main.append(f'<div class="e-desc">{self.md.render(embed["description"])}</div>')
        fields = [f for f in embed.get("fields") or [] if isinstance(f, dict)]
        if fields:
            cells = []
            for item in fields:
                span = "e-field inline" if item.get("inline") else "e-field"
                cells.append(
                    f'<div class="{span}"><div class="e-fname">{self.md.render(item.get("name"), inline=True)}</div>'
                    f'<div class="e-fvalue">{self.md.render(item.get("value"))}</div></div>'
                )
            main.append(f'<div class="e-fields">{"".join(cells)}</div>')
        image = embed.get("image") or {}
        if image.get("url"):
            main.append(f'<div class="e-image">{self.image(image["url"], message, "e-img")}</div>')
        footer = embed.get("footer") or {}
        stamp = _parse_iso(embed.get("timestamp"))
        if footer.get("text") or stamp is not None:
            icon = self.image(footer["icon_url"], message, "e-icon") if footer.get("icon_url") else ""
            bits = [_esc(footer["text"])] if footer.get("text") else []
            if stamp is not None:
                bits.append(f"{_short_time(stamp)} UTC")
            main.append(f'<div class="e-footer">{icon}{" • ".join(bits)}</div>')
        thumb = embed.get("thumbnail") or {}
        side = f'<div class="e-thumb">{self.image(thumb["url"], message, "e-timg")}</div>' if thumb.get("url") else ""
        body = "".join(main)
        return f'<div class="embed" style="border-left-color:{bar}"><div class="e-main">{body}</div>{side}</div>'

    def components(self, components: Iterable[Any], message: Message) -> str:
        return "".join(self.component(c, message) for c in components if isinstance(c, dict))

    def component(self, c: dict[str, Any], message: Message) -> str:
        kind = c.get("type")
        inner = c.get("components") or []
        if kind == 1:
            return f'<div class="row">{self.components(inner, message)}</div>'
        if kind == 2:
            style = BUTTON_STYLES.get(c.get("style") or 2, "secondary")
            disabled = " disabled" if c.get("disabled") else ""
            emoji = _emoji_text(c.get("emoji"))
            label = " ".join(_esc(x) for x in (emoji, c.get("label")) if x) or "&nbsp;"
            arrow = ' <span class="ext">↗</span>' if style == "link" else ""
            return f'<span class="btn {style}{disabled}">{label}{arrow}</span>'
        if kind in SELECT_TYPES:
            shown = [str(o.get("label")) for o in c.get("options") or [] if o.get("default")]
            text = ", ".join(shown) or c.get("placeholder") or "Make a selection"
            disabled = " disabled" if c.get("disabled") else ""
            return f'<span class="select{disabled}">{_esc(text)}<span class="caret">▾</span></span>'
        if kind == 9:
            accessory = c.get("accessory")
            side = self.component(accessory, message) if isinstance(accessory, dict) else ""
            return f'<div class="section"><div>{self.components(inner, message)}</div><div>{side}</div></div>'
        if kind == 10:
            return f'<div class="text-display">{self.md.render(c.get("content"))}</div>'
        if kind == 11:
            return self.image((c.get("media") or {}).get("url"), message, "c-thumb", c.get("description"))
        if kind == 12:
            items = [i for i in c.get("items") or [] if isinstance(i, dict)]
            pictures = "".join(
                self.image((i.get("media") or {}).get("url"), message, "c-media", i.get("description")) for i in items
            )
            return f'<div class="gallery">{pictures}</div>'
        if kind == 13:
            name, data, _ = self.resolve((c.get("file") or {}).get("url"), message)
            return _file_box(name, None if data is None else len(data))
        if kind == 14:
            return '<hr class="separator">'
        if kind == 17:
            accent = c.get("accent_color")
            bar = f"#{accent:06x}" if isinstance(accent, int) and 0 <= accent <= 0xFFFFFF else "#4e5058"
            return f'<div class="container" style="border-left-color:{bar}">{self.components(inner, message)}</div>'
        if kind == 18 and isinstance(c.get("component"), dict):
            return self.component(c["component"], message)
        return ""


def _walk(components: Iterable[Any]) -> Iterable[dict[str, Any]]:
    for component in components:
        if not isinstance(component, dict):
            continue
        yield component
        yield from _walk(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from _walk([component[key]])


def _file_box(name: str, size: int | None) -> str:
    shown = f'<span class="muted">{_human_size(size)}</span>' if size is not None else ""
    return (
        f'<div class="file"><span class="file-icon">📄</span><span class="file-name">{_esc(name)}</span>{shown}</div>'
    )


def _emoji_text(emoji: Any) -> str:
    if not isinstance(emoji, dict) or not emoji.get("name"):
        return ""
    return f":{emoji['name']}:" if emoji.get("id") else str(emoji["name"])


def render_page(fake: FakeDiscord, guild_id: int, *, title: str, subtitle: str = "") -> str:
    """Return a self-contained HTML page showing guild ``guild_id`` of ``fake`` as Discord shows it.

    Left: the guild's text channels (threads nested). Main: each text channel in position order with its
    messages in order; each thread right under its starter message (or at the end of its channel),
    indented, private ones marked; then the bot's DMs with guild members. Ephemeral interaction replies
    appear where the interaction happened, marked "Only <member> can see this" under a line saying what
    the member did. Deleted messages, channels and threads are left out.
    """
    guild = fake.world.guilds.get(guild_id)
    if guild is None:
        raise KeyError(f"no guild with id {guild_id}")
    return _Page(fake, guild).render(title, subtitle)


CSS = """
*{box-sizing:border-box}
body{margin:0;background:#313338;color:#dbdee1;font:15px/1.375 "gg sans","Noto Sans",
"Helvetica Neue",Helvetica,Arial,sans-serif}
.app{display:flex;min-height:100vh}
.sidebar{width:240px;flex:none;background:#2b2d31;padding:0 8px 24px;position:sticky;top:0;align-self:flex-start;
max-height:100vh;overflow-y:auto}
.sidebar .guild{font-weight:700;color:#f2f3f5;padding:14px 8px;border-bottom:1px solid #1f2023;margin:0 -8px 8px}
.sidebar .cat{text-transform:uppercase;font-size:12px;font-weight:700;color:#949ba4;margin:16px 8px 4px;
letter-spacing:.02em}
.sidebar ul{list-style:none;margin:0;padding:0}
.sidebar a{display:block;color:#949ba4;text-decoration:none;padding:5px 8px;border-radius:4px}
.sidebar a:hover{background:#35373c;color:#dbdee1}
.sidebar .sub-threads a{padding:2px 8px 2px 28px;font-size:13px}
.hash{color:#80848e;margin-right:6px;font-weight:500}
main{flex:1;min-width:0;padding:0 0 48px}
.page-head{padding:20px 24px 12px;border-bottom:1px solid #1f2023}
.page-head h1{margin:0;font-size:22px;color:#f2f3f5}
.subtitle{margin:4px 0 0;color:#b5bac1}
.guild-name{margin:4px 0 0;color:#949ba4;font-size:13px}
.channel{padding:8px 0 16px;border-bottom:1px solid #1f2023}
.channel-head{font-size:16px;color:#f2f3f5;margin:0;padding:12px 24px;position:sticky;top:0;background:#313338;
border-bottom:1px solid #26282c;z-index:1}
.channel-head .topic{font-weight:400;color:#949ba4;font-size:13px;margin-left:12px}
.dm-head{font-size:14px;color:#dbdee1;margin:12px 24px 4px}
.msg{display:flex;gap:14px;padding:6px 24px 6px 16px;margin-top:6px}
.msg:hover{background:#2e3035}
.msg.ephemeral{background:rgba(88,101,242,.07);border-left:2px solid #5865f2}
.avatar{width:40px;height:40px;flex:none;border-radius:50%;color:#fff;font-weight:700;display:flex;
align-items:center;justify-content:center;margin-top:2px}
.msg-body{min-width:0;flex:1}
.action,.reply-ref{font-size:13px;color:#b5bac1;margin-bottom:2px}
.head{display:flex;align-items:baseline;gap:6px;flex-wrap:wrap}
.author{font-weight:600;color:#f2f3f5}
.bot-tag{background:#5865f2;color:#fff;font-size:10px;font-weight:700;padding:1px 4px;border-radius:3px;
position:relative;top:-1px}
.time,.edited,.muted{color:#949ba4;font-size:12px}
.content,.e-desc,.e-fvalue,.text-display{word-wrap:break-word;overflow-wrap:anywhere}
.content .line,.e-desc .line,.e-fvalue .line,.text-display .line{white-space:pre-wrap}
.thinking{color:#949ba4;font-style:italic}
.only{font-size:12px;color:#949ba4;margin-top:4px}
.mention{background:rgba(88,101,242,.3);color:#c9cdfb;border-radius:3px;padding:0 2px;font-weight:500}
.stamp{background:rgba(78,80,88,.48);border-radius:3px;padding:0 2px}
.emoji{color:#b5bac1}
.link{color:#00a8fc}
.url{color:#00a8fc;font-size:.9em;word-break:break-all}
.spoiler{background:#1e1f22;color:#1e1f22;border-radius:3px;padding:0 2px}
.spoiler:hover{color:#dbdee1}
code.ic{background:#2b2d31;border:1px solid #1f2023;border-radius:4px;padding:0 3px;font-size:.875em;
font-family:Consolas,"Andale Mono WT","Andale Mono",Menlo,monospace}
pre.code{background:#2b2d31;border:1px solid #1f2023;border-radius:4px;padding:8px;margin:4px 0;white-space:pre-wrap;
font-family:Consolas,"Andale Mono WT","Andale Mono",Menlo,monospace;font-size:.875em;max-width:90%}
pre.code .lang{display:block;color:#949ba4;font-size:11px;margin-bottom:4px}
blockquote{margin:2px 0;padding:0 0 0 12px;border-left:4px solid #4e5058}
.content ul,.content ol,.e-desc ul,.e-fvalue ul{margin:2px 0;padding-left:22px}
li.sub{margin-left:18px}
.h1{font-size:1.5em;font-weight:700}.h2{font-size:1.25em;font-weight:700}.h3{font-size:1.1em;font-weight:700}
.subtext{font-size:12px;color:#949ba4}
.embeds{display:flex;flex-direction:column;gap:4px;margin-top:4px}
.embed{display:flex;gap:16px;max-width:520px;background:#2b2d31;border-left:4px solid #1e1f22;border-radius:4px;
padding:8px 16px 12px 12px}
.e-main{flex:1;min-width:0;display:flex;flex-direction:column;gap:6px}
.e-author{display:flex;align-items:center;gap:8px;font-size:14px;font-weight:600;color:#f2f3f5}
.e-title{font-weight:700;color:#f2f3f5}
.e-desc{font-size:14px}
.e-fields{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}
.e-field{grid-column:1/-1}.e-field.inline{grid-column:auto}
.e-fname{font-weight:700;font-size:14px;color:#f2f3f5}
.e-fvalue{font-size:14px}
.e-img{max-width:100%;max-height:300px;border-radius:4px;display:block}
.e-thumb{flex:none}.e-timg{max-width:80px;max-height:80px;border-radius:4px}
img.e-icon{width:24px;height:24px;border-radius:50%}
.e-footer{display:flex;align-items:center;gap:8px;font-size:12px;color:#b5bac1}
.files{display:flex;flex-wrap:wrap;gap:8px;margin-top:6px}
img.attachment{max-width:400px;max-height:300px;border-radius:8px;display:block}
.file{display:flex;align-items:center;gap:8px;background:#2b2d31;border:1px solid #1f2023;border-radius:8px;
padding:10px 14px;max-width:420px}
.file-name{color:#00a8fc}
.placeholder{display:flex;flex-direction:column;align-items:center;justify-content:center;gap:4px;min-width:120px;
min-height:80px;padding:12px;background:#2b2d31;border:1px dashed #4e5058;border-radius:6px;color:#949ba4;
font-size:12px}
.placeholder.e-icon{min-width:24px;min-height:24px;padding:0;font-size:10px}
.placeholder.e-icon .ph-name{display:none}
.components{display:flex;flex-direction:column;gap:6px;margin-top:6px}
.row{display:flex;flex-wrap:wrap;gap:8px}
.btn{display:inline-flex;align-items:center;gap:4px;min-height:32px;padding:2px 16px;border-radius:4px;font-size:14px;
font-weight:500;color:#fff;cursor:default;user-select:none}
.btn.primary{background:#5865f2}.btn.secondary,.btn.link{background:#4e5058}.btn.success{background:#248046}
.btn.danger{background:#da373c}.btn.premium{background:#eb459e}
.btn.disabled,.select.disabled{opacity:.5}
.select{display:flex;justify-content:space-between;align-items:center;min-width:280px;max-width:400px;padding:8px 12px;
background:#1e1f22;border-radius:4px;color:#949ba4;font-size:14px;cursor:default}
.caret{margin-left:12px}
.section{display:flex;gap:12px;justify-content:space-between}
.container{background:#2b2d31;border-left:4px solid #4e5058;border-radius:8px;padding:12px 16px;max-width:520px;
display:flex;flex-direction:column;gap:8px}
.gallery{display:flex;flex-wrap:wrap;gap:4px}
img.c-media{max-width:240px;max-height:240px;border-radius:4px}
img.c-thumb{max-width:85px;max-height:85px;border-radius:4px}
hr.separator{border:0;border-top:1px solid #4e5058;margin:4px 0;width:100%}
.thread{margin:4px 24px 8px 70px;border-left:2px solid #4e5058;background:#2f3136;border-radius:0 6px 6px 0;
padding:4px 0 6px}
.thread.private{border-left-color:#f0b232}
.thread .msg{padding-left:12px}
.thread-head{display:flex;align-items:center;gap:8px;padding:6px 12px;font-weight:600;color:#f2f3f5}
.tag{font-size:11px;font-weight:600;background:#4e5058;color:#dbdee1;border-radius:3px;padding:1px 5px}
.tag.private{background:#f0b232;color:#1e1f22}
.empty{color:#949ba4;font-style:italic;margin:8px 24px}
"""
