"""The gateway websocket: HELLO, IDENTIFY/READY/GUILD_CREATE, heartbeats, RESUME, faults, routing."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .records import EventRecord
from .serialize import guild_create_payload, member_payload, user_payload

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger(__name__)

GUILDS, GUILD_MEMBERS, GUILD_PRESENCES = 1 << 0, 1 << 1, 1 << 8
GUILD_MESSAGES, DIRECT_MESSAGES, MESSAGE_CONTENT = 1 << 9, 1 << 12, 1 << 15
_GUILDS_EVENTS = ("GUILD_", "CHANNEL_", "THREAD_")
_MEMBER_EVENTS = ("GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE")

EventData = Any | Callable[["GatewaySession"], Any]


@dataclass
class Connection:
    """One open websocket."""

    ws: web.WebSocketResponse
    request: web.Request
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    session: GatewaySession | None = None

    async def send(self, payload: dict[str, Any] | str) -> bool:
        """Send a text frame; say whether it went out."""
        text = payload if isinstance(payload, str) else json.dumps(payload)
        if self.ws.closed:
            return False
        try:
            await self.ws.send_str(text)
        except (ConnectionResetError, RuntimeError):
            return False
        return True


@dataclass
class GatewaySession:
    """An identified gateway session (survives disconnects until invalidated)."""

    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    seq: int = 0
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=2000))
    conn: Connection | None = None
    ready: bool = False
    valid: bool = True
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def has_intent(self, bit: int) -> bool:
        """Say whether the client identified with an intent bit."""
        return bool(self.intents & bit)

    def handles_guild(self, guild_id: int | None) -> bool:
        """Say whether this session's shard receives a guild's events (DMs go to shard 0)."""
        if guild_id is None:
            return self.shard_id == 0
        return (guild_id >> 22) % self.shard_count == self.shard_id


def event_allowed(session: GatewaySession, name: str, data: Any, bot_id: int) -> bool:
    """Say whether Discord would send event ``name`` to a session, given its intents."""
    if name in _MEMBER_EVENTS:
        user = data.get("user", {}) if isinstance(data, dict) else {}
        return session.has_intent(GUILD_MEMBERS) or str(user.get("id")) == str(bot_id)
    if name.startswith("MESSAGE_"):
        in_guild = isinstance(data, dict) and data.get("guild_id") is not None
        return session.has_intent(GUILD_MESSAGES if in_guild else DIRECT_MESSAGES)
    if name.startswith(_GUILDS_EVENTS):
        return session.has_intent(GUILDS)
    return True


class Gateway:
    """Serve ``/gateway`` and route dispatches to the sessions of the right shard."""

    def __init__(self, fake: FakeDiscord, *, heartbeat_interval: int = 41250) -> None:
        self.fake = fake
        self.heartbeat_interval = heartbeat_interval
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[Connection] = []
        self.identify_count = 0
        self.resume_count = 0

    # --- routing -------------------------------------------------------------------------------

    def live_sessions(self) -> list[GatewaySession]:
        """Return the valid sessions, oldest first."""
        return [s for s in self.sessions.values() if s.valid]

    def sessions_for(self, guild_id: int | None) -> list[GatewaySession]:
        """Return the valid sessions whose shard covers ``guild_id``."""
        return [s for s in self.live_sessions() if s.handles_guild(guild_id)]

    async def dispatch(self, guild_id: int | None, name: str, data: EventData) -> int:
        """Send a dispatch to the shard(s) covering ``guild_id``; ``data`` may be per-session callable."""
        sent = 0
        for session in self.sessions_for(guild_id):
            payload = data(session) if callable(data) else data
            if payload is None or not event_allowed(session, name, payload, self.fake.world.bot.id):
                continue
            await self.send_dispatch(session, name, payload)
            sent += 1
        return sent

    async def send_dispatch(self, session: GatewaySession, name: str, data: Any) -> None:
        """Number, record, buffer and (if connected) send one dispatch."""
        async with session.lock:
            session.seq += 1
            seq = session.seq
            text = json.dumps({"op": 0, "t": name, "s": seq, "d": data})
            session.buffer.append((seq, text))
            self.fake.records.events.append(
                EventRecord(session.shard_id, seq, name, data, asyncio.get_running_loop().time())
            )
            if session.conn is not None and not await session.conn.send(text):
                session.conn = None
        self.fake.changed.notify()

    # --- the websocket -------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Run one gateway connection."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws=ws, request=request)
        self.connections.append(conn)
        await conn.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval}})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                await self._on_message(conn, json.loads(msg.data))
        finally:
            self._detach(conn, client_close_code=ws.close_code)
        return ws

    def _detach(self, conn: Connection, *, client_close_code: int | None) -> None:
        with contextlib.suppress(ValueError):
            self.connections.remove(conn)
        session = conn.session
        if session is not None and session.conn is conn:
            session.conn = None
            if client_close_code in (1000, 1001):
                session.valid = False
        self.fake.changed.notify()

    async def _on_message(self, conn: Connection, msg: dict[str, Any]) -> None:
        op, data = msg.get("op"), msg.get("d")
        if op == 1:
            await conn.send({"op": 11})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            await self._resume(conn, data or {})
        elif op == 8:
            await self._request_members(conn, data or {})

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self.fake.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard_id, shard_count = data.get("shard") or [0, 1]
        if not 0 <= shard_id < shard_count:
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        intents = int(data.get("intents", 0))
        if intents & ~self.fake.allowed_intents():
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identify_count += 1
        session = GatewaySession(uuid.uuid4().hex, shard_id, shard_count, intents, conn=conn)
        for old in self.live_sessions():
            if (old.shard_id, old.shard_count) == (shard_id, shard_count):
                old.valid = False
        self.sessions[session.session_id] = session
        conn.session = session
        world = self.fake.world
        guilds = [g for g in world.guilds.values() if world.bot.id in g.members and session.handles_guild(g.id)]
        ready = {
            "v": 10,
            "user": user_payload(world.bot) | {"verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.gateway_url,
            "shard": [shard_id, shard_count],
            "application": {"id": str(world.application.id), "flags": world.application.flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
        }
        await self.send_dispatch(session, "READY", ready)
        for guild in guilds:
            await self.send_dispatch(
                session, "GUILD_CREATE", guild_create_payload(guild, world, viewer_id=world.bot.id)
            )
        session.ready = True
        self.fake.changed.notify()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not session.valid or data.get("token") != self.fake.token:
            await conn.send({"op": 9, "d": False})
            return
        self.resume_count += 1
        if session.conn is not None and session.conn is not conn:
            await session.conn.ws.close(code=4000)
        async with session.lock:
            session.conn = conn
            conn.session = session
            last = int(data.get("seq") or 0)
            for seq, text in list(session.buffer):
                if seq > last:
                    await conn.send(text)
        await self.send_dispatch(session, "RESUMED", {})

    async def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        session = conn.session
        guild = self.fake.world.guilds.get(int(data.get("guild_id", 0)))
        if session is None or guild is None:
            return
        members = list(guild.members.values())
        if data.get("user_ids"):
            wanted = {int(u) for u in data["user_ids"]}
            members = [m for m in members if m.user.id in wanted]
        elif data.get("query"):
            members = [m for m in members if m.user.username.lower().startswith(str(data["query"]).lower())]
        if data.get("limit"):
            members = members[: int(data["limit"])]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [member_payload(m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await self.send_dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)

    # --- faults --------------------------------------------------------------------------------

    def _targets(self, shard_id: int | None) -> list[GatewaySession]:
        return [s for s in self.live_sessions() if s.conn is not None and (shard_id is None or s.shard_id == shard_id)]

    async def request_reconnect(self, shard_id: int | None = None) -> None:
        """Send op 7 RECONNECT (the client closes and RESUMEs)."""
        for session in self._targets(shard_id):
            if session.conn is not None:
                await session.conn.send({"op": 7, "d": None})

    async def invalidate_session(self, resumable: bool, shard_id: int | None = None) -> None:
        """Send op 9 INVALID_SESSION; unless resumable, the session is gone and the client re-IDENTIFYs."""
        for session in self._targets(shard_id):
            if not resumable:
                session.valid = False
            if session.conn is not None:
                await session.conn.send({"op": 9, "d": resumable})

    async def drop_connection(self, shard_id: int | None = None, *, code: int | None = None) -> None:
        """Cut the socket (abruptly, or with a close ``code``); the session stays resumable."""
        for session in self._targets(shard_id):
            conn = session.conn
            if conn is None:
                continue
            session.conn = None
            transport = conn.request.transport
            if code is None and transport is not None:
                transport.abort()
            else:
                await conn.ws.close(code=code or 4000)

    async def wait_until_ready(self, shard_count: int | None = None, *, timeout: float = 5.0) -> None:
        """Wait until every shard has a connected session that got READY and its GUILD_CREATEs."""
        count = shard_count or self.fake.shard_count

        def ready() -> bool:
            shards = {s.shard_id for s in self.live_sessions() if s.ready and s.conn is not None}
            return shards >= set(range(count))

        await self.fake.changed.wait_for(ready, timeout=timeout, what=f"{count} ready gateway shard(s)")
