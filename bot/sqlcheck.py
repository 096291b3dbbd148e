"""Members' SQL, checked: run in the sandbox's workers against a question's dataset, compared with the reference.

The Bot owns one SqlChecker (``bot.sql``). A question's reference result is computed in a run of its
own (never after a member's query in the same database) and kept per question.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from typing import Any

from bot.sandbox import Sandbox, SandboxBusy, SandboxSettings, SqlFailed, SqlRefused, SqlResult
from bot.services.daily.checking import Check, check_rows, query_failed
from bot.services.errors import Refused
from bot.services.questions.schema import Question


class SqlChecker:
    """Runs members' queries in the sandbox and checks them against each question's reference."""

    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self.sandbox = Sandbox(settings)
        self._references: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
        self._started = False
        self._starting = asyncio.Lock()

    async def _ensure_started(self) -> None:
        """Start the worker processes on first use (a bot that never sees SQL never starts them)."""
        async with self._starting:
            if not self._started:
                await self.sandbox.start()
                self._started = True

    async def close(self) -> None:
        """Stop the workers, if they were started."""
        if self._started:
            await self.sandbox.close()
            self._started = False

    async def run(self, question: Question, query: str, *, member: Hashable) -> SqlResult:
        """Run a member's query on a question's dataset; refused (the member's words) when it cannot run now."""
        if question.dataset is None:
            raise Refused(f"`{question.id}` has no data to run a query on.")
        await self._ensure_started()
        try:
            return await self.sandbox.run(question.dataset, query, member=member)
        except SandboxBusy as exc:
            raise Refused(str(exc)) from None

    async def reference(self, question: Question) -> Sequence[tuple[Any, ...]]:
        """Return the reference query's rows on the question's dataset, computed once per question and version."""
        assert question.dataset is not None and question.reference is not None
        key = (question.id, hash((question.reference, repr(question.dataset))))
        if key not in self._references:
            await self._ensure_started()
            result = await self.sandbox.run(question.dataset, question.reference)
            self._references[key] = list(result.rows)
        return self._references[key]

    async def check_answer(self, question: Question, query: str, *, member: Hashable) -> Check:
        """Run a member's answer query and compare with the reference: ✅, or ❌ with the difference or the error."""
        try:
            result = await self.run(question, query, member=member)
        except (SqlRefused, SqlFailed) as exc:
            return query_failed(str(exc))
        if question.reference is None:
            raise Refused(f"`{question.id}` has no reference query to check against.")
        return check_rows(await self.reference(question), result.rows, ordered=question.ordered)
