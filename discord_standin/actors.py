"""Actors: members who use the bot (slash commands, buttons, selects, modals, messages)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .access import P
from .interactions import AUTOCOMPLETE, COMMAND, COMPONENT, MODAL_SUBMIT, InteractionSession
from .options import CommandNotAvailable, Resolver, build_command_data, check_allowed, find_command
from .replies import SELECT_TYPES, Modal, Reply, find_component, resolve_reply, walk_components
from .serialize import message_payload
from .snowflakes import now_iso
from .world import TEXT, Channel, Guild, Message, User

if TYPE_CHECKING:
    from .server import FakeDiscord

Target = Reply | Message


class Actor:
    """A guild member driving the bot through the fake, the way the Discord client would."""

    def __init__(self, fake: FakeDiscord, guild: Guild, user: User) -> None:
        self.fake = fake
        self.guild = guild
        self.user = user

    def __repr__(self) -> str:
        return f"<Actor {self.user.username} id={self.user.id}>"

    @property
    def id(self) -> int:
        """Return the user id."""
        return self.user.id

    @property
    def mention(self) -> str:
        """Return the ``<@id>`` mention."""
        return f"<@{self.user.id}>"

    @property
    def dm_channel(self) -> Channel:
        """Return the bot's DM channel with this member (created on first use)."""
        return self.fake.world.dm_channel_for(self.user)

    def can_see(self, channel: Channel) -> bool:
        """Say whether this member can see a channel or thread."""
        return channel.guild_id is None or self.fake.access.can_see(channel, self.user.id)

    def _guild_of(self, channel: Channel) -> Guild | None:
        return self.guild if channel.guild_id is not None else None

    def _default_channel(self) -> Channel:
        channels = [c for c in self.fake.world.guild_channels(self.guild.id) if c.type == TEXT]
        if not channels:
            raise AssertionError(f"guild {self.guild.name!r} has no text channel")
        return channels[0]

    def _check_sees(self, channel: Channel) -> None:
        if channel.guild_id is not None and not self.fake.access.can_see(channel, self.user.id):
            raise AssertionError(f"{self.user.username} cannot see #{channel.name}")

    async def _run(self, session: InteractionSession, *, timeout: float) -> Reply:
        await self.fake.interactions.deliver(session)
        return await resolve_reply(self.fake, session, timeout=timeout)

    # --- application commands ------------------------------------------------------------------

    async def slash(
        self,
        command: str,
        *,
        channel: Channel | None = None,
        options: dict[str, Any] | None = None,
        bypass_permissions: bool = False,
        crafted: bool = False,
        timeout: float = 5.0,
        **values: Any,
    ) -> Reply:
        """Run ``/command [group] [sub]`` with typed options (keyword args, or ``options=`` for clashes).

        ``bypass_permissions`` skips Discord's gate (a DM reaching a server command, say); ``crafted``
        sends option values as given, unchecked against what the command declared.
        """
        session = self.slash_interaction(
            command, channel=channel, options=options, bypass_permissions=bypass_permissions, crafted=crafted, **values
        )
        return await self._run(session, timeout=timeout)

    def slash_interaction(
        self,
        command: str,
        *,
        channel: Channel | None = None,
        options: dict[str, Any] | None = None,
        bypass_permissions: bool = False,
        focused: str | None = None,
        crafted: bool = False,
        **values: Any,
    ) -> InteractionSession:
        """Build (without delivering) a chat-input or autocomplete interaction."""
        where = channel or self._default_channel()
        self._check_sees(where)
        top, *subs = command.split()
        guild = self._guild_of(where)
        definition = find_command(self.fake, guild, top, 1)
        if not bypass_permissions:
            check_allowed(self.fake, definition, self.user, guild, where)
        resolver = Resolver(self.fake, guild, where, self.user)
        data = build_command_data(
            definition, subs, {**(options or {}), **values}, resolver, focused=focused, crafted=crafted
        )
        kind = AUTOCOMPLETE if focused else COMMAND
        return self.fake.interactions.create(
            kind=kind,
            user=self.user,
            channel=where,
            data=data,
            label=f"/{command}" + (f" [{focused}]" if focused else ""),
        )

    async def autocomplete(
        self,
        command: str,
        option: str,
        typed: str = "",
        *,
        channel: Channel | None = None,
        timeout: float = 5.0,
        **values: Any,
    ) -> list[dict[str, Any]]:
        """Type ``typed`` into ``option`` of ``/command`` and return the bot's choices."""
        session = self.slash_interaction(
            command, channel=channel, focused=option, bypass_permissions=True, **{**values, option: typed}
        )
        reply = await self._run(session, timeout=timeout)
        if reply.kind != "autocomplete":
            raise AssertionError(f"/{command} answered autocomplete with a {reply.kind}")
        return reply.choices

    async def context_menu(
        self,
        name: str,
        target: Message | Actor | User,
        *,
        channel: Channel | None = None,
        bypass_permissions: bool = False,
        timeout: float = 5.0,
    ) -> Reply:
        """Run a message (target is a Message) or user (target is a member) context-menu command."""
        is_message = isinstance(target, Message)
        where = channel or (self.fake.world.channel(target.channel_id) if isinstance(target, Message) else None)
        where = where or self._default_channel()
        self._check_sees(where)
        guild = self._guild_of(where)
        definition = find_command(self.fake, guild, name, 3 if is_message else 2)
        if not bypass_permissions:
            check_allowed(self.fake, definition, self.user, guild, where)
        resolver = Resolver(self.fake, guild, where, self.user)
        data: dict[str, Any] = {"id": definition["id"], "name": name, "type": definition["type"]}
        if definition.get("guild_id"):
            data["guild_id"] = definition["guild_id"]
        if isinstance(target, Message):
            data["target_id"] = str(target.id)
            data["resolved"] = {"messages": {str(target.id): message_payload(target, self.fake.world)}}
        else:
            data["target_id"] = str(resolver.user(target))
            data["resolved"] = resolver.data
        session = self.fake.interactions.create(kind=COMMAND, user=self.user, channel=where, data=data, label=name)
        return await self._run(session, timeout=timeout)

    # --- components ----------------------------------------------------------------------------

    def _message_of(self, target: Target) -> Message:
        message = target.message if isinstance(target, Reply) else target
        if message is None:
            raise AssertionError(f"{target!r} has no message to interact with")
        if message.deleted:
            raise AssertionError(f"message {message.id} was deleted")
        meta = message.interaction_metadata or {}
        owner = (meta.get("user") or {}).get("id")
        if message.ephemeral and owner is not None and owner != str(self.user.id):
            raise AssertionError(f"{self.user.username} cannot see another member's ephemeral message")
        return message

    async def press(self, target: Target, key: str, *, timeout: float = 5.0) -> Reply:
        """Press the button with label or custom_id ``key`` on a reply or message."""
        message = self._message_of(target)
        button = find_component(message.components, key, types=(2,))
        if button.get("disabled"):
            raise AssertionError(f"button {key!r} is disabled")
        if button.get("style") in (5, 6) or "custom_id" not in button:
            raise AssertionError(f"button {key!r} is a link/premium button, it sends no interaction")
        return await self.interact_component(button["custom_id"], message=message, component_type=2, timeout=timeout)

    async def choose(self, target: Target, key: str, values: Iterable[Any], *, timeout: float = 5.0) -> Reply:
        """Pick ``values`` in the select with custom_id or placeholder ``key``."""
        message = self._message_of(target)
        select = find_component(message.components, key, types=SELECT_TYPES)
        if select.get("disabled"):
            raise AssertionError(f"select {key!r} is disabled")
        chosen = list(values)
        _check_select(select, chosen, key)
        return await self.interact_component(
            select["custom_id"],
            message=message,
            component_type=select["type"],
            values=chosen,
            timeout=timeout,
        )

    async def interact_component(
        self,
        custom_id: str,
        *,
        message: Message | None = None,
        channel: Channel | None = None,
        component_type: int = 2,
        values: list[Any] | None = None,
        timeout: float = 5.0,
    ) -> Reply:
        """Send a component interaction for any ``custom_id`` (e.g. a persistent button after a restart)."""
        if message is None:
            where = channel or self._default_channel()
            message = Message(
                id=self.fake.world.new_id(), channel_id=where.id, guild_id=where.guild_id, author=self.fake.world.bot
            )
        where = self.fake.world.channel(message.channel_id)
        self._check_sees(where)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data.update(_select_values(self, where, component_type, values))
        session = self.fake.interactions.create(
            kind=COMPONENT,
            user=self.user,
            channel=where,
            data=data,
            label=f"component {custom_id!r}",
            message=message,
        )
        return await self._run(session, timeout=timeout)

    async def submit_modal(self, reply: Reply, values: dict[str, Any], *, timeout: float = 5.0) -> Reply:
        """Fill the modal ``reply`` (keys: custom_id or label) and submit it."""
        modal = reply.modal
        if modal is None:
            raise AssertionError(f"the reply is a {reply.kind}, not a modal")
        opener = reply.interaction
        if opener.user.id != self.user.id:
            raise AssertionError(f"{self.user.username} cannot submit a modal shown to {opener.user.username}")
        where = self.fake.world.channel(opener.channel_id)
        components = _modal_components(self, where, modal, values)
        data: dict[str, Any] = {"custom_id": modal.custom_id, "components": components}
        resolved = _hoist_resolved(components)
        if resolved:
            data["resolved"] = resolved
        session = self.fake.interactions.create(
            kind=MODAL_SUBMIT,
            user=self.user,
            channel=where,
            data=data,
            label=f"modal {modal.custom_id!r}",
            message=opener.source_message,
        )
        return await self._run(session, timeout=timeout)

    # --- messages ------------------------------------------------------------------------------

    async def say(
        self,
        channel: Channel,
        content: str,
        *,
        reply_to: Message | None = None,
        files: Iterable[tuple[str, bytes]] = (),
    ) -> Message:
        """Post a message as this member (MESSAGE_CREATE; content blanked without the content intent)."""
        poster = self.fake.interactions.poster
        if channel.guild_id is not None:
            self._check_sees(channel)
            needed = P.SEND_MESSAGES_IN_THREADS if channel.is_thread else P.SEND_MESSAGES
            if not self.fake.access.has(channel, self.user.id, needed):
                raise AssertionError(f"{self.user.username} may not post in #{channel.name}")
        attachments = [poster.host_file(channel.id, name, data) for name, data in files]
        message = Message(
            id=self.fake.world.new_id(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=self.user,
            content=content,
            attachments=attachments,
        )
        if reply_to is not None:
            message.type = 19
            message.message_reference = {"type": 0, "message_id": str(reply_to.id), "channel_id": str(channel.id)}
        await self.fake.flush()
        return await poster.store(message)

    async def edit(self, message: Message, content: str) -> Message:
        """Edit one of this member's messages (MESSAGE_UPDATE)."""
        if message.author.id != self.user.id:
            raise AssertionError(f"{self.user.username} can only edit their own messages")
        message.content = content
        message.edited_timestamp = now_iso()
        await self.fake.flush()
        await self.fake.interactions.poster.announce_update(message)
        return message

    async def delete(self, message: Message) -> None:
        """Delete one of this member's messages (MESSAGE_DELETE)."""
        if message.author.id != self.user.id:
            raise AssertionError(f"{self.user.username} can only delete their own messages here")
        await self.fake.flush()
        await self.fake.interactions.poster.delete(message)


def _check_select(select: dict[str, Any], chosen: list[Any], key: str) -> None:
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not low <= len(chosen) <= high:
        raise AssertionError(f"select {key!r} takes {low}..{high} values, got {len(chosen)}")
    if select.get("type") == 3:
        offered = [o["value"] for o in select.get("options") or []]
        unknown = [v for v in chosen if v not in offered]
        if unknown:
            raise AssertionError(f"select {key!r} has no option(s) {unknown} (offered: {offered})")


def _select_values(actor: Actor, channel: Channel, component_type: int, values: list[Any]) -> dict[str, Any]:
    if component_type == 3:
        return {"values": [str(v) for v in values]}
    resolver = Resolver(actor.fake, actor.guild, channel, actor.user)
    pick = {5: resolver.user, 6: resolver.role, 7: resolver.mentionable}
    ids = [resolver.channel_value(v, None) if component_type == 8 else pick[component_type](v) for v in values]
    return {"values": [str(i) for i in ids], "resolved": resolver.data}


def _modal_components(actor: Actor, channel: Channel, modal: Modal, values: dict[str, Any]) -> list[dict[str, Any]]:
    """Mirror the modal's layout with the submitted values, as Discord sends a modal submit."""
    known = {key for label, comp in modal.inputs() for key in (label, comp.get("custom_id")) if key}
    unknown = set(values) - known
    if unknown:
        raise AssertionError(f"modal {modal.custom_id!r} has no field(s) {sorted(unknown)} (fields: {sorted(known)})")

    def submitted(label: str | None, comp: dict[str, Any]) -> dict[str, Any]:
        key = comp.get("custom_id")
        given = values.get(key) if key in values else values.get(label or "\0")
        out: dict[str, Any] = {"type": comp["type"], "id": comp.get("id", 0), "custom_id": key}
        if comp["type"] == 4:
            text = str(given) if given is not None else str(comp.get("value") or "")
            if comp.get("required", True) and not text:
                raise AssertionError(f"modal field {label or key!r} is required")
            low, high = comp.get("min_length", 0), comp.get("max_length", 4000)
            if text and not low <= len(text) <= high:
                raise AssertionError(f"modal field {label or key!r}: length {len(text)} outside {low}..{high}")
            return out | {"value": text}
        chosen = list(given or [])
        if comp["type"] == 19:
            resolver = Resolver(actor.fake, actor.guild, channel, actor.user)
            ids = [str(resolver.attachment(f)) for f in chosen]
            return out | {"values": ids, "resolved": resolver.data}
        if comp.get("required", True) and not chosen:
            raise AssertionError(f"modal field {label or key!r} is required")
        _check_select({**comp, "min_values": comp.get("min_values", 1 if chosen else 0)}, chosen, label or str(key))
        return out | _select_values(actor, channel, comp["type"], chosen)

    components: list[dict[str, Any]] = []
    for top in modal.components:
        if top.get("type") == 18 and isinstance(top.get("component"), dict):
            components.append(
                {"type": 18, "id": top.get("id", 0), "component": submitted(top.get("label"), top["component"])}
            )
        elif top.get("type") == 1:
            inner = [submitted(c.get("label"), c) for c in top.get("components") or []]
            components.append({"type": 1, "id": top.get("id", 0), "components": inner})
        elif top.get("type") == 10:
            components.append({"type": 10, "id": top.get("id", 0)})
    return components


def _hoist_resolved(components: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Move per-field ``resolved`` data to the modal submit's top level, where Discord puts it."""
    merged: dict[str, dict[str, Any]] = {}
    for component in walk_components(components):
        for kind, entries in (component.pop("resolved", None) or {}).items():
            merged.setdefault(kind, {}).update(entries)
    return merged


__all__ = ["Actor", "CommandNotAvailable"]
