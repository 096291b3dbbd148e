"""The one polling helper: wait for what the bot does in the background, with a clear message on timeout."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    check: Callable[[], T | Awaitable[T]], *, timeout: float = 5.0, what: str = "the condition", interval: float = 0.02
) -> T:
    """Return the first truthy result of ``check()`` (sync or async); fail naming ``what`` after ``timeout`` s.

    For state the fake Discord cannot signal (rows the bot writes, its own readiness); what the fake
    sees (requests, events) is awaited with ``fake.changed.wait_for`` instead.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result  # type: ignore[return-value]
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await asyncio.sleep(interval)
