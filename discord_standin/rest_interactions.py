"""REST: the interaction callback and the interaction webhook (original response and followups)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from .bodies import BODY
from .errors import json_response, no_content
from .routes import API
from .serialize import message_payload

if TYPE_CHECKING:
    from .interactions import InteractionSession
    from .server import FakeDiscord

WEBHOOK = API + "/webhooks/{app_id:\\d+}/{token}"


class InteractionRoutes:
    """Handlers for /interactions/{id}/{token}/callback and /webhooks/{app_id}/{token}/..."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.registry = fake.interactions

    def table(self) -> list[web.RouteDef]:
        """Return the aiohttp route table."""
        return [
            web.post(API + "/interactions/{interaction_id:\\d+}/{token}/callback", self.callback),
            web.post(WEBHOOK, self.followup),
            web.get(WEBHOOK + "/messages/{message_id}", self.get_message),
            web.patch(WEBHOOK + "/messages/{message_id}", self.edit_message),
            web.delete(WEBHOOK + "/messages/{message_id}", self.delete_message),
        ]

    async def callback(self, request: web.Request) -> web.Response:
        """POST /interactions/{id}/{token}/callback (3 s deadline, one acknowledgement)."""
        result = await self.registry.callback(
            int(request.match_info["interaction_id"]), request.match_info["token"], request[BODY]
        )
        if request.query.get("with_response") in ("1", "true", "True"):
            return json_response(result)
        return no_content()

    def _session(self, request: web.Request) -> InteractionSession:
        return self.registry.by_webhook(int(request.match_info["app_id"]), request.match_info["token"])

    async def followup(self, request: web.Request) -> web.Response:
        """POST /webhooks/{app_id}/{token}: a followup message."""
        session = self._session(request)
        body = request[BODY]
        message = await self.registry.followup(session, body.json or {}, body)
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message_payload(message, self.fake.world))
        return no_content()

    async def get_message(self, request: web.Request) -> web.Response:
        """GET @original or a followup."""
        session = self._session(request)
        message = self.registry.session_message(session, request.match_info["message_id"])
        return json_response(message_payload(message, self.fake.world))

    async def edit_message(self, request: web.Request) -> web.Response:
        """PATCH @original or a followup."""
        session = self._session(request)
        message = self.registry.session_message(session, request.match_info["message_id"])
        body = request[BODY]
        await self.registry.edit(session, message, body.json or {}, body)
        return json_response(message_payload(message, self.fake.world))

    async def delete_message(self, request: web.Request) -> web.Response:
        """DELETE @original or a followup."""
        session = self._session(request)
        message = self.registry.session_message(session, request.match_info["message_id"])
        await self.registry.poster.delete(message)
        return no_content()
