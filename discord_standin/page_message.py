"""One message of the guild page: author line, content, embeds, components, attachments, the interaction line."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .images import _data_uri, _file_box, _looks_like_image, image_mime
from .interactions import COMMAND, COMPONENT, MODAL_SUBMIT, InteractionSession
from .markdown import _esc, _Markdown, _Names, _parse_iso, _short_time
from .snowflakes import snowflake_time
from .world import LOADING, Attachment, Guild, Message

if TYPE_CHECKING:
    from .server import FakeDiscord

SELECT_TYPES = (3, 5, 6, 7, 8)
AVATAR_COLOURS = ("#5865f2", "#757e8a", "#3ba55c", "#faa61a", "#ed4245", "#eb459e")
BUTTON_STYLES = {1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link", 6: "premium"}
_CDN_URL = re.compile(r"^https?://[^/]+/attachments/(\d+)/(\d+)/([^?#/]+)")
_DATA_URI = re.compile(r"^data:(image/[\w.+-]+);base64,([A-Za-z0-9+/=\s]+)$")


class _Messages:
    """Writes the HTML of one message: its interaction line, content, embeds, files and components."""

    def __init__(self, fake: FakeDiscord, guild: Guild) -> None:
        self.fake = fake
        self.world = fake.world
        self.guild = guild
        self.names = _Names(fake, guild)
        self.md = _Markdown(self.names)
        self.sessions: dict[int, InteractionSession] = dict(fake.interactions.by_id)

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


def _emoji_text(emoji: Any) -> str:
    if not isinstance(emoji, dict) or not emoji.get("name"):
        return ""
    return f":{emoji['name']}:" if emoji.get("id") else str(emoji["name"])
