"""Pictures the bot posts, drawn with Pillow; nothing here imports discord."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# One thread draws every picture, one after another. Pillow holds the GIL for much of a drawing,
# so more threads would not draw faster; they would take turns with the event loop more often.
_DRAWER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drillbot-render")


async def drawn(draw: Callable[..., bytes], *args: Any, **kwargs: Any) -> bytes:
    """Run ``draw`` in the drawing thread and return the picture's bytes."""
    return await asyncio.get_running_loop().run_in_executor(_DRAWER, lambda: draw(*args, **kwargs))
