"""REST: the bot user, application info, /gateway/bot and application commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .bodies import BODY
from .errors import DiscordError, json_response, missing_access, no_content, not_found
from .routes import API
from .serialize import user_payload

if TYPE_CHECKING:
    from .server import FakeDiscord


class CoreRoutes:
    """Handlers for users/@me, oauth2/applications/@me, gateway and application commands."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world

    def table(self) -> list[web.RouteDef]:
        """Return the aiohttp route table."""
        commands = API + "/applications/{app_id}/commands"
        guild_commands = API + "/applications/{app_id}/guilds/{guild_id}/commands"
        return [
            web.get(API + "/users/@me", self.me),
            web.get(API + "/users/{user_id:\\d+}", self.get_user),
            web.get(API + "/oauth2/applications/@me", self.application_info),
            web.get(API + "/applications/@me", self.application_info),
            web.get(API + "/gateway", self.gateway),
            web.get(API + "/gateway/bot", self.gateway_bot),
            web.get(commands, self.list_commands),
            web.put(commands, self.overwrite_commands),
            web.post(commands, self.upsert_command),
            web.get(commands + "/{command_id}", self.get_command),
            web.delete(commands + "/{command_id}", self.delete_command),
            web.get(guild_commands, self.list_commands),
            web.put(guild_commands, self.overwrite_commands),
            web.post(guild_commands, self.upsert_command),
            web.get(guild_commands + "/{command_id}", self.get_command),
            web.delete(guild_commands + "/{command_id}", self.delete_command),
        ]

    async def me(self, request: web.Request) -> web.Response:
        """GET /users/@me."""
        return json_response(user_payload(self.world.bot) | {"verified": True, "mfa_enabled": False})

    async def get_user(self, request: web.Request) -> web.Response:
        """GET /users/{id}."""
        return json_response(user_payload(self.world.user(int(request.match_info["user_id"]))))

    async def application_info(self, request: web.Request) -> web.Response:
        """GET /oauth2/applications/@me."""
        app = self.world.application
        return json_response(
            {
                "id": str(app.id),
                "name": app.name,
                "icon": None,
                "description": "",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "bot": user_payload(app.bot),
                "owner": user_payload(app.owner),
                "team": None,
                "verify_key": "0" * 64,
                "flags": app.flags,
                "summary": "",
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
                "approximate_guild_count": len(self.world.guilds),
            }
        )

    async def gateway(self, request: web.Request) -> web.Response:
        """GET /gateway."""
        return json_response({"url": self.fake.gateway_url})

    async def gateway_bot(self, request: web.Request) -> web.Response:
        """GET /gateway/bot: URL, recommended shards and session start limits."""
        return json_response(
            {
                "url": self.fake.gateway_url,
                "shards": self.fake.shard_count,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    # --- application commands ------------------------------------------------------------------

    def _bucket(self, request: web.Request) -> tuple[list[dict[str, Any]], int | None]:
        app = self.world.application
        if int(request.match_info["app_id"]) != app.id:
            raise missing_access()
        gid_text = request.match_info.get("guild_id")
        if gid_text is None:
            return app.global_commands, None
        guild = self.world.guild(int(gid_text))
        if self.world.bot.id not in guild.members:
            raise missing_access()
        return app.guild_commands.setdefault(guild.id, []), guild.id

    def _stored(self, body: dict[str, Any], existing: list[dict[str, Any]], guild_id: int | None) -> dict[str, Any]:
        kind = int(body.get("type", 1))
        previous = next((c for c in existing if c["name"] == body.get("name") and c["type"] == kind), None)
        stored: dict[str, Any] = {
            "id": previous["id"] if previous else str(self.world.new_id()),
            "application_id": str(self.world.application.id),
            "version": str(self.world.new_id()),
            "type": kind,
            "name": body.get("name"),
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description", "") if kind == 1 else "",
            "description_localizations": body.get("description_localizations"),
            "default_member_permissions": body.get("default_member_permissions"),
            "dm_permission": body.get("dm_permission", True),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types") or [0],
            "nsfw": bool(body.get("nsfw", False)),
        }
        if body.get("options"):
            stored["options"] = body["options"]
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    async def list_commands(self, request: web.Request) -> web.Response:
        """GET the global or guild commands."""
        commands, _ = self._bucket(request)
        return json_response(commands)

    async def overwrite_commands(self, request: web.Request) -> web.Response:
        """PUT: bulk-overwrite the global or guild commands (ids kept for unchanged name+type)."""
        commands, guild_id = self._bucket(request)
        body = request[BODY].json
        if not isinstance(body, list):
            raise DiscordError(400, 50035, "Invalid Form Body")
        fresh = [self._stored(c, commands, guild_id) for c in body]
        commands[:] = fresh
        self.fake.commands_synced += 1
        return json_response(fresh)

    async def upsert_command(self, request: web.Request) -> web.Response:
        """POST: create or replace one command."""
        commands, guild_id = self._bucket(request)
        stored = self._stored(request[BODY].json or {}, commands, guild_id)
        commands[:] = [c for c in commands if c["id"] != stored["id"]] + [stored]
        self.fake.commands_synced += 1
        return json_response(stored, status=201)

    async def get_command(self, request: web.Request) -> web.Response:
        """GET one command."""
        commands, _ = self._bucket(request)
        found = next((c for c in commands if c["id"] == request.match_info["command_id"]), None)
        if found is None:
            raise not_found("command")
        return json_response(found)

    async def delete_command(self, request: web.Request) -> web.Response:
        """DELETE one command."""
        commands, _ = self._bucket(request)
        before = len(commands)
        commands[:] = [c for c in commands if c["id"] != request.match_info["command_id"]]
        if len(commands) == before:
            raise not_found("command")
        return no_content()
