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

from typing import TYPE_CHECKING

from .markdown import _esc
from .page_message import _Messages
from .page_style import CSS
from .world import ANNOUNCEMENT, CATEGORY, TEXT, Channel, Guild, Message, User

if TYPE_CHECKING:
    from .server import FakeDiscord

__all__ = ["render_page"]

TEXT_KINDS = (TEXT, ANNOUNCEMENT)

# --- the page -----------------------------------------------------------------------------------------


class _Page(_Messages):
    """Collects a guild's channels, threads, messages and interaction sessions, and writes the HTML."""

    def __init__(self, fake: FakeDiscord, guild: Guild) -> None:
        super().__init__(fake, guild)
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
