"""Writes of one kind that arrive together, committed together: one transaction for a burst.

When 200 members submit at once, each write on its own costs its statements and its commit, one
after another on the single writer. A ``GroupCommit`` takes the items that arrived while the
previous transaction ran and stores them in the next one, with a function that writes a list of
items in a few statements whatever its length (``answers.submit_answers``). A caller waits for its
own item's result, as it would for a write of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.services.errors import Refused

T = TypeVar("T")
R = TypeVar("R")
Writer = Callable[[AsyncSession, list[T]], Awaitable[list[R | Refused]]]


class GroupCommit(Generic[T, R]):
    """Stores items in batches: those waiting when a transaction starts go in it together.

    ``write`` stores a list of items in the session it is given and returns, per item and in order,
    its result or the ``Refused`` its caller gets; the others still commit. When the transaction as
    a whole fails, each item is tried again in a transaction of its own, so an error reaches only
    the caller whose item caused it.
    """

    def __init__(self, db: Database, write: Writer[T, R]) -> None:
        self._db = db
        self._write = write
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Store ``item`` with whatever else is waiting; return its result or raise its refusal.

        A caller cancelled before its batch starts is left out of it; once the batch has started,
        the item is stored like any write whose commit was under way.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._waiting.append((item, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain(), name="drillbot-group-commit")
        return await future

    async def _drain(self) -> None:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while self._waiting:
                batch = [(item, future) for item, future in self._waiting if not future.done()]
                self._waiting = []
                if batch:
                    await self._commit(batch)
        except BaseException:  # cancelled (shutdown): nobody is left waiting forever
            for _item, future in batch + self._waiting:
                future.cancel()
            self._waiting = []
            raise

    async def _commit(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            async with self._db.write() as session:
                results = await self._write(session, [item for item, _future in batch])
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0][1], error)
                return
            for one in batch:  # alone, so that only the failing item's caller sees its error
                await self._commit([one])
            return
        for (_item, future), result in zip(batch, results, strict=True):
            _settle(future, result)


def _settle(future: asyncio.Future[R], outcome: R | BaseException) -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
