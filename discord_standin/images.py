"""Images for the guild page: MIME sniffing, ``data:`` URIs, file-size text and the file box."""

from __future__ import annotations

import base64
import mimetypes

from .markdown import _esc
from .world import Attachment

# Raster formats a browser shows from a data: URI; SVG is left out on purpose (it can carry script).
SAFE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/avif", "image/x-icon")


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"BM"):
        return "image/bmp"
    return None


def image_mime(data: bytes, content_type: str | None, filename: str) -> str | None:
    """Return the MIME type to embed ``data`` with, or None if it is not an image a page may show."""
    sniffed = _sniff(data)
    if sniffed is not None:
        return sniffed
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared in SAFE_IMAGE_TYPES:
        return declared
    guessed = mimetypes.guess_type(filename)[0]
    return guessed if guessed in SAFE_IMAGE_TYPES else None


def _looks_like_image(attachment: Attachment) -> bool:
    declared = (attachment.content_type or "").lower()
    guessed = mimetypes.guess_type(attachment.filename)[0] or ""
    return declared.startswith("image/") or guessed.startswith("image/")


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _file_box(name: str, size: int | None) -> str:
    shown = f'<span class="muted">{_human_size(size)}</span>' if size is not None else ""
    return (
        f'<div class="file"><span class="file-icon">📄</span><span class="file-name">{_esc(name)}</span>{shown}</div>'
    )
