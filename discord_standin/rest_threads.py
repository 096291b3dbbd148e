"""REST: threads (start from a message or not), thread members, PATCH channel (archive/lock/rename)."""

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
from .routes import API, CHANNEL
from .serialize import channel_payload, member_payload, thread_member_payload, thread_payload
from .snowflakes import now_iso
from .world import MAX_ACTIVE_THREADS, PRIVATE_THREAD, PUBLIC_THREAD, TEXT, Channel, Message

if TYPE_CHECKING:
    from .server import FakeDiscord

ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)


class ThreadRoutes:
    """Handlers for thread creation, membership and channel edits."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world
        self.poster = Poster(fake)

    def table(self) -> list[web.RouteDef]:
        """Return the aiohttp route table."""
        members = CHANNEL + "/thread-members"
        return [
            web.post(CHANNEL + "/messages/{message_id:\\d+}/threads", self.start_from_message),
            web.post(CHANNEL + "/threads", self.start_without_message),
            web.patch(CHANNEL, self.edit_channel),
            web.get(members, self.list_members),
            web.get(members + "/{user_id:\\d+}", self.get_member),
            web.put(members + "/@me", self.join),
            web.put(members + "/{user_id:\\d+}", self.add_member),
            web.delete(members + "/@me", self.leave),
            web.delete(members + "/{user_id:\\d+}", self.remove_member),
            web.get(API + "/guilds/{guild_id:\\d+}/threads/active", self.active_threads),
        ]

    def _channel(self, request: web.Request) -> Channel:
        channel = self.world.channel(int(request.match_info["channel_id"]))
        if channel.guild_id is None or not self.fake.access.can_see(channel, self.world.bot.id):
            raise missing_access()
        return channel

    def _thread(self, request: web.Request) -> Channel:
        channel = self._channel(request)
        if not channel.is_thread:
            raise bad_request(50024, "Cannot execute action on this channel type")
        return channel

    def _check_thread_limit(self, guild_id: int) -> None:
        if len(self.world.active_threads(guild_id)) >= MAX_ACTIVE_THREADS:
            raise bad_request(160006, "Maximum number of active threads reached")

    def _new_thread(self, parent: Channel, body: dict[str, Any], kind: int, thread_id: int | None = None) -> Channel:
        duration = int(body.get("auto_archive_duration") or 4320)
        if duration not in ARCHIVE_DURATIONS:
            raise field_error("auto_archive_duration", "BASE_TYPE_CHOICES", f"Must be one of {ARCHIVE_DURATIONS}.")
        bot_id = self.world.bot.id
        thread = Channel(
            id=thread_id or self.world.new_id(),
            type=kind,
            name=str(body.get("name", "")),
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=bot_id,
            auto_archive_duration=duration,
            rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
            invitable=bool(body.get("invitable", True)),
        )
        thread.thread_members[bot_id] = now_iso()
        return self.world.add_channel(thread)

    async def _announce_new(self, thread: Channel) -> None:
        bot_id = self.world.bot.id
        payload = thread_payload(thread, viewer_id=bot_id) | {"newly_created": True}
        await self.fake.dispatch(thread.guild_id, "THREAD_CREATE", payload)
        added = thread_member_payload(thread, bot_id)
        await self.fake.dispatch(
            thread.guild_id,
            "THREAD_MEMBERS_UPDATE",
            {"id": str(thread.id), "guild_id": str(thread.guild_id), "member_count": 1, "added_members": [added]},
        )

    async def start_from_message(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/messages/{mid}/threads: a public thread whose id is the message id."""
        parent = self._channel(request)
        if parent.type != TEXT:
            raise bad_request(50024, "Cannot execute action on this channel type")
        self.fake.access.require(parent, self.world.bot.id, P.CREATE_PUBLIC_THREADS, P.READ_MESSAGE_HISTORY)
        message: Message = self.world.message(parent.id, int(request.match_info["message_id"]))
        if message.thread_id is not None:
            raise bad_request(160004, "A thread has already been created for this message")
        assert parent.guild_id is not None
        self._check_thread_limit(parent.guild_id)
        thread = self._new_thread(parent, request[BODY].json or {}, PUBLIC_THREAD, thread_id=message.id)
        thread.starter_message_id = message.id
        message.thread_id = thread.id
        await self._announce_new(thread)
        await self.poster.announce_update(message)
        return json_response(thread_payload(thread, viewer_id=self.world.bot.id), status=201)

    async def start_without_message(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/threads: type 11 (public) or 12 (private, with ``invitable``)."""
        parent = self._channel(request)
        body = request[BODY].json or {}
        kind = int(body.get("type") or PRIVATE_THREAD)
        if parent.type != TEXT or kind not in (PUBLIC_THREAD, PRIVATE_THREAD):
            raise bad_request(50024, "Cannot execute action on this channel type")
        needed = P.CREATE_PRIVATE_THREADS if kind == PRIVATE_THREAD else P.CREATE_PUBLIC_THREADS
        self.fake.access.require(parent, self.world.bot.id, needed)
        assert parent.guild_id is not None
        self._check_thread_limit(parent.guild_id)
        thread = self._new_thread(parent, body, kind)
        await self._announce_new(thread)
        return json_response(thread_payload(thread, viewer_id=self.world.bot.id), status=201)

    async def edit_channel(self, request: web.Request) -> web.Response:
        """PATCH /channels/{id}: archive, lock, rename, invitable (threads); name/topic (text)."""
        channel = self._channel(request)
        body: dict[str, Any] = request[BODY].json or {}
        bot_id = self.world.bot.id
        access = self.fake.access
        if not channel.is_thread:
            access.require(channel, bot_id, P.MANAGE_CHANNELS)
            channel.name = body.get("name", channel.name)
            channel.topic = body.get("topic", channel.topic)
            await self.fake.dispatch(channel.guild_id, "CHANNEL_UPDATE", channel_payload(channel, self.world))
            return json_response(channel_payload(channel, self.world))
        moderator = access.has(channel, bot_id, P.MANAGE_THREADS)
        owner = channel.owner_id == bot_id
        if ("locked" in body or "invitable" in body) and not moderator:
            raise missing_permissions()
        if channel.locked and channel.archived and not moderator:
            raise missing_permissions()
        if ("name" in body or body.get("archived") is True or "auto_archive_duration" in body) and not (
            moderator or owner
        ):
            raise missing_permissions()
        if body.get("archived") is False:
            access.require(channel, bot_id, P.SEND_MESSAGES_IN_THREADS)
            if channel.archived:
                self._check_thread_limit(channel.guild_id or 0)
        for key in ("name", "locked", "invitable", "auto_archive_duration", "rate_limit_per_user"):
            if key in body and body[key] is not None:
                setattr(channel, key, body[key])
        if "archived" in body and body["archived"] is not None and bool(body["archived"]) != channel.archived:
            channel.archived = bool(body["archived"])
            channel.archive_timestamp = now_iso()
        payload = thread_payload(channel, viewer_id=bot_id)
        await self.fake.dispatch(channel.guild_id, "THREAD_UPDATE", payload)
        return json_response(payload)

    # --- members -------------------------------------------------------------------------------

    async def list_members(self, request: web.Request) -> web.Response:
        """GET /channels/{tid}/thread-members (needs the Server Members intent enabled for the app)."""
        thread = self._thread(request)
        if not self.fake.members_intent:
            raise missing_access()
        out = []
        guild = self.world.guilds[thread.guild_id or 0]
        with_member = request.query.get("with_member") in ("true", "True", "1")
        for uid in thread.thread_members:
            entry = thread_member_payload(thread, uid)
            if with_member and uid in guild.members:
                entry["member"] = member_payload(guild.members[uid])
            out.append(entry)
        return json_response(out)

    async def get_member(self, request: web.Request) -> web.Response:
        """GET /channels/{tid}/thread-members/{uid}."""
        thread = self._thread(request)
        uid = int(request.match_info["user_id"])
        if uid not in thread.thread_members:
            raise DiscordError(404, 10007, "Unknown Member")
        return json_response(thread_member_payload(thread, uid))

    def _check_open(self, thread: Channel) -> None:
        if thread.archived:
            raise bad_request(50083, "Thread is archived")

    async def join(self, request: web.Request) -> web.Response:
        """PUT /channels/{tid}/thread-members/@me."""
        thread = self._thread(request)
        self._check_open(thread)
        await self.poster.add_thread_member(thread, self.world.bot.id)
        return no_content()

    async def add_member(self, request: web.Request) -> web.Response:
        """PUT /channels/{tid}/thread-members/{uid}: the user must be a guild member (else 404 10007)."""
        thread = self._thread(request)
        bot_id = self.world.bot.id
        self.fake.access.require(thread, bot_id, P.SEND_MESSAGES_IN_THREADS)
        self._check_open(thread)
        guild = self.world.guilds[thread.guild_id or 0]
        uid = int(request.match_info["user_id"])
        self.world.member(guild, uid)
        moderator = self.fake.access.has(thread, bot_id, P.MANAGE_THREADS)
        inviter_ok = bot_id in thread.thread_members and (thread.invitable or thread.owner_id == bot_id)
        if thread.is_private_thread and not moderator and not inviter_ok:
            raise missing_permissions()
        await self.poster.add_thread_member(thread, uid)
        return no_content()

    async def leave(self, request: web.Request) -> web.Response:
        """DELETE /channels/{tid}/thread-members/@me."""
        thread = self._thread(request)
        await self.poster.remove_thread_member(thread, self.world.bot.id)
        return no_content()

    async def remove_member(self, request: web.Request) -> web.Response:
        """DELETE /channels/{tid}/thread-members/{uid} (Manage Threads, or the owner of a private thread)."""
        thread = self._thread(request)
        bot_id = self.world.bot.id
        uid = int(request.match_info["user_id"])
        allowed = (
            self.fake.access.has(thread, bot_id, P.MANAGE_THREADS)
            or uid == bot_id
            or (thread.is_private_thread and thread.owner_id == bot_id)
        )
        if not allowed:
            raise missing_permissions()
        self._check_open(thread)
        if uid not in thread.thread_members:
            raise DiscordError(404, 10007, "Unknown Member")
        await self.poster.remove_thread_member(thread, uid)
        return no_content()

    async def active_threads(self, request: web.Request) -> web.Response:
        """GET /guilds/{gid}/threads/active (those the bot can see)."""
        guild = self.world.guild(int(request.match_info["guild_id"]))
        bot_id = self.world.bot.id
        threads = [t for t in self.world.active_threads(guild.id) if self.fake.access.can_see(t, bot_id)]
        return json_response(
            {
                "threads": [thread_payload(t) for t in threads],
                "members": [thread_member_payload(t, bot_id) for t in threads if bot_id in t.thread_members],
            }
        )
