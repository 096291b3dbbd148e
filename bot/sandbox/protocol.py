"""The messages between the bot and a worker, and how the bot reads them safely.

The bot unpickles only what it expects (these messages and plain values): a worker runs untrusted
SQL, so the bot treats what it sends as untrusted too, and a worker taken over through a database
bug could not make the bot run code through pickle.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.services.questions.schema import Table


@dataclass(frozen=True)
class Job:
    """Bot → worker: run ``query`` on a fresh database holding ``tables``."""

    tables: Sequence[Table]
    query: str


@dataclass(frozen=True)
class Ready:
    """Worker → bot: the worker is confined and can take jobs."""


@dataclass(frozen=True)
class Started:
    """Worker → bot: the dataset is loaded and the member's query starts now (its clock too)."""


@dataclass(frozen=True)
class Answer:
    """Worker → bot: the query's column names and all its rows, as plain values."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Refusal:
    """Worker → bot: the query was not run, and why."""

    message: str


@dataclass(frozen=True)
class Failure:
    """Worker → bot: the query ran and failed or was stopped, and why."""

    message: str


Outcome = Answer | Refusal | Failure

# The only classes a worker's message may contain; lists, tuples, str, int, float, bool and None need none.
_ALLOWED = {
    ("decimal", "Decimal"),
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    *((__name__, cls.__name__) for cls in (Ready, Started, Answer, Refusal, Failure)),
}


class _WorkerUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"a worker sent {module}.{name}, which is not a sandbox message")
        return super().find_class(module, name)


def encode(message: object) -> bytes:
    """Return ``message`` as bytes to send."""
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def decode_from_worker(data: bytes) -> object:
    """Return the message in ``data``, refusing any class a worker has no reason to send."""
    return _WorkerUnpickler(io.BytesIO(data)).load()
