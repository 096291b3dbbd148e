"""Interaction lifecycle: delivery, the 3 s acknowledgement, callbacks, and the 15-minute webhook token."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .bodies import Body
from .errors import DiscordError, bad_request, field_error
from .posting import ALLOWED_INTERACTION_FLAGS, Poster
from .records import AckRecord
from .serialize import channel_payload, member_payload, message_payload, user_payload
from .world import EPHEMERAL, LOADING, Channel, Message, User

if TYPE_CHECKING:
    from .server import FakeDiscord

PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, CHOICES, MODAL = 4, 5, 6, 7, 8, 9
VALID_CALLBACKS = {
    COMMAND: {MESSAGE, DEFERRED_MESSAGE, MODAL},
    COMPONENT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, MODAL},
    AUTOCOMPLETE: {CHOICES},
    MODAL_SUBMIT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE},
}
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class InteractionFailed(AssertionError):
    """Discord refused the bot's answer to an interaction (late, repeated, invalid...)."""

    def __init__(self, session: InteractionSession, error: DiscordError) -> None:
        super().__init__(f"{session.label}: the fake rejected the bot's callback: {error}")
        self.session = session
        self.status = error.status
        self.code = error.code


@dataclass
class InteractionSession:
    """One interaction sent to the bot, and everything the bot answered with its token."""

    id: int
    token: str
    type: int
    user: User
    guild_id: int | None
    channel_id: int
    payload: dict[str, Any]
    label: str
    created_at: float
    source_message: Message | None = None
    callback_type: int | None = None
    acked_at: float | None = None
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    loading: bool = False
    edits: int = 0
    source_version: int = 0
    rejections: list[DiscordError] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        """Say whether a callback was accepted."""
        return self.callback_type is not None


