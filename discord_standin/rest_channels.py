"""REST: channels and messages (create incl. multipart, edit, delete, get, history), typing, pins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .access import P
from .bodies import BODY
from .errors import (
    DiscordError,
    bad_request,
    field_error,
    json_response,
    missing_access,
    missing_permissions,
    no_content,
)
from .posting import Poster
from .routes import CHANNEL
from .serialize import channel_payload, message_payload
from .world import Channel

if TYPE_CHECKING:
    from .server import FakeDiscord

MESSAGE = CHANNEL + "/messages/{message_id:\\d+}"


class ChannelRoutes:
    """Handlers for /channels/{id} and its messages."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world
        self.poster = Poster(fake)

    def table(self) -> list[web.RouteDef]:
        """Return the aiohttp route table."""
        return [
            web.get(CHANNEL, self.get_channel),
            web.delete(CHANNEL, self.delete_channel),
            web.post(CHANNEL + "/typing", self.typing),
            web.post(CHANNEL + "/messages", self.create_message),
            web.get(CHANNEL + "/messages", self.history),
            web.get(MESSAGE, self.get_message),
            web.patch(MESSAGE, self.edit_message),
            web.delete(MESSAGE, self.delete_message),
            web.put(CHANNEL + "/messages/pins/{message_id:\\d+}", self.pin),
            web.delete(CHANNEL + "/messages/pins/{message_id:\\d+}", self.unpin),
            web.put(CHANNEL + "/pins/{message_id:\\d+}", self.pin),
            web.delete(CHANNEL + "/pins/{message_id:\\d+}", self.unpin),
            web.put(MESSAGE + "/reactions/{emoji}/@me", self.react),
        ]

    def visible_channel(self, request: web.Request) -> Channel:
        """Return the path's channel if the bot can see it (404 10003 / 403 50001 otherwise)."""
        channel = self.world.channel(int(request.match_info["channel_id"]))
        bot_id = self.world.bot.id
        if channel.guild_id is None:
            if channel.recipient_id is None:
                raise missing_access()
            return channel
        if not self.fake.access.can_see(channel, bot_id):
            raise missing_access()
        return channel

    async def get_channel(self, request: web.Request) -> web.Response:
        """GET /channels/{id}."""
        channel = self.visible_channel(request)
        return json_response(channel_payload(channel, self.world, viewer_id=self.world.bot.id))

    async def delete_channel(self, request: web.Request) -> web.Response:
        """DELETE /channels/{id} (Manage Channels; Manage Threads for threads)."""
        channel = self.visible_channel(request)
        needed = P.MANAGE_THREADS if channel.is_thread else P.MANAGE_CHANNELS
        if channel.guild_id is not None and not self.fake.access.has(channel, self.world.bot.id, needed):
            raise missing_permissions()
        channel.deleted = True
        payload = channel_payload(channel, self.world)
        await self.fake.dispatch(channel.guild_id, "THREAD_DELETE" if channel.is_thread else "CHANNEL_DELETE", payload)
        return json_response(payload)

    async def typing(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/typing."""
        self.visible_channel(request)
        return no_content()

    async def create_message(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/messages (JSON or multipart; honours nonce + enforce_nonce)."""
        channel = self.visible_channel(request)
        body = request[BODY]
        payload: dict[str, Any] = body.json or {}
        bot = self.world.bot
        self.poster.check_can_post(channel, bot, files=bool(body.files))
        earlier = self.poster.find_nonce(channel, payload)
        if earlier is not None:
            return json_response(message_payload(earlier, self.world))
        message = self.poster.build(channel, bot, payload, body)
        await self.poster.store(message)
        return json_response(message_payload(message, self.world))

    def _readable(self, request: web.Request) -> Channel:
        channel = self.visible_channel(request)
        if channel.guild_id is not None and not self.fake.access.has(
            channel, self.world.bot.id, P.READ_MESSAGE_HISTORY
        ):
            raise missing_permissions()
        return channel

    async def history(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages with limit/before/after/around, newest first."""
        channel = self._readable(request)
        query = request.query
        try:
            limit = int(query.get("limit", "50"))
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100:
            raise field_error("limit", "NUMBER_TYPE_MAX", "Must be between 1 and 100.")
        visible = [m for m in self.world.channel_messages.get(channel.id, []) if not m.deleted and not m.ephemeral]
        visible.sort(key=lambda m: m.id)
        if "after" in query:
            after = int(query["after"])
            chosen = [m for m in visible if m.id > after][:limit]
        elif "around" in query:
            around = int(query["around"])
            older = [m for m in visible if m.id <= around][-(limit // 2 + limit % 2) :]
            newer = [m for m in visible if m.id > around][: limit // 2]
            chosen = older + newer
        else:
            before = int(query["before"]) if "before" in query else None
            pool = [m for m in visible if before is None or m.id < before]
            chosen = pool[-limit:]
        chosen.sort(key=lambda m: m.id, reverse=True)
        return json_response([message_payload(m, self.world) for m in chosen])

    async def get_message(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages/{mid}."""
        channel = self._readable(request)
        message = self.world.message(channel.id, int(request.match_info["message_id"]))
        if message.ephemeral:
            raise DiscordError(404, 10008, "Unknown Message")
        return json_response(message_payload(message, self.world))

    async def edit_message(self, request: web.Request) -> web.Response:
        """PATCH /channels/{id}/messages/{mid} (only the bot's own messages)."""
        channel = self.visible_channel(request)
        message = self.world.message(channel.id, int(request.match_info["message_id"]))
        if message.ephemeral:
            raise DiscordError(404, 10008, "Unknown Message")
        if message.author.id != self.world.bot.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        body = request[BODY]
        if (
            body.files
            and channel.guild_id is not None
            and not self.fake.access.has(channel, self.world.bot.id, P.ATTACH_FILES)
        ):
            raise missing_permissions()
        self.poster.apply_edit(message, body.json or {}, body)
        await self.poster.announce_update(message)
        return json_response(message_payload(message, self.world))

    async def delete_message(self, request: web.Request) -> web.Response:
        """DELETE /channels/{id}/messages/{mid} (own message, or Manage Messages)."""
        channel = self.visible_channel(request)
        message = self.world.message(channel.id, int(request.match_info["message_id"]))
        self.poster.check_can_delete(channel, message)
        if channel.is_thread and channel.archived:  # Discord's client unarchives the thread first
            raise bad_request(50083, "Thread is archived")
        await self.poster.delete(message)
        return no_content()

    async def _set_pinned(self, request: web.Request, pinned: bool) -> web.Response:
        channel = self.visible_channel(request)
        message = self.world.message(channel.id, int(request.match_info["message_id"]))
        if channel.guild_id is not None and not self.fake.access.has(channel, self.world.bot.id, P.MANAGE_MESSAGES):
            raise missing_permissions()
        if message.type not in (0, 19, 20, 23):
            raise bad_request(50021, "Cannot execute action on a system message")
        message.pinned = pinned
        await self.poster.announce_update(message)
        return no_content()

    async def pin(self, request: web.Request) -> web.Response:
        """PUT a pin."""
        return await self._set_pinned(request, True)

    async def unpin(self, request: web.Request) -> web.Response:
        """DELETE a pin."""
        return await self._set_pinned(request, False)

    async def react(self, request: web.Request) -> web.Response:
        """PUT a reaction by the bot (recorded, not modelled)."""
        channel = self.visible_channel(request)
        self.world.message(channel.id, int(request.match_info["message_id"]))
        if channel.guild_id is not None and not self.fake.access.has(channel, self.world.bot.id, P.ADD_REACTIONS):
            raise missing_permissions()
        return no_content()
