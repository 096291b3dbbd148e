"""Fair use of the runner: one query in flight per member, a per-member rate, and a cap on all queries at once."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable

from bot.sandbox import messages
from bot.sandbox.errors import SandboxBusy
from bot.sandbox.settings import SandboxSettings

WINDOW = 60.0  # seconds over which the per-member rate counts
PRUNE_AT = 1024  # members remembered before the ones idle for a whole window are forgotten


class FairUse:
    """Admit a query or say why not; every admitted query must be released when it ends."""

    def __init__(self, settings: SandboxSettings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.in_flight = 0
        self._clock = clock
        self._running: set[Hashable] = set()
        self._recent: dict[Hashable, deque[float]] = {}

    def admit(self, member: Hashable | None) -> None:
        """Count a query in, or raise SandboxBusy; ``member`` None is not limited per member."""
        if member is not None:
            if member in self._running:
                raise SandboxBusy(messages.ONE_RUNNING)
            if len(self._recent_runs(member)) >= self.settings.per_member_per_minute:
                raise SandboxBusy(messages.too_many(self.settings))
        if self.in_flight >= self.settings.queue_cap:
            raise SandboxBusy(messages.RUNNER_BUSY)
        self.in_flight += 1
        if member is not None:
            self._running.add(member)
            self._recent.setdefault(member, deque()).append(self._clock())

    def release(self, member: Hashable | None) -> None:
        """Count an admitted query out."""
        self.in_flight -= 1
        self._running.discard(member)

    def _recent_runs(self, member: Hashable) -> deque[float]:
        """Return when ``member``'s queries of the last window started, forgetting older ones."""
        now = self._clock()
        if len(self._recent) > PRUNE_AT:
            idle = [key for key, runs in self._recent.items() if not runs or now - runs[-1] >= WINDOW]
            for key in idle:
                del self._recent[key]
        runs = self._recent.get(member, deque())
        while runs and now - runs[0] >= WINDOW:
            runs.popleft()
        return runs