class InteractionRegistry:
    """Create interactions, deliver them, and apply the bot's callbacks and webhook calls."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world
        self.poster = Poster(fake)
        self.by_id: dict[int, InteractionSession] = {}
        self.by_token: dict[str, InteractionSession] = {}

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    # --- creation and delivery ------------------------------------------------------------------

    def create(
        self,
        *,
        kind: int,
        user: User,
        channel: Channel,
        data: dict[str, Any],
        label: str,
        message: Message | None = None,
    ) -> InteractionSession:
        """Build an interaction (payload as Discord sends it) for ``user`` in ``channel``."""
        iid = self.world.new_id()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        guild = self.world.guilds.get(channel.guild_id or 0)
        access = self.fake.access
        bot_perms = access.channel_permissions(channel, self.world.bot.id)
        user_perms = access.channel_permissions(channel, user.id)
        chan = channel_payload(channel, self.world) | {"permissions": str(user_perms)}
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.world.application.id),
            "type": kind,
            "data": data,
            "channel_id": str(channel.id),
            "channel": chan,
            "token": token,
            "version": 1,
            "app_permissions": str(bot_perms),
            "locale": user.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if guild is not None:
            member = guild.members[user.id]
            payload |= {
                "guild_id": str(guild.id),
                "guild": {"id": str(guild.id), "locale": guild.preferred_locale, "features": guild.features},
                "guild_locale": guild.preferred_locale,
                "member": member_payload(member) | {"permissions": str(user_perms)},
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": 0,
            }
        else:
            payload |= {"user": user_payload(user), "authorizing_integration_owners": {"0": "0"}, "context": 1}
        if message is not None:
            payload["message"] = message_payload(message, self.world)
        session = InteractionSession(
            iid, token, kind, user, channel.guild_id, channel.id, payload, label, 0.0, source_message=message
        )
        self.by_id[iid] = session
        self.by_token[token] = session
        return session

    async def deliver(self, session: InteractionSession) -> None:
        """Send INTERACTION_CREATE to the shard of the interaction's guild; the ack clock starts now."""
        await self.fake.flush()
        session.created_at = self._now()
        sent = await self.fake.gateway.dispatch(session.guild_id, "INTERACTION_CREATE", session.payload)
        if not sent:
            raise AssertionError(f"{session.label}: no connected gateway session would receive the interaction")

    # --- callback ------------------------------------------------------------------------------

    async def callback(self, interaction_id: int, token: str, body: Body) -> dict[str, Any]:
        """Apply ``POST /interactions/{id}/{token}/callback``; return the with_response body."""
        session = self.by_id.get(interaction_id)
        if session is None or session.token != token:
            raise DiscordError(404, 10062, "Unknown interaction")
        latency = self._now() - session.created_at
        payload: dict[str, Any] = body.json or {}
        kind = int(payload.get("type", 0))
        try:
            if latency > self.fake.ack_deadline:
                raise DiscordError(404, 10062, "Unknown interaction")
            if session.acknowledged:
                raise bad_request(40060, "Interaction has already been acknowledged.")
            if kind not in VALID_CALLBACKS.get(session.type, set()) or (
                session.type == MODAL_SUBMIT and kind in (DEFERRED_UPDATE, UPDATE) and session.source_message is None
            ):
                reason = f"$.type: callback type {kind} is not valid for interaction type {session.type}"
                self.fake.record_violation("POST", f"/interactions/{interaction_id}/:token/callback", payload, [reason])
                raise field_error("type", "INTERACTION_RESPONSE_TYPE_INVALID", reason.partition(": ")[2])
            result = await self._apply(session, kind, payload.get("data") or {}, body)
        except DiscordError as err:
            session.rejections.append(err)
            self.fake.records.acks.append(AckRecord(interaction_id, kind, latency, accepted=False))
            raise
        self.fake.records.acks.append(AckRecord(interaction_id, kind, latency))
        return result

    async def _apply(self, session: InteractionSession, kind: int, data: dict[str, Any], body: Body) -> dict[str, Any]:
        message: Message | None = None
        if kind == MESSAGE:
            message = await self._respond(session, data, body)
        elif kind == DEFERRED_MESSAGE:
            message = await self._respond(session, data, None, loading=True)
            session.loading = True
        elif kind in (DEFERRED_UPDATE, UPDATE):
            message = session.source_message
            session.source_version = message.version if message is not None else 0
            if kind == UPDATE and message is not None:
                self.poster.apply_edit(message, data, body)
                await self.poster.announce_update(message)
        elif kind == CHOICES:
            session.choices = list(data.get("choices") or [])
        elif kind == MODAL:
            session.modal = data
        session.callback_type = kind
        session.acked_at = self._now()
        if message is not None and session.original is None:
            session.original = message
        out: dict[str, Any] = {"interaction": {"id": str(session.id), "type": session.type}}
        resource: dict[str, Any] = {"type": kind}
        if message is not None:
            out["interaction"] |= {
                "response_message_id": str(message.id),
                "response_message_loading": kind == DEFERRED_MESSAGE,
                "response_message_ephemeral": message.ephemeral,
            }
            if kind in (MESSAGE, DEFERRED_MESSAGE, UPDATE):
                resource["message"] = message_payload(message, self.world)
        out["resource"] = resource
        return out

    def _as_webhook(self, session: InteractionSession) -> dict[str, Any]:
        return {
            "webhook_id": self.world.application.id,
            "application_id": self.world.application.id,
            "interaction_metadata": self._metadata(session),
        }

    async def _respond(
        self, session: InteractionSession, data: dict[str, Any], body: Body | None, *, loading: bool = False
    ) -> Message:
        channel = self.world.channel(session.channel_id)
        command_type = session.payload["data"].get("type", 1) if session.type == COMMAND else None
        msg_type = {1: 20, 2: 23, 3: 23}.get(command_type or 0, 0)
        if loading:
            message = Message(
                id=self.world.new_id(),
                channel_id=channel.id,
                guild_id=channel.guild_id,
                author=self.world.bot,
                flags=LOADING | (int(data.get("flags") or 0) & EPHEMERAL),
                type=msg_type,
                **self._as_webhook(session),
            )
        else:
            message = self.poster.build(
                channel,
                self.world.bot,
                data,
                body,
                allowed_flags=ALLOWED_INTERACTION_FLAGS,
                type=msg_type,
                **self._as_webhook(session),
            )
        await self.poster.store(message)
        return message

    def _metadata(self, session: InteractionSession) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "id": str(session.id),
            "type": session.type,
            "user": user_payload(session.user),
            "authorizing_integration_owners": session.payload.get("authorizing_integration_owners", {}),
        }
        if session.type == COMMAND:
            meta["name"] = session.payload["data"].get("name")
        if session.source_message is not None:
            meta["interacted_message_id"] = str(session.source_message.id)
        return meta

    # --- webhook (token) operations -------------------------------------------------------------

    def by_webhook(self, app_id: int, token: str) -> InteractionSession:
        """Return the session for a webhook token: 404 10015 unknown/not yet acked, 401 50027 expired."""
        session = self.by_token.get(token)
        if app_id != self.world.application.id or session is None or not session.acknowledged:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if self._now() - session.created_at > self.fake.token_lifetime:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return session

    def session_message(self, session: InteractionSession, message_id: str) -> Message:
        """Return @original or one of the session's followups (404 10008 otherwise)."""
        if message_id == "@original":
            found = session.original
        else:
            mid = int(message_id)
            candidates = [session.original, *session.followups]
            found = next((m for m in candidates if m is not None and m.id == mid), None)
        if found is None or found.deleted:
            raise DiscordError(404, 10008, "Unknown Message")
        return found

    async def edit(
        self, session: InteractionSession, message: Message, data: dict[str, Any], body: Body | None
    ) -> Message:
        """Edit @original or a followup; the first edit of a deferred reply ends its loading state."""
        self.poster.apply_edit(message, data, body)
        if message.flags & LOADING:
            message.flags &= ~LOADING
            session.loading = False
        session.edits += 1
        await self.poster.announce_update(message)
        return message

    async def followup(self, session: InteractionSession, data: dict[str, Any], body: Body | None) -> Message:
        """Create a followup; while a deferred reply is loading, the first followup fills it instead."""
        if session.loading and session.original is not None:
            original = session.original
            ephemeral = original.flags & EPHEMERAL
            await self.edit(session, original, {k: v for k, v in data.items() if k != "flags"}, body)
            original.flags |= ephemeral
            session.followups.append(original)
            return original
        channel = self.world.channel(session.channel_id)
        message = self.poster.build(
            channel, self.world.bot, data, body, allowed_flags=ALLOWED_INTERACTION_FLAGS, **self._as_webhook(session)
        )
        await self.poster.store(message)
        session.followups.append(message)
        return message
