"""FakeDiscord: the aiohttp app (REST under /api/v10, the gateway, the CDN) and its shared machinery."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

from .access import Access
from .bodies import BODY, Body, read_body
from .builder import WorldBuilder
from .errors import DiscordError, invalid_form_body, json_response
from .faults import Faults, RateLimiter
from .gateway import GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT, EventData, Gateway
from .interactions import InteractionRegistry, InteractionSession
from .records import Records, RequestRecord
from .routes import API
from .signal import Signal
from .validation import RequestValidator
from .world import World

if TYPE_CHECKING:
    from .replies import Reply

log = logging.getLogger(__name__)

T = TypeVar("T")
_NO_AUTH = re.compile(r"/interactions/\d+/[^/]+/callback|/webhooks/\d+/[^/]+(/.*)?")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Violation:
    """A request body Discord would reject (400 50035)."""

    method: str
    path: str
    body: Any
    messages: list[str]


@dataclass
class ViolationWindow:
    """Violations seen inside ``FakeDiscord.expect_violations()``."""

    seen: list[Violation] = field(default_factory=list)


@functools.cache
def shared_validator() -> RequestValidator:
    """Return one RequestValidator per process (loading the spec is slow)."""
    return RequestValidator()


class FakeDiscord(WorldBuilder):
    """A wire-level fake of Discord for the unmodified discord.py client."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        shard_count: int = 1,
        ack_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        message_content_intent: bool = True,
        members_intent: bool = False,
        presences_intent: bool = False,
        global_rate_limit: int | None = None,
        channel_message_limit: tuple[int, float] | None = None,
        heartbeat_interval: int = 41250,
        nonce_window: float = 300.0,
        validator: RequestValidator | None = None,
    ) -> None:
        self.world = World()
        self.token = token
        self.shard_count = shard_count
        self.ack_deadline = ack_deadline
        self.token_lifetime = token_lifetime
        self.message_content_intent = message_content_intent
        self.members_intent = members_intent
        self.presences_intent = presences_intent
        self.nonce_window = nonce_window
        self.records = Records()
        self.faults = Faults()
        self.rate_limiter: RateLimiter | None = None
        self.configure_rate_limits(global_rate_limit=global_rate_limit, channel_message_limit=channel_message_limit)
        self.changed = Signal()
        self.access = Access(self.world)
        self.gateway = Gateway(self, heartbeat_interval=heartbeat_interval)
        self.interactions = InteractionRegistry(self)
        self.validator = validator or shared_validator()
        self.violations: list[Violation] = []
        self._windows: list[ViolationWindow] = []
        self.nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self.commands_synced = 0
        self._pending: set[asyncio.Task[Any]] = set()
        self._actors = {}
        self._runner: web.AppRunner | None = None
        self.host = "127.0.0.1"
        self.port = 0
        self.app = self._make_app()

    # --- lifecycle -----------------------------------------------------------------------------

    def _make_app(self) -> web.Application:
        from .cdn import CdnRoutes
        from .rest_channels import ChannelRoutes
        from .rest_core import CoreRoutes
        from .rest_guilds import GuildRoutes
        from .rest_interactions import InteractionRoutes
        from .rest_threads import ThreadRoutes

        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/", self.gateway.handle)
        for routes in (CoreRoutes, ChannelRoutes, ThreadRoutes, GuildRoutes, InteractionRoutes, CdnRoutes):
            app.router.add_routes(routes(self).table())
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeDiscord:
        """Serve on ``host:port`` (port 0 picks a free one)."""
        self._runner = web.AppRunner(self.app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host, self.port = host, int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        """Close every gateway socket and stop serving."""
        for task in list(self._pending):
            task.cancel()
        for conn in list(self.gateway.connections):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """Return ``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Return the REST root to give ``bot.endpoints.use_api_base``."""
        return self.base_url + API

    @property
    def gateway_url(self) -> str:
        """Return the gateway URL to give ``bot.endpoints.use_gateway``."""
        return f"ws://{self.host}:{self.port}/gateway"

    def point_discord_py(self) -> None:
        """Send discord.py's REST and gateway traffic to this fake."""
        from bot.endpoints import use_api_base, use_gateway

        use_api_base(self.api_base)
        use_gateway(self.gateway_url)

    def allowed_intents(self) -> int:
        """Return every intent bit the application may identify with (privileged per the portal)."""
        allowed = (1 << 26) - 1
        for enabled, bit in (
            (self.message_content_intent, MESSAGE_CONTENT),
            (self.members_intent, GUILD_MEMBERS),
            (self.presences_intent, GUILD_PRESENCES),
        ):
            if not enabled:
                allowed &= ~bit
        return allowed

    # --- request pipeline ----------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API):
            return await handler(request)
        method, path = request.method, request.path[len(API) :] or "/"
        record = RequestRecord(method, path, dict(request.query), None, 0, asyncio.get_running_loop().time())
        self.records.requests.append(record)
        headers: dict[str, str] = {}
        response: web.StreamResponse
        try:
            if not _NO_AUTH.fullmatch(path) and request.headers.get("Authorization") != f"Bot {self.token}":
                raise DiscordError(401, 0, "401: Unauthorized")
            delay = self.faults.delay_for(method, path)
            if delay:
                await asyncio.sleep(delay)
            fault = self.faults.error_for(method, path)
            if fault is not None:
                raise fault
            if self.rate_limiter is not None:
                headers, limited = self.rate_limiter.check(method, path)
                if limited is not None:
                    raise limited
            body = await read_body(request) if method in ("POST", "PUT", "PATCH") else Body()
            record.json, record.files = body.json, [(f.filename, f.data) for f in body.files]
            request[BODY] = body
            if method in ("POST", "PUT", "PATCH"):
                self._validate(method, path, body)
            response = await handler(request)
        except DiscordError as err:
            response = err.response()
            record.error_code = err.code
            if err.status == 429:
                self.records.rate_limited += 1
        except web.HTTPException as exc:
            response = json_response({"message": f"{exc.status}: {exc.reason}", "code": 0}, status=exc.status)
        for key, value in headers.items():
            response.headers.setdefault(key, value)
        record.status = response.status
        self.changed.notify()
        return response

    def _validate(self, method: str, path: str, body: Body) -> None:
        messages = self.validator.validate(method, path, body.json)
        if messages == ["unknown route"]:
            self.records.unvalidated_routes.add(f"{method} {path}")
            return
        if not messages:
            return
        self.record_violation(method, path, body.json, messages)
        raise invalid_form_body(messages)

    def record_violation(self, method: str, path: str, body: Any, messages: list[str]) -> None:
        """Note a request Discord would reject as malformed (fails the test unless expected)."""
        violation = Violation(method, path, body, messages)
        if self._windows:
            for window in self._windows:
                window.seen.append(violation)
        else:
            self.violations.append(violation)
        log.warning("fake Discord rejected %s %s: %s", method, path, "; ".join(messages))

    @contextlib.contextmanager
    def expect_violations(self, *, required: bool = True) -> Iterator[ViolationWindow]:
        """Collect (instead of failing on) rejected bodies inside the block; require one unless told."""
        window = ViolationWindow()
        self._windows.append(window)
        try:
            yield window
        finally:
            self._windows.remove(window)
        if required and not window.seen:
            raise AssertionError("expected the fake to reject a request body, but none was rejected")

    # --- gateway shortcuts ---------------------------------------------------------------------

    async def dispatch(self, guild_id: int | None, name: str, data: EventData) -> int:
        """Send a gateway dispatch to the shard(s) covering ``guild_id``; return how many got it."""
        await self.flush()
        return await self.gateway.dispatch(guild_id, name, data)

    def announce(self, guild_id: int | None, name: str, data: EventData) -> None:
        """Queue a dispatch from synchronous code (``flush`` awaits it)."""
        if not self.gateway.live_sessions():
            return
        task = asyncio.get_running_loop().create_task(self.gateway.dispatch(guild_id, name, data))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def flush(self) -> None:
        """Wait until every queued dispatch has been sent."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def wait_for(
        self, predicate: Callable[[], T | None], *, timeout: float = 5.0, what: str = "a condition"
    ) -> T:
        """Wait until ``predicate()`` is truthy (re-checked on every change of the fake) and return it."""
        await self.flush()
        return await self.changed.wait_for(predicate, timeout=timeout, what=what)

    async def reply(self, session: InteractionSession, *, timeout: float = 5.0) -> Reply:
        """Wait for the bot's answer to a delivered interaction (see ``Actor.slash_interaction``)."""
        from .replies import resolve_reply

        return await resolve_reply(self, session, timeout=timeout)

    def configure_rate_limits(
        self, *, global_rate_limit: int | None = None, channel_message_limit: tuple[int, float] | None = None
    ) -> None:
        """Enforce N requests/s globally and/or (limit, per-seconds) message buckets per channel (None: off)."""
        enabled = global_rate_limit or channel_message_limit
        self.rate_limiter = RateLimiter(global_rate_limit, channel_message_limit) if enabled else None

    async def wait_until_ready(self, shard_count: int | None = None, *, timeout: float = 5.0) -> None:
        """Wait until every shard has identified and received its GUILD_CREATEs."""
        await self.gateway.wait_until_ready(shard_count, timeout=timeout)

    async def wait_for_commands_synced(
        self, names: list[str] | None = None, *, guild_id: int | None = None, timeout: float = 5.0
    ) -> None:
        """Wait until the bot bulk-overwrote its commands (and, if given, every name is registered)."""

        def synced() -> bool:
            if self.commands_synced == 0:
                return False
            if not names:
                return True
            registered = {c["name"] for c in self.world.application.global_commands}
            for gid, commands in self.world.application.guild_commands.items():
                if guild_id in (None, gid):
                    registered |= {c["name"] for c in commands}
            return set(names) <= registered

        await self.changed.wait_for(synced, timeout=timeout, what=f"commands synced {names or ''}")
