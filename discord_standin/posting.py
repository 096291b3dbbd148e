"""Create, edit and delete messages (REST, interactions and actors share this), with gateway events."""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING, Any

from .access import P
from .bodies import Body
from .errors import DiscordError, bad_request, field_error, missing_access, missing_permissions
from .gateway import MESSAGE_CONTENT, GatewaySession
from .serialize import mentioned_user_ids, message_payload, thread_member_payload, thread_payload
from .snowflakes import now_iso
from .world import EPHEMERAL, Attachment, Channel, Message, User

if TYPE_CHECKING:
    from .server import FakeDiscord

ALLOWED_CREATE_FLAGS = (1 << 2) | (1 << 12) | (1 << 15)  # suppress embeds, silent, components v2
ALLOWED_INTERACTION_FLAGS = ALLOWED_CREATE_FLAGS | EPHEMERAL
REPLY = 19


class Poster:
    """Message operations over a FakeDiscord's world."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world

    # --- checks --------------------------------------------------------------------------------

    def check_can_post(self, channel: Channel, user: User, *, files: bool = False) -> None:
        """Raise what Discord raises when ``user`` may not post in ``channel`` now."""
        if channel.guild_id is None:
            recipient = self.world.users.get(channel.recipient_id or 0)
            if recipient is not None and recipient.dms_closed and user.id != recipient.id:
                raise DiscordError(403, 50007, "Cannot send messages to this user")
            return
        send = P.SEND_MESSAGES_IN_THREADS if channel.is_thread else P.SEND_MESSAGES
        needed = [int(send)] + ([int(P.ATTACH_FILES)] if files else [])
        self.fake.access.require(channel, user.id, *needed)
        locked = channel.is_thread and channel.archived and channel.locked
        if locked and not self.fake.access.has(channel, user.id, P.MANAGE_THREADS):
            raise bad_request(50083, "Thread is archived")

    # --- create --------------------------------------------------------------------------------

    def build(
        self,
        channel: Channel,
        author: User,
        payload: dict[str, Any],
        body: Body | None = None,
        *,
        allowed_flags: int = ALLOWED_CREATE_FLAGS,
        **fields: Any,
    ) -> Message:
        """Make a message from a create payload (not yet stored)."""
        files = body.files if body else []
        attachments = self.attachments(channel, payload, files)
        content = payload.get("content") or ""
        parts = (content, payload.get("embeds"), payload.get("components"), attachments, payload.get("sticker_ids"))
        if not any(parts) and not payload.get("poll"):
            raise bad_request(50006, "Cannot send an empty message")
        reference = payload.get("message_reference")
        msg_type = 0
        if reference and reference.get("message_id") is not None:
            msg_type = self._check_reference(channel, author, reference)
        return Message(
            id=self.world.new_id(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=content,
            embeds=list(payload.get("embeds") or []),
            components=list(payload.get("components") or []),
            attachments=attachments,
            flags=int(payload.get("flags") or 0) & allowed_flags,
            type=fields.pop("type", msg_type),
            nonce=payload.get("nonce"),
            message_reference=_normal_reference(channel, reference) if msg_type == REPLY else None,
            tts=bool(payload.get("tts")),
            allowed_mentions=payload.get("allowed_mentions"),
            **fields,
        )

    def _check_reference(self, channel: Channel, author: User, reference: dict[str, Any]) -> int:
        if channel.guild_id is not None and not self.fake.access.has(channel, author.id, P.READ_MESSAGE_HISTORY):
            raise bad_request(160002, "Cannot reply without permission to read message history")
        target = self.world.messages.get(int(reference["message_id"]))
        ref_channel = int(reference.get("channel_id") or channel.id)
        if target is None or target.deleted or target.channel_id != ref_channel:
            if reference.get("fail_if_not_exists", True):
                raise field_error("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
            reference.clear()
            return 0
        return REPLY

    def attachments(
        self, channel: Channel, payload: dict[str, Any], files: list[Any], existing: list[Attachment] | None = None
    ) -> list[Attachment]:
        """Resolve ``attachments`` + uploaded ``files[n]`` into stored attachments (keeping old ones by id)."""
        keep = {a.id: a for a in existing or []}
        entries = payload.get("attachments")
        if entries is None:
            entries = [{"id": f.index, "filename": f.filename} for f in files]
            if existing:
                entries = [{"id": a.id} for a in existing] + entries
        out: list[Attachment] = []
        for entry in entries:
            ref = int(entry.get("id", -1))
            if ref in keep:
                out.append(keep[ref])
                continue
            upload = next((f for f in files if f.index == ref), None)
            if upload is None:
                raise field_error("attachments", "ATTACHMENT_NOT_FOUND", f"Attachment {ref} was not uploaded")
            filename = entry.get("filename") or upload.filename
            hosted = self.host_file(
                channel.id,
                filename,
                upload.data,
                description=entry.get("description"),
                content_type=upload.content_type,
            )
            out.append(hosted)
        return out

    def host_file(
        self,
        channel_id: int,
        filename: str,
        data: bytes,
        *,
        description: str | None = None,
        content_type: str | None = None,
        ephemeral: bool = False,
    ) -> Attachment:
        """Store bytes as an attachment served under the fake's /attachments/ route."""
        if content_type in (None, "application/octet-stream"):
            content_type = mimetypes.guess_type(filename)[0] or content_type
        attachment = Attachment(
            id=self.world.new_id(),
            filename=filename,
            data=data,
            content_type=content_type,
            description=description,
            ephemeral=ephemeral,
        )
        attachment.url = f"{self.fake.base_url}/attachments/{channel_id}/{attachment.id}/{filename}"
        self.world.attachments[attachment.id] = attachment
        return attachment

    def find_nonce(self, channel: Channel, payload: dict[str, Any]) -> Message | None:
        """Return the earlier message created with this nonce (when ``enforce_nonce`` asks for it)."""
        nonce = payload.get("nonce")
        if nonce is None or not payload.get("enforce_nonce"):
            return None
        seen = self.fake.nonces.get((channel.id, str(nonce)))
        if seen is None:
            return None
        message_id, at = seen
        message = self.world.messages.get(message_id)
        if message is None or _now() - at > self.fake.nonce_window:
            return None
        return message

    async def store(self, message: Message, *, announce: bool = True) -> Message:
        """Store a new message, unarchive/join its thread as Discord does, and send MESSAGE_CREATE."""
        channel = self.world.channel(message.channel_id)
        if message.nonce is not None:
            self.fake.nonces[(channel.id, str(message.nonce))] = (message.id, _now())
        self.world.add_message(message)
        if channel.is_thread:
            if channel.archived and not channel.locked:
                channel.archived = False
                channel.archive_timestamp = now_iso()
                await self.fake.dispatch(channel.guild_id, "THREAD_UPDATE", thread_payload(channel))
            if message.webhook_id is None and message.author.id not in channel.thread_members:
                await self.add_thread_member(channel, message.author.id)
        if announce and not message.ephemeral:
            await self.announce_create(message)
        return message

    async def announce_create(self, message: Message) -> None:
        """Send MESSAGE_CREATE, blanking content for sessions without the message-content intent."""
        await self._announce("MESSAGE_CREATE", message)

    async def announce_update(self, message: Message) -> None:
        """Send MESSAGE_UPDATE (not for ephemeral messages), blanked like MESSAGE_CREATE."""
        if not message.ephemeral:
            await self._announce("MESSAGE_UPDATE", message)

    async def _announce(self, name: str, message: Message) -> None:
        bot_id = self.world.bot.id
        full = message_payload(message, self.world, gateway=True)
        blank = message_payload(message, self.world, gateway=True, blank_content=True)
        exempt = (
            message.author.id == bot_id or message.guild_id is None or bot_id in mentioned_user_ids(message.content)
        )

        def for_session(session: GatewaySession) -> dict[str, Any]:
            sees = session.has_intent(MESSAGE_CONTENT) and self.fake.message_content_intent
            return full if sees or exempt else blank

        await self.fake.dispatch(message.guild_id, name, for_session)

    # --- edit / delete -------------------------------------------------------------------------

    def apply_edit(self, message: Message, payload: dict[str, Any], body: Body | None = None) -> None:
        """Apply an edit payload (content, embeds, components, flags, attachments, files)."""
        files = body.files if body else []
        if "content" in payload:
            message.content = payload["content"] or ""
        if "embeds" in payload:
            message.embeds = list(payload["embeds"] or [])
        if "components" in payload:
            message.components = list(payload["components"] or [])
        if "flags" in payload and payload["flags"] is not None:
            keep = message.flags & ~(1 << 2)
            message.flags = keep | (int(payload["flags"]) & (1 << 2 | 1 << 15))
        if "attachments" in payload or files:
            channel = self.world.channel(message.channel_id)
            message.attachments = self.attachments(channel, payload, files, existing=message.attachments)
        if "allowed_mentions" in payload:
            message.allowed_mentions = payload["allowed_mentions"]
        message.edited_timestamp = now_iso()
        message.version += 1

    async def delete(self, message: Message) -> None:
        """Mark a message deleted and send MESSAGE_DELETE."""
        message.deleted = True
        if message.ephemeral:
            return
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        await self.fake.dispatch(message.guild_id, "MESSAGE_DELETE", data)

    def check_can_delete(self, channel: Channel, message: Message) -> None:
        """Raise unless the bot wrote the message or holds Manage Messages."""
        bot_id = self.world.bot.id
        if message.author.id == bot_id:
            return
        if channel.guild_id is None:
            raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
        if not self.fake.access.can_see(channel, bot_id):
            raise missing_access()
        if not self.fake.access.has(channel, bot_id, P.MANAGE_MESSAGES):
            raise missing_permissions()

    # --- threads -------------------------------------------------------------------------------

    async def add_thread_member(self, thread: Channel, user_id: int) -> None:
        """Add a member to a thread and send THREAD_MEMBERS_UPDATE (and THREAD_CREATE when the bot joins)."""
        if user_id in thread.thread_members:
            return
        bot_id = self.world.bot.id
        could_see = self.fake.access.can_see(thread, bot_id)
        thread.thread_members[user_id] = now_iso()
        if user_id == bot_id and not could_see:
            await self.fake.dispatch(thread.guild_id, "THREAD_CREATE", thread_payload(thread, viewer_id=bot_id))
        guild = self.world.guilds[thread.guild_id or 0]
        added = thread_member_payload(thread, user_id)
        member = guild.members.get(user_id)
        if member is not None:
            from .serialize import member_payload

            added["member"] = member_payload(member)
        await self._members_update(thread, {"added_members": [added]}, about=user_id)

    async def remove_thread_member(self, thread: Channel, user_id: int) -> None:
        """Remove a member from a thread and send THREAD_MEMBERS_UPDATE."""
        if thread.thread_members.pop(user_id, None) is None:
            return
        await self._members_update(thread, {"removed_member_ids": [str(user_id)]}, about=user_id)

    async def _members_update(self, thread: Channel, change: dict[str, Any], *, about: int) -> None:
        from .gateway import GUILD_MEMBERS

        data = {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "member_count": min(len(thread.thread_members), 50),
            **change,
        }
        bot_id = self.world.bot.id

        def for_session(session: GatewaySession) -> dict[str, Any] | None:
            if about == bot_id or session.has_intent(GUILD_MEMBERS):
                return data
            return None

        await self.fake.dispatch(thread.guild_id, "THREAD_MEMBERS_UPDATE", for_session)


def _normal_reference(channel: Channel, reference: dict[str, Any] | None) -> dict[str, Any] | None:
    if not reference:
        return None
    out: dict[str, Any] = {
        "type": 0,
        "message_id": str(reference["message_id"]),
        "channel_id": str(reference.get("channel_id") or channel.id),
    }
    if channel.guild_id is not None:
        out["guild_id"] = str(channel.guild_id)
    return out


def _now() -> float:
    import time

    return time.monotonic()
