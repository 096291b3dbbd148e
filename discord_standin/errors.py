"""Discord's REST error bodies, and JSON responses with the exact content type discord.py wants."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

UNKNOWN: dict[str, tuple[int, str]] = {
    "channel": (10003, "Unknown Channel"),
    "guild": (10004, "Unknown Guild"),
    "member": (10007, "Unknown Member"),
    "message": (10008, "Unknown Message"),
    "role": (10011, "Unknown Role"),
    "user": (10013, "Unknown User"),
    "webhook": (10015, "Unknown Webhook"),
    "interaction": (10062, "Unknown interaction"),
    "command": (10063, "Unknown application command"),
    "application": (10002, "Unknown Application"),
    "attachment": (10049, "Unknown Attachment"),
}


class DiscordError(Exception):
    """Abort a REST request with Discord's error body."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.extra = extra or {}
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """Return the JSON body Discord would send."""
        out: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            out["errors"] = self.errors
        out.update(self.extra)
        return out

    def response(self) -> web.Response:
        """Return the aiohttp response for this error."""
        return json_response(self.body(), status=self.status, headers=self.headers)


def not_found(kind: str) -> DiscordError:
    """Return the 404 for an unknown object of ``kind`` (channel, message, member, ...)."""
    code, message = UNKNOWN[kind]
    return DiscordError(404, code, message)


def missing_permissions() -> DiscordError:
    """Return 403 50013 Missing Permissions."""
    return DiscordError(403, 50013, "Missing Permissions")


def missing_access() -> DiscordError:
    """Return 403 50001 Missing Access (the object exists but cannot be seen)."""
    return DiscordError(403, 50001, "Missing Access")


def bad_request(code: int, message: str) -> DiscordError:
    """Return a 400 with a Discord JSON error code."""
    return DiscordError(400, code, message)


_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def errors_tree(violations: list[str]) -> dict[str, Any]:
    """Nest ``"$.a.b[0]: reason"`` strings into Discord's ``errors`` object."""
    tree: dict[str, Any] = {}
    for violation in violations:
        path, sep, reason = violation.partition(": ")
        if not sep:
            path, reason = "$", violation
        node = tree
        for match in _SEGMENT.finditer(path.removeprefix("$")):
            key = match.group(1) or match.group(2)
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": "INVALID_FORM_BODY", "message": reason})
    return tree


def field_error(field: str, code: str, message: str) -> DiscordError:
    """Return 400 50035 Invalid Form Body for one field (not a schema violation: a state error)."""
    return DiscordError(
        400, 50035, "Invalid Form Body", errors={field: {"_errors": [{"code": code, "message": message}]}}
    )


def invalid_form_body(violations: list[str]) -> DiscordError:
    """Return 400 50035 Invalid Form Body carrying the violations as ``errors``."""
    return DiscordError(400, 50035, "Invalid Form Body", errors=errors_tree(violations))


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Return ``data`` as JSON with ``Content-Type: application/json`` exactly (no charset)."""
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def no_content() -> web.Response:
    """Return the 204 Discord sends for writes without a body."""
    return web.Response(status=204)
