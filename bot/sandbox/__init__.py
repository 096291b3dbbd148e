"""Members' SQL, run in a pool of worker processes with strict limits, never in the bot's own process.

A cog calls ``await bot.sandbox.run(question.dataset, query, member=member_id)`` and gets an
`SqlResult`, or one of `SqlRefused`, `SqlFailed` and `SandboxBusy`, whose ``str()`` is the reply
for the member. Each query gets a fresh in-memory DuckDB holding only its dataset, in a worker
confined to a memory budget, with no files, network or extensions; one that runs too long is
interrupted, and a worker that does not stop is killed and replaced.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.sandbox import messages
from bot.sandbox.errors import SandboxBusy, SandboxError, SqlFailed, SqlRefused
from bot.sandbox.fair_use import FairUse
from bot.sandbox.process import WorkerProcess
from bot.sandbox.protocol import Answer, Failure, Job, Outcome
from bot.sandbox.settings import SandboxSettings

if TYPE_CHECKING:
    from bot.services.questions.schema import Table

__all__ = ["Sandbox", "SandboxBusy", "SandboxError", "SandboxSettings", "SqlFailed", "SqlRefused", "SqlResult"]

log = logging.getLogger(__name__)

RESTART_PAUSE = 1.0  # seconds between attempts to replace a worker that will not start


@dataclass(frozen=True)
class SqlResult:
    """What a member's query returned: all its rows for checking, and the first few for display."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    shown: list[tuple[Any, ...]]


class Sandbox:
    """A pool of worker processes that run members' queries, one query per worker at a time."""

    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self.settings = settings or SandboxSettings()
        self._fair_use = FairUse(self.settings)
        self._idle: asyncio.Queue[WorkerProcess | None] = asyncio.Queue()
        self._workers: set[WorkerProcess] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._threads: ThreadPoolExecutor | None = None
        self._closed = False

    async def start(self) -> None:
        """Start the worker processes and wait until each is ready; raise RuntimeError if one cannot start.

        Starting a started sandbox does nothing; a closed one cannot start again (make a new one).
        """
        if self._closed:
            raise RuntimeError("a closed Sandbox cannot be started again")
        if self._threads is not None:
            return
        # Two threads a worker: one waits on its query while another may wait on its replacement.
        self._threads = ThreadPoolExecutor(max_workers=2 * self.settings.workers, thread_name_prefix="sandbox")
        try:
            await asyncio.gather(*(self._start_worker() for _ in range(self.settings.workers)))
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Stop every worker; queries still running or waiting end in SqlFailed or SandboxBusy. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._threads is None:
            return
        await asyncio.gather(*(asyncio.to_thread(worker.stop) for worker in list(self._workers)))
        for _ in range(len(self._tasks)):  # wake every query waiting for a worker
            self._idle.put_nowait(None)
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self._threads.shutdown(wait=False)

    async def run(self, tables: Sequence[Table], query: str, *, member: Hashable | None = None) -> SqlResult:
        """Run ``query`` on a fresh database holding ``tables`` and return its result.

        Raise SqlRefused when the query was not run (not one statement that only reads, too long,
        unreadable), SqlFailed when it ran and failed or hit a limit, and SandboxBusy when fair use
        says not now: one query at a time and a few a minute per ``member``, and a cap on queries at once.
        """
        if self._threads is None or self._closed:
            raise SandboxBusy(messages.NOT_RUNNING)
        if len(query) > self.settings.max_sql:
            raise SqlRefused(messages.too_long(self.settings, len(query)))
        self._fair_use.admit(member)
        # Shielded: if the caller gives up, the query still ends normally and its worker goes back to the pool.
        outcome = await asyncio.shield(self._spawn(self._dispatch(Job(list(tables), query), member)))
        if isinstance(outcome, Answer):
            shown = outcome.rows[: self.settings.rows_shown]
            return SqlResult(outcome.columns, outcome.rows, shown)
        raise (SqlFailed if isinstance(outcome, Failure) else SqlRefused)(outcome.message)

    async def _dispatch(self, job: Job, member: Hashable | None) -> Outcome:
        """Run ``job`` on the next free worker, off the event loop, then give the worker back."""
        try:
            worker = await self._next_worker()
            try:
                return await asyncio.get_running_loop().run_in_executor(self._threads, worker.execute, job)
            finally:
                self._give_back(worker)
        finally:
            self._fair_use.release(member)

    async def _next_worker(self) -> WorkerProcess:
        """Wait for a free worker, replacing any that died while idle so no query is sent to a dead one."""
        while True:
            worker = await self._idle.get()
            if worker is None:
                raise SandboxBusy(messages.NOT_RUNNING)
            if worker.is_alive():
                return worker
            log.warning("SQL worker %s died while idle: replacing it", worker.pid)
            worker.stop()
            self._give_back(worker)

    def _give_back(self, worker: WorkerProcess) -> None:
        """Return a worker to the pool, or replace it if it was killed."""
        if not worker.broken and not self._closed:
            self._idle.put_nowait(worker)
            return
        self._workers.discard(worker)
        if not self._closed:
            self._spawn(self._replace())

    async def _start_worker(self) -> None:
        """Start one worker and add it to the pool once it is ready."""
        worker = WorkerProcess(self.settings)
        self._workers.add(worker)
        try:
            await asyncio.get_running_loop().run_in_executor(self._threads, worker.wait_ready)
        except BaseException:
            self._workers.discard(worker)
            raise
        if self._closed:
            worker.stop()
            return
        self._idle.put_nowait(worker)

    async def _replace(self) -> None:
        """Start a worker in place of a killed one, retrying until one starts or the sandbox closes."""
        while not self._closed:
            try:
                await self._start_worker()
                return
            except Exception:  # whatever the reason, a pool that stops replacing workers would shrink for good
                log.exception("could not replace a SQL worker; retrying")
                await asyncio.sleep(RESTART_PAUSE)

    def _spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coroutine`` as a task the sandbox keeps until it ends, so close() can wait for it."""
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._forget)
        return task

    def _forget(self, task: asyncio.Task[Any]) -> None:
        """Drop a finished task; log its error unless it is one meant for a member (whose caller may be gone)."""
        self._tasks.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None and not isinstance(error, SandboxError):
            log.error("a sandbox task failed", exc_info=error)
