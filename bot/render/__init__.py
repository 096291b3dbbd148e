"""Pictures the bot posts, drawn with Pillow; nothing here imports discord."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# One thread draws every picture, one after another. More threads did not draw a burst faster:
# they took turns with the event loop for the GIL (200 /streak at once: p99 1.43-1.53 s with one
# thread, 1.63-1.76 s with six).
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drillbot-render")


async def drawn(draw: Callable[..., bytes], *args: Any, **kwargs: Any) -> bytes:
    """Run ``draw`` in the drawing thread and return the picture's bytes."""
    return await asyncio.get_running_loop().run_in_executor(_DRAWER, lambda: draw(*args, **kwargs))
