"""What the bot answered to an interaction: a message, a deferral filled later, a modal, choices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .interactions import (
    CHOICES,
    DEFERRED_MESSAGE,
    DEFERRED_UPDATE,
    MESSAGE,
    MODAL,
    UPDATE,
    InteractionFailed,
    InteractionSession,
)
from .world import Message

if TYPE_CHECKING:
    from .server import FakeDiscord

KINDS = {
    MESSAGE: "message",
    DEFERRED_MESSAGE: "deferred",
    DEFERRED_UPDATE: "update",
    UPDATE: "update",
    CHOICES: "autocomplete",
    MODAL: "modal",
}
SELECT_TYPES = (3, 5, 6, 7, 8)


def walk_components(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Yield every component, depth first (rows, containers, sections, labels included)."""
    for component in components:
        yield component
        yield from walk_components(component.get("components") or [])
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from walk_components([component[key]])


def find_component(components: list[dict[str, Any]], key: str, *, types: tuple[int, ...]) -> dict[str, Any]:
    """Return the component of one of ``types`` whose custom_id, label or placeholder is ``key``."""
    seen = []
    for component in walk_components(components):
        if component.get("type") not in types:
            continue
        names = (component.get("custom_id"), component.get("label"), component.get("placeholder"))
        seen.append(next((n for n in names if n), "?"))
        if key in names:
            return component
    raise AssertionError(f"no component {key!r} among {seen}")


@dataclass
class Modal:
    """A modal the bot opened."""

    title: str
    custom_id: str
    components: list[dict[str, Any]]

    def inputs(self) -> list[tuple[str | None, dict[str, Any]]]:
        """Return (label, input component) for each text input, select or upload in the modal."""
        out: list[tuple[str | None, dict[str, Any]]] = []
        for top in self.components:
            if top.get("type") == 18 and isinstance(top.get("component"), dict):
                out.append((top.get("label"), top["component"]))
            elif top.get("type") == 1:
                out.extend((c.get("label"), c) for c in top.get("components") or [])
        return out


@dataclass
class Reply:
    """The bot's answer to one interaction (content etc. are a snapshot when the answer arrived)."""

    kind: str
    interaction: InteractionSession
    callback_type: int
    message: Message | None = None
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    files: list[tuple[str, bytes]] = field(default_factory=list)
    ephemeral: bool = False
    modal: Modal | None = None
    choices: list[dict[str, Any]] = field(default_factory=list)

    @property
    def followups(self) -> list[Message]:
        """Return the followup messages sent so far with this interaction's token."""
        return list(self.interaction.followups)

    @property
    def embed(self) -> dict[str, Any] | None:
        """Return the first embed, if any."""
        return self.embeds[0] if self.embeds else None

    def text(self) -> str:
        """Return the content plus every embed's title, description and fields, for loose assertions."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            for f in embed.get("fields") or []:
                parts += [f.get("name") or "", f.get("value") or ""]
        for component in walk_components(self.components):
            if component.get("type") == 10:
                parts.append(component.get("content") or "")
        return "\n".join(p for p in parts if p)

    def component(self, key: str) -> dict[str, Any]:
        """Return the button or select whose custom_id, label or placeholder is ``key``."""
        return find_component(self.components, key, types=(2, *SELECT_TYPES))

    def labels(self) -> list[str]:
        """Return the labels of every button."""
        return [c.get("label") or "" for c in walk_components(self.components) if c.get("type") == 2]


async def resolve_reply(fake: FakeDiscord, session: InteractionSession, *, timeout: float) -> Reply:
    """Wait for the bot's answer (and for a deferral to be filled) and return it as a Reply."""
    label = session.label

    def answered_or_too_late() -> bool:
        return session.acknowledged or any(r.code == 10062 for r in session.rejections)

    try:
        await fake.changed.wait_for(answered_or_too_late, timeout=timeout, what=f"a response to {label}")
    except AssertionError:
        if session.rejections:
            raise InteractionFailed(session, session.rejections[-1]) from None
        raise
    if not session.acknowledged:
        raise InteractionFailed(session, session.rejections[-1])
    kind = session.callback_type or 0
    original = session.original
    if kind == DEFERRED_MESSAGE:
        await fake.changed.wait_for(
            lambda: not session.loading or (original is not None and original.deleted),
            timeout=timeout,
            what=f"{label}: the deferred reply to be filled (PATCH @original or a followup)",
        )
    elif kind == DEFERRED_UPDATE:
        source = session.source_message

        def edited() -> bool:
            if session.edits > 0 or session.followups:
                return True
            return source is not None and (source.version > session.source_version or source.deleted)

        await fake.changed.wait_for(edited, timeout=timeout, what=f"{label}: the message edit after a deferred update")
    message = original
    if kind == DEFERRED_UPDATE and session.edits == 0 and session.followups:
        message = session.followups[0]
    reply = Reply(kind=KINDS.get(kind, str(kind)), interaction=session, callback_type=kind)
    if kind == MODAL and session.modal is not None:
        data = session.modal
        reply.modal = Modal(
            str(data.get("title", "")), str(data.get("custom_id", "")), list(data.get("components") or [])
        )
    elif kind == CHOICES:
        reply.choices = list(session.choices or [])
    elif message is not None:
        reply.message = message
        reply.content = message.content
        reply.embeds = [dict(e) for e in message.embeds]
        reply.components = list(message.components)
        reply.files = [(a.filename, a.data) for a in message.attachments]
        reply.ephemeral = message.ephemeral
    return reply
