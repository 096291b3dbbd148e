"""What the fake saw: requests, interaction acknowledgements, gateway events, rate limits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


def route_pattern(glob: str) -> tuple[str | None, re.Pattern[str]]:
    """Compile ``"[METHOD ]/path/*/glob"``: ``*`` matches one path segment, ``**`` any run of them."""
    method: str | None = None
    text = glob.strip()
    head, _, rest = text.partition(" ")
    if rest and head.isalpha() and head.isupper():
        method, text = head, rest.strip()
    text = "/" + text.lstrip("/")
    regex = ""
    i = 0
    while i < len(text):
        if text.startswith("**", i):
            regex += ".*"
            i += 2
        elif text[i] == "*":
            regex += "[^/]+"
            i += 1
        else:
            regex += re.escape(text[i])
            i += 1
    return method, re.compile(regex)


def route_matches(glob: str, method: str, path: str) -> bool:
    """Say whether ``method path`` (path after /api/v10) matches a route glob."""
    want_method, pattern = route_pattern(glob)
    return (want_method is None or want_method == method.upper()) and pattern.fullmatch(path) is not None


@dataclass
class RequestRecord:
    """One REST request and the status the fake answered."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int
    time: float
    files: list[tuple[str, bytes]] = field(default_factory=list)
    error_code: int | None = None


@dataclass
class AckRecord:
    """One interaction callback: which interaction, which callback type, how long after delivery."""

    interaction_id: int
    callback_type: int
    latency: float
    accepted: bool = True


@dataclass
class EventRecord:
    """One gateway dispatch sent (or queued for resume) to a shard."""

    shard_id: int
    seq: int
    name: str
    data: Any
    time: float


@dataclass
class Records:
    """Everything the fake recorded during a test."""

    requests: list[RequestRecord] = field(default_factory=list)
    acks: list[AckRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    rate_limited: int = 0
    unvalidated_routes: set[str] = field(default_factory=set)

    def requests_to(self, glob: str) -> list[RequestRecord]:
        """Return the requests matching a route glob such as ``"POST /channels/*/messages"``."""
        return [r for r in self.requests if route_matches(glob, r.method, r.path)]

    def errors(self) -> list[RequestRecord]:
        """Return the requests answered with a 4xx or 5xx status."""
        return [r for r in self.requests if r.status >= 400]

    def events_named(self, name: str) -> list[EventRecord]:
        """Return the gateway dispatches of one event type, in order."""
        return [e for e in self.events if e.name == name]

    def accepted_acks(self) -> list[AckRecord]:
        """Return the interaction callbacks that the fake accepted."""
        return [a for a in self.acks if a.accepted]
