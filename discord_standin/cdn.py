"""Serve attachment bytes at the URLs the fake hands out (no auth, like Discord's CDN)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from .server import FakeDiscord


class CdnRoutes:
    """GET /attachments/{channel_id}/{attachment_id}/{filename}."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def table(self) -> list[web.RouteDef]:
        """Return the aiohttp route table."""
        return [web.get("/attachments/{channel_id:\\d+}/{attachment_id:\\d+}/{filename}", self.download)]

    async def download(self, request: web.Request) -> web.Response:
        """Return the stored bytes, or 404."""
        attachment = self.fake.world.attachments.get(int(request.match_info["attachment_id"]))
        if attachment is None or attachment.filename != request.match_info["filename"]:
            raise web.HTTPNotFound()
        return web.Response(body=attachment.data, content_type=attachment.content_type or "application/octet-stream")
