"""Faults on demand (429s, errors, slowness) and optional real rate limiting with Discord's headers."""

from __future__ import annotations

import math
import re
import time
from collections import deque
from dataclasses import dataclass

from .errors import DiscordError
from .records import route_matches

_MESSAGE_CREATE = re.compile(r"/channels/(\d+)/messages")
_EXEMPT_FROM_GLOBAL = re.compile(r"/(interactions|webhooks)/")


@dataclass
class FaultRule:
    """One configured fault; ``times`` None means forever."""

    kind: str
    glob: str
    times: int | None = 1
    retry_after: float = 0.05
    global_: bool = False
    status: int = 500
    code: int = 0
    message: str = "Internal Server Error"
    seconds: float = 0.0
    hits: int = 0

    def take(self) -> bool:
        """Consume one use of the rule; say whether it applied."""
        if self.times is not None and self.hits >= self.times:
            return False
        self.hits += 1
        return True


def rate_limited_error(
    retry_after: float, *, global_: bool, scope: str = "user", bucket: str | None = None, limit: int = 1
) -> DiscordError:
    """Return a 429 with the body and headers Discord sends (incl. ``Via``, which discord.py requires)."""
    reset = time.time() + retry_after
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Scope": "global" if global_ else scope,
    }
    if global_:
        headers["X-RateLimit-Global"] = "true"
    else:
        headers.update(
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{reset:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": bucket or "fake-bucket",
            }
        )
    extra = {"retry_after": retry_after, "global": global_}
    return DiscordError(429, 0, "You are being rate limited.", headers=headers, extra=extra)


class Faults:
    """Configure 429s, failures and delays per route glob (``"POST /channels/*/messages"``)."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def rate_limit(
        self, route_glob: str, times: int | None = 1, retry_after: float = 0.05, global_: bool = False
    ) -> FaultRule:
        """Answer the next ``times`` matching requests with 429 (per route, or global)."""
        rule = FaultRule("rate_limit", route_glob, times=times, retry_after=retry_after, global_=global_)
        self.rules.append(rule)
        return rule

    def fail(
        self, route_glob: str, status: int = 500, code: int = 0, times: int | None = 1, message: str | None = None
    ) -> FaultRule:
        """Answer the next ``times`` matching requests with ``status`` and Discord error ``code``."""
        text = message or ("Internal Server Error" if status >= 500 else "Request failed")
        rule = FaultRule("fail", route_glob, times=times, status=status, code=code, message=text)
        self.rules.append(rule)
        return rule

    def slow(self, route_glob: str, seconds: float, times: int | None = None) -> FaultRule:
        """Delay matching requests by ``seconds`` before handling them."""
        rule = FaultRule("slow", route_glob, times=times, seconds=seconds)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every fault."""
        self.rules.clear()

    def delay_for(self, method: str, path: str) -> float:
        """Return the total delay the slow rules add to this request."""
        return sum(
            r.seconds for r in self.rules if r.kind == "slow" and route_matches(r.glob, method, path) and r.take()
        )

    def error_for(self, method: str, path: str) -> DiscordError | None:
        """Return the error a rate-limit or fail rule imposes on this request, if any."""
        for rule in self.rules:
            if rule.kind == "slow" or not route_matches(rule.glob, method, path) or not rule.take():
                continue
            if rule.kind == "rate_limit":
                return rate_limited_error(rule.retry_after, global_=rule.global_, bucket=f"fault-{id(rule):x}")
            return DiscordError(rule.status, rule.code, rule.message)
        return None


@dataclass
class _Bucket:
    remaining: int
    reset_at: float


class RateLimiter:
    """Enforce a global requests-per-second cap and per-channel message buckets, with headers."""

    def __init__(self, global_per_second: int | None, channel_message_limit: tuple[int, float] | None) -> None:
        self.global_per_second = global_per_second
        self.channel_message_limit = channel_message_limit
        self._recent: deque[float] = deque()
        self._buckets: dict[int, _Bucket] = {}

    def check(self, method: str, path: str) -> tuple[dict[str, str], DiscordError | None]:
        """Count this request; return the X-RateLimit headers to send, or the 429 to answer."""
        now = time.monotonic()
        if self.global_per_second and not _EXEMPT_FROM_GLOBAL.match(path):
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) >= self.global_per_second:
                retry = max(0.001, 1.0 - (now - self._recent[0]))
                return {}, rate_limited_error(retry, global_=True)
            self._recent.append(now)
        match = _MESSAGE_CREATE.fullmatch(path)
        if self.channel_message_limit is None or method != "POST" or match is None:
            return {}, None
        limit, per = self.channel_message_limit
        bucket = self._buckets.get(int(match.group(1)))
        if bucket is None or now >= bucket.reset_at:
            bucket = self._buckets[int(match.group(1))] = _Bucket(remaining=limit, reset_at=now + per)
        reset_after = max(0.0, bucket.reset_at - now)
        if bucket.remaining <= 0:
            return {}, rate_limited_error(reset_after, global_=False, bucket="channel-messages", limit=limit)
        bucket.remaining -= 1
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(bucket.remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": "channel-messages",
        }
        return headers, None
