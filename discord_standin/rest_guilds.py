"""REST: guilds, roles, members (role add/remove with hierarchy checks) and DM channels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .access import P
from .bodies import BODY
from .errors import DiscordError, bad_request, json_response, missing_access, missing_permissions, no_content
from .routes import API
from .serialize import channel_payload, member_payload, role_payload
from .world import Guild, Member, Role

if TYPE_CHECKING:
    from .server import FakeDiscord

GUILD = API + "/guilds/{guild_id:\\d+}"
MEMBER = GUILD + "/members/{user_id:\\d+}"


class GuildRoutes:
    """Handlers for /guilds/... and POST /users/@me/channels."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world

    def table(self) -> list[web.RouteDef]:
        """Return the aiohttp route table."""
        return [
            web.get(GUILD, self.get_guild),
            web.get(GUILD + "/channels", self.channels),
            web.get(GUILD + "/roles", self.roles),
            web.post(GUILD + "/roles", self.create_role),
            web.get(GUILD + "/members", self.list_members),
            web.get(MEMBER, self.get_member),
            web.patch(MEMBER, self.edit_member),
            web.put(MEMBER + "/roles/{role_id:\\d+}", self.add_role),
            web.delete(MEMBER + "/roles/{role_id:\\d+}", self.remove_role),
            web.post(API + "/users/@me/channels", self.open_dm),
        ]

    def _guild(self, request: web.Request) -> Guild:
        guild = self.world.guild(int(request.match_info["guild_id"]))
        if self.world.bot.id not in guild.members:
            raise missing_access()
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}."""
        guild = self._guild(request)
        payload = {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(guild.owner_id),
            "roles": [role_payload(r) for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": guild.features,
            "preferred_locale": guild.preferred_locale,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "system_channel_flags": 0,
        }
        if request.query.get("with_counts") in ("true", "1"):
            payload |= {"approximate_member_count": len(guild.members), "approximate_presence_count": 0}
        return json_response(payload)

    async def channels(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/channels."""
        guild = self._guild(request)
        return json_response([channel_payload(c, self.world) for c in self.world.guild_channels(guild.id)])

    async def roles(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/roles."""
        guild = self._guild(request)
        return json_response([role_payload(r) for r in guild.roles.values()])

    async def create_role(self, request: web.Request) -> web.Response:
        """POST /guilds/{id}/roles (Manage Roles; the new role goes to position 1)."""
        guild = self._guild(request)
        if not self.fake.access.guild_permissions(guild, self.world.bot.id) & P.MANAGE_ROLES:
            raise missing_permissions()
        body: dict[str, Any] = request[BODY].json or {}
        perms = int(body.get("permissions") or 0)
        if perms & ~self.fake.access.guild_permissions(guild, self.world.bot.id):
            raise missing_permissions()
        role = self.fake.add_role(guild, str(body.get("name") or "new role"), permissions=perms)
        role.color = int(body.get("color") or 0)
        role.hoist = bool(body.get("hoist"))
        role.mentionable = bool(body.get("mentionable"))
        await self.fake.flush()
        return json_response(role_payload(role))

    async def list_members(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/members (needs the Server Members intent enabled for the app)."""
        guild = self._guild(request)
        if not self.fake.members_intent:
            raise missing_access()
        limit = int(request.query.get("limit", "1"))
        after = int(request.query.get("after", "0"))
        members = sorted((m for m in guild.members.values() if m.user.id > after), key=lambda m: m.user.id)
        return json_response([member_payload(m) for m in members[:limit]])

    async def get_member(self, request: web.Request) -> web.Response:
        """GET /guilds/{id}/members/{uid} (404 10007 when not a member)."""
        guild = self._guild(request)
        return json_response(member_payload(self.world.member(guild, int(request.match_info["user_id"]))))

    def _check_role_change(self, guild: Guild, role: Role) -> None:
        bot_id = self.world.bot.id
        if not self.fake.access.guild_permissions(guild, bot_id) & P.MANAGE_ROLES:
            raise missing_permissions()
        if role.managed or role.id == guild.id:
            raise missing_permissions()
        if not self.fake.access.can_manage_role(guild, bot_id, role):
            raise missing_permissions()

    async def _announce_member(self, guild: Guild, member: Member) -> None:
        await self.fake.dispatch(guild.id, "GUILD_MEMBER_UPDATE", member_payload(member) | {"guild_id": str(guild.id)})

    async def add_role(self, request: web.Request) -> web.Response:
        """PUT /guilds/{g}/members/{u}/roles/{r}: Manage Roles and a top role above ``r``."""
        guild = self._guild(request)
        member = self.world.member(guild, int(request.match_info["user_id"]))
        role = self.world.role(guild, int(request.match_info["role_id"]))
        self._check_role_change(guild, role)
        if role.id not in member.role_ids:
            member.role_ids.append(role.id)
            await self._announce_member(guild, member)
        return no_content()

    async def remove_role(self, request: web.Request) -> web.Response:
        """DELETE /guilds/{g}/members/{u}/roles/{r}."""
        guild = self._guild(request)
        member = self.world.member(guild, int(request.match_info["user_id"]))
        role = self.world.role(guild, int(request.match_info["role_id"]))
        self._check_role_change(guild, role)
        if role.id in member.role_ids:
            member.role_ids.remove(role.id)
            await self._announce_member(guild, member)
        return no_content()

    async def edit_member(self, request: web.Request) -> web.Response:
        """PATCH /guilds/{g}/members/{u}: ``roles`` (each change checked) and ``nick``."""
        guild = self._guild(request)
        member = self.world.member(guild, int(request.match_info["user_id"]))
        body: dict[str, Any] = request[BODY].json or {}
        bot_id = self.world.bot.id
        if "roles" in body and body["roles"] is not None:
            wanted = [int(r) for r in body["roles"]]
            for rid in set(wanted) ^ set(member.role_ids):
                self._check_role_change(guild, self.world.role(guild, rid))
            member.role_ids = list(dict.fromkeys(wanted))
        if "nick" in body:
            needed = P.CHANGE_NICKNAME if member.user.id == bot_id else P.MANAGE_NICKNAMES
            if not self.fake.access.guild_permissions(guild, bot_id) & needed:
                raise missing_permissions()
            if member.user.id == guild.owner_id and bot_id != guild.owner_id:
                raise missing_permissions()
            member.nick = body["nick"]
        await self._announce_member(guild, member)
        return json_response(member_payload(member))

    async def open_dm(self, request: web.Request) -> web.Response:
        """POST /users/@me/channels {recipient_id}: the (one) DM channel with that user."""
        body: dict[str, Any] = request[BODY].json or {}
        try:
            user = self.world.user(int(body.get("recipient_id", 0)))
        except (TypeError, ValueError) as exc:
            raise bad_request(50035, "Invalid Form Body") from exc
        if user.bot and user.id == self.world.bot.id:
            raise DiscordError(400, 50007, "Cannot send messages to this user")
        channel = self.world.dm_channel_for(user)
        return json_response(channel_payload(channel, self.world))
