"""The bot's handle on one worker process.

Creating a handle starts its process (a few milliseconds, on the event loop's thread); every other
method may block for seconds, so the sandbox calls them from a thread.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.sandbox import messages
from bot.sandbox.protocol import Answer, Failure, Job, Outcome, Ready, Refusal, Started, decode_from_worker, encode
from bot.sandbox.settings import SandboxSettings
from bot.sandbox.worker import serve

log = logging.getLogger(__name__)

PROCESS_NAME = "drillbot-sql-worker"
STARTUP_SECONDS = 30.0  # a worker imports DuckDB and opens a database before it is ready
LOADING_SECONDS = 5.0  # loading a dataset (at most a few hundred rows) before the member's query starts
RECYCLE_SHARE = 0.75  # a worker using more of its address-space limit than this after a query is replaced
MESSAGE_MAX = 256 * 2**20  # bytes: well above any result within the limits; past it the worker is not trusted


class WorkerProcess:
    """One worker process and the pipe to it; once `broken` it is dead and must be replaced."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.broken = False
        context = multiprocessing.get_context("spawn")  # never fork: the bot's threads and sockets stay behind
        self._pipe, child_end = context.Pipe()
        self._process = context.Process(target=serve, args=(child_end, settings), name=PROCESS_NAME, daemon=True)
        with _main_script_hidden():
            self._process.start()
        child_end.close()

    @property
    def pid(self) -> int | None:
        """Return the worker's process id."""
        return self._process.pid

    def is_alive(self) -> bool:
        """Tell whether the worker can take a job (a quick check that does not block)."""
        return not self.broken and self._process.is_alive()

    def wait_ready(self) -> None:
        """Block until the worker is ready for jobs; kill it and raise RuntimeError when it does not get there."""
        try:
            ready = self._next(STARTUP_SECONDS)
        except (EOFError, OSError, pickle.UnpicklingError):
            ready = None
        if not isinstance(ready, Ready):
            self.stop()
            raise RuntimeError(f"a SQL worker did not start (exit code {self._process.exitcode})")

    def execute(self, job: Job) -> Outcome:
        """Run ``job`` and return its outcome; kill the worker when it overruns the limits or misbehaves."""
        try:
            self._pipe.send_bytes(encode(job))
            first = self._next(LOADING_SECONDS)
            if first is None:
                return self._fail(messages.CRASHED, "did not start the query")
            if not isinstance(first, Started):
                return self._outcome(first)
            # The worker interrupts the query after `timeout`; past `grace` more, it is stuck.
            outcome = self._next(self.settings.timeout + self.settings.grace)
            if outcome is None:
                return self._fail(messages.too_slow(self.settings), "did not stop when interrupted")
            if self._worn_out():  # memory a heavy query left fragmented would make the next ones fail
                log.info("SQL worker %s has used most of its address space: replacing it", self.pid)
                self.stop()
            return self._outcome(outcome)
        except (EOFError, OSError):
            return self._fail(messages.CRASHED, f"died (exit code {self._process.exitcode})")
        except pickle.UnpicklingError as error:
            return self._fail(messages.CRASHED, f"sent something unexpected: {error}")

    def stop(self) -> None:
        """Kill the worker and reap it."""
        self.broken = True
        self._process.kill()
        self._process.join(timeout=5)

    def _worn_out(self) -> bool:
        """Tell whether the worker holds more than RECYCLE_SHARE of its address-space limit."""
        try:
            pages = int(Path(f"/proc/{self.pid}/statm").read_text().split()[0])
        except (OSError, ValueError, IndexError):  # no /proc: the limit alone has to do
            return False
        return pages * os.sysconf("SC_PAGE_SIZE") > RECYCLE_SHARE * self.settings.address_space_mb * 2**20

    def _next(self, timeout: float) -> object | None:
        """Return the worker's next message, or None if none came within ``timeout`` seconds."""
        if not self._pipe.poll(timeout):
            return None
        return decode_from_worker(self._pipe.recv_bytes(MESSAGE_MAX))

    def _outcome(self, message: object) -> Outcome:
        if isinstance(message, Answer | Refusal | Failure):
            return message
        return self._fail(messages.CRASHED, f"sent {type(message).__name__} out of turn")

    def _fail(self, message: str, why: str) -> Failure:
        log.warning("SQL worker %s %s: killing it", self.pid, why)
        self.stop()
        self._pipe.close()
        return Failure(message)


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Hide the bot's script from a process being spawned, so the worker does not run it on start.

    A spawned child re-runs the parent's ``__main__`` script (for `drillbot run`, the console script,
    which imports the whole bot) unless that is a package's ``__main__``. A worker needs none of it, and
    it would eat into the worker's address-space limit. Called on the event loop's thread only.
    """
    real = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = real
