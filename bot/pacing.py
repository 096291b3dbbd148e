"""Pacing outbound REST calls, so fan-out stays inside Discord's rate limits without 429 storms."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import discord

# Discord allows 50 requests/s per bot; interaction callbacks and webhooks are exempt.
# A token bucket lets through at most GLOBAL_RATE + GLOBAL_BURST requests in any 1 s window: keep
# that under 50 with room for requests that reach Discord a little late (a new connection, a busy
# loop), which bunch up. A burst of 5 filled the window to exactly 50 and 1,000 posts drew 429s
# (bench.fanout). The burst stays above 1: sleeps overshoot, and a bucket capped at one token
# drops the overshoot (about 43 requests/s instead of 45).
GLOBAL_RATE = 45.0
GLOBAL_BURST = 2
CHANNEL_MESSAGES = 5
CHANNEL_WINDOW = 5.0


class TokenBucket:
    """A token bucket: ``rate`` tokens a second, holding at most ``burst``."""

    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._clock = clock
        self._stamp = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until a token is free, then take it (callers are served in order)."""
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)


class SlidingWindow:
    """At most ``limit`` events per ``window`` seconds (e.g. 5 messages per 5 s in a channel)."""

    def __init__(self, limit: int = CHANNEL_MESSAGES, window: float = CHANNEL_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._stamps: deque[float] = deque()

    def wait_time(self, now: float | None = None) -> float:
        """Return how long to wait before the next event fits."""
        now = time.monotonic() if now is None else now
        while self._stamps and now - self._stamps[0] >= self.window:
            self._stamps.popleft()
        if len(self._stamps) < self.limit:
            return 0.0
        return self.window - (now - self._stamps[0])

    def used(self, now: float | None = None) -> int:
        """Return how many events fall inside the current window."""
        self.wait_time(now)
        return len(self._stamps)

    def record(self, now: float | None = None) -> None:
        """Count one event."""
        self._stamps.append(time.monotonic() if now is None else now)


def install_global_pacer(http: discord.http.HTTPClient, bucket: TokenBucket) -> None:
    """Route every REST call except interaction callbacks and webhooks through ``bucket``."""
    original = http.request

    async def paced(route: discord.http.Route, **kwargs: Any) -> Any:
        if not route.path.startswith(("/interactions", "/webhooks")):
            await bucket.acquire()
        return await original(route, **kwargs)

    http.request = paced  # type: ignore[method-assign]
