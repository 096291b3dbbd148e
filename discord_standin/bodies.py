"""Read request bodies (JSON or multipart with ``payload_json`` + ``files[n]``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import DiscordError, bad_request

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_FILE_FIELD = re.compile(r"files\[(\d+)\]")


@dataclass
class Upload:
    """One uploaded file part."""

    index: int
    filename: str
    data: bytes
    content_type: str | None = None


@dataclass
class Body:
    """A parsed request body."""

    json: Any = None
    files: list[Upload] = field(default_factory=list)
    multipart: bool = False

    def file(self, index: int) -> Upload | None:
        """Return the upload sent as ``files[index]``."""
        return next((f for f in self.files if f.index == index), None)


BODY = web.RequestKey("body", Body)


async def read_body(request: web.Request) -> Body:
    """Parse the body of a request: JSON, or multipart/form-data as discord.py sends it."""
    if request.content_type.startswith("multipart/"):
        return await _read_multipart(request)
    raw = await request.read()
    if not raw:
        return Body()
    try:
        return Body(json=json.loads(raw))
    except ValueError as exc:
        raise bad_request(50109, "The request body contains invalid JSON.") from exc


async def _read_multipart(request: web.Request) -> Body:
    body = Body(multipart=True)
    reader = await request.multipart()
    total = 0
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader):
            continue
        name = part.name or ""
        data = await part.read(decode=False)
        if name == "payload_json":
            try:
                body.json = json.loads(data)
            except ValueError as exc:
                raise bad_request(50109, "The request body contains invalid JSON.") from exc
            continue
        match = _FILE_FIELD.fullmatch(name)
        if match is None:
            continue
        total += len(data)
        if total > MAX_UPLOAD_BYTES:
            raise DiscordError(413, 40005, "Request entity too large")
        body.files.append(
            Upload(
                index=int(match.group(1)),
                filename=part.filename or f"file{match.group(1)}",
                data=bytes(data),
                content_type=part.headers.get("Content-Type"),
            )
        )
    return body
