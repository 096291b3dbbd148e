"""Point discord.py at a Discord-compatible API: a rate-limit proxy, or a local fake."""

from __future__ import annotations

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


def use_api_base(api_base: str) -> None:
    """Send every REST request to ``api_base`` (for example ``http://127.0.0.1:8080/api/v10``)."""
    Route.BASE = api_base.rstrip("/")


def use_gateway(gateway_url: str) -> None:
    """Connect, and reconnect after an invalid session, to ``gateway_url``.

    discord.py falls back to ``DiscordWebSocket.DEFAULT_GATEWAY`` after an invalid session and
    when a shard count is fixed, so that default must point at the same place.
    """
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
