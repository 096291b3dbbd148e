"""The SQL sandbox: members' queries run in worker processes within every limit, and the bot keeps going."""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio

from bot.sandbox import Sandbox, SandboxBusy, SandboxSettings, SqlFailed, SqlRefused, messages
from bot.sandbox.fair_use import FairUse
from bot.sandbox.process import PROCESS_NAME
from bot.sandbox.protocol import Answer, decode_from_worker, encode
from bot.services.questions.schema import Table

# Async tests share the module's event loop, and with it one sandbox (starting workers takes a while).
module_loop = pytest.mark.asyncio(loop_scope="module")

ORDERS = Table(
    table="orders",
    columns=["order_id BIGINT", "customer VARCHAR", "amount DECIMAL(10,2)", "placed TIMESTAMPTZ", "shipped BOOLEAN"],
    rows=[
        ["1", "ana", "12.50", "2024-03-01 09:30:00+02", "true"],
        ["2", "ben", "7.25", "2024-03-02 23:15:00-05", "false"],
        ["3", None, "0.99", None, None],
    ],
)
DATASET = [ORDERS]
GOOD = "SELECT count(*) AS n FROM orders"
NEVER_ENDS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
MEMORY = "needed more than 256 MB of memory"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox() -> AsyncIterator[Sandbox]:
    box = Sandbox()
    await box.start()
    yield box
    await box.close()


async def assert_still_works(box: Sandbox) -> None:
    result = await box.run(DATASET, GOOD)
    assert result.rows == [(3,)]


def worker_pids() -> list[int]:
    return sorted(p.pid for p in multiprocessing.active_children() if p.name == PROCESS_NAME and p.pid)


def state(pid: int) -> str:
    """Return a process's state letter (R running, S sleeping, T stopped), or 'gone'."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return "gone"
    return stat.rsplit(")", 1)[1].split()[0]


async def settled(count: int = 2) -> list[int]:
    """Wait until ``count`` workers exist and all sleep (ready, idle), and return their ids."""
    calm, deadline = 0, time.monotonic() + 15
    while time.monotonic() < deadline:
        pids = worker_pids()
        calm = calm + 1 if len(pids) == count and all(state(p) == "S" for p in pids) else 0
        if calm >= 3:
            return pids
        await asyncio.sleep(0.05)
    raise AssertionError(f"workers did not settle: {[(p, state(p)) for p in worker_pids()]}")


async def busy_worker(pids: list[int]) -> int:
    """Wait until exactly one of ``pids`` is running, and return it."""
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        running = [p for p in pids if state(p) == "R"]
        if len(running) == 1:
            return running[0]
        await asyncio.sleep(0.02)
    raise AssertionError("no worker took the query")


@module_loop
async def test_workers_are_spawned_processes(sandbox: Sandbox) -> None:
    """The pool holds the configured number of workers, each a fresh interpreter rather than a fork of the bot."""
    pids = await settled()
    assert os.getpid() not in pids
    for pid in pids:
        assert b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()


@module_loop
async def test_good_query_returns_plain_values(sandbox: Sandbox) -> None:
    """A query's columns and rows come back as plain values: TIMESTAMPTZ in UTC, 7/2 is 3.5."""
    result = await sandbox.run(
        DATASET, "SELECT order_id, customer, amount, placed, shipped, 7/2 AS half FROM orders ORDER BY order_id"
    )
    assert result.columns == ["order_id", "customer", "amount", "placed", "shipped", "half"]
    assert result.rows == [
        (1, "ana", Decimal("12.50"), dt.datetime(2024, 3, 1, 7, 30, tzinfo=dt.UTC), True, 3.5),
        (2, "ben", Decimal("7.25"), dt.datetime(2024, 3, 3, 4, 15, tzinfo=dt.UTC), False, 3.5),
        (3, None, Decimal("0.99"), None, None, 3.5),
    ]
    assert [type(v) for v in result.rows[0]] == [int, str, Decimal, dt.datetime, bool, float]
    assert result.rows[0][3].utcoffset() == dt.timedelta(0)
    assert result.shown == result.rows
    assert len(result.shown) == len(result.rows)


@module_loop
async def test_other_values_come_back_as_text(sandbox: Sandbox) -> None:
    """Values with no plain Python form (UUID, lists, structs, blobs) come back as text."""
    result = await sandbox.run(DATASET, "SELECT uuid() AS u, [1, 2] AS l, {'a': 1} AS s, 'x'::BLOB AS b")
    assert [type(v) for v in result.rows[0]] == [str, str, str, str]
    assert result.rows[0][1] == "[1, 2]"


@module_loop
async def test_long_result_shows_first_rows_and_keeps_all(sandbox: Sandbox) -> None:
    """Past 1,000 rows, `shown` holds the first 1,000 and `rows` every one."""
    result = await sandbox.run(DATASET, "SELECT range AS n FROM range(2500) ORDER BY n")
    assert len(result.rows) == 2500
    assert result.shown == [(n,) for n in range(1000)]
    assert len(result.shown) < len(result.rows)


REFUSED = [
    ("INSERT INTO orders VALUES (4, 'cy', 1, NULL, NULL)", "`INSERT` changes data"),
    ("UPDATE orders SET amount = 0", "`UPDATE` changes data"),
    ("DELETE FROM orders", "`DELETE` changes data"),
    ("WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d", "`DELETE` changes data"),
    ("SELECT * FROM (WITH d AS (UPDATE orders SET amount = 0 RETURNING *) SELECT * FROM d)", "`UPDATE` changes data"),
    ("CREATE TABLE t AS SELECT 1", "`CREATE` changes the tables"),
    ("DROP TABLE orders", "`DROP` changes the tables"),
    ("ALTER TABLE orders ADD COLUMN note VARCHAR", "`ALTER` changes the tables"),
    ("ATTACH 'other.db'", "`ATTACH`"),
    ("COPY orders TO 'out.csv'", "`COPY`"),
    ("EXPORT DATABASE 'dump'", "`EXPORT`"),
    ("PRAGMA version", "`PRAGMA`"),
    ("SET threads = 8", "`SET`"),
    ("INSTALL httpfs", "`INSTALL`"),
    ("-- a comment first\nLOAD httpfs", "`LOAD`"),
    ("CALL pragma_version()", "`CALL`"),
    ("SELECT 1; SELECT 2", "this query has 2"),
    ("SELECT 'no end", "unterminated string"),
    ("", "empty"),
    ("   \n  ", "empty"),
    ("-- only a comment", "empty"),
    ("SELECT * FROM read_csv('/etc/passwd')", "Files and the network are not available"),
    ("SELECT * FROM read_parquet('http://example.com/data.parquet')", "Files and the network are not available"),
    ("SELECT * FROM glob('/*')", "Files and the network are not available"),
]


@module_loop
@pytest.mark.parametrize(("query", "says"), REFUSED)
async def test_refused_with_a_clear_message(sandbox: Sandbox, query: str, says: str) -> None:
    """Anything but one statement that only reads the tables is refused, and the worker is unharmed."""
    with pytest.raises(SqlRefused) as refused:
        await sandbox.run(DATASET, query)
    assert says in str(refused.value)
    await assert_still_works(sandbox)


@module_loop
async def test_data_stays_as_loaded_after_refusals(sandbox: Sandbox) -> None:
    """Refused writes change nothing: the next query sees the dataset as written."""
    for query in ("DELETE FROM orders", "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d"):
        with pytest.raises(SqlRefused):
            await sandbox.run(DATASET, query)
    result = await sandbox.run(DATASET, "SELECT sum(amount) FROM orders")
    assert result.rows == [(Decimal("20.74"),)]


@module_loop
async def test_too_long_query_is_refused(sandbox: Sandbox) -> None:
    """A query over 4,000 characters is refused; one of exactly 4,000 runs."""
    with pytest.raises(SqlRefused, match="at most 4,000 characters"):
        await sandbox.run(DATASET, GOOD + " " * (4001 - len(GOOD)))
    result = await sandbox.run(DATASET, GOOD + " " * (4000 - len(GOOD)))
    assert result.rows == [(3,)]


STOPPED = [
    (NEVER_ENDS, "Stopped: the query took longer than 2 s."),
    ("SELECT list(a.range) FROM range(100000) a, range(100000) b", MEMORY),
    ("SELECT repeat('x', 1000000000)", MEMORY),
    ("SELECT * FROM generate_series(1, 100000000) g ORDER BY g DESC", MEMORY),
    ("SELECT * FROM range(200000)", "Stopped: the result has more than 100,000 rows."),
]


@module_loop
@pytest.mark.parametrize(("query", "says"), STOPPED)
async def test_stopped_by_a_limit(sandbox: Sandbox, query: str, says: str) -> None:
    """A query that runs too long or needs too much is stopped with a clear message, and the next one works."""
    started = time.monotonic()
    with pytest.raises(SqlFailed) as failed:
        await sandbox.run(DATASET, query)
    assert says in str(failed.value)
    assert time.monotonic() - started < 3.0  # stopped by the worker itself, before the kill deadline
    await assert_still_works(sandbox)


@module_loop
async def test_full_sized_result_still_fits_after_a_heavy_query(sandbox: Sandbox) -> None:
    """After queries stopped for memory, a worker still returns a result of the full 100,000 rows."""
    for _ in range(2):  # on both workers, whichever runs what
        with pytest.raises(SqlFailed, match=MEMORY):
            await sandbox.run(DATASET, "SELECT * FROM generate_series(1, 100000000) g ORDER BY g DESC")
    for _ in range(2):
        result = await sandbox.run(DATASET, "SELECT range AS n, 'row ' || range AS label FROM range(100000)")
        assert len(result.rows) == 100_000


@module_loop
async def test_database_error_is_passed_on(sandbox: Sandbox) -> None:
    """A query DuckDB rejects fails with DuckDB's own words."""
    with pytest.raises(SqlFailed, match="nope"):
        await sandbox.run(DATASET, "SELECT nope FROM orders")
    await assert_still_works(sandbox)


def test_error_text_is_clipped_and_hides_host_paths() -> None:
    """An error shown to a member has no host paths and at most 300 characters; URLs and 7/2 survive."""
    error = "IO Error: /home/runner/app/data.csv failed; see https://duckdb.org/docs/x for 7/2 "
    text = messages.clip(error + "y" * 500)
    assert "/home" not in text
    assert "https://duckdb.org/docs/x" in text
    assert "7/2" in text
    assert len(text) <= 300
    assert text.endswith("…")


@module_loop
async def test_bot_keeps_answering_while_a_query_runs(sandbox: Sandbox) -> None:
    """While one member's slow query runs, another's completes at once and the event loop stays free."""
    slow = asyncio.create_task(sandbox.run(DATASET, NEVER_ENDS, member="slow"))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    quick = await sandbox.run(DATASET, GOOD, member="quick")
    assert quick.rows == [(3,)]
    assert time.monotonic() - started < 0.5
    lags = []
    for _ in range(10):
        tick = time.monotonic()
        await asyncio.sleep(0.02)
        lags.append(time.monotonic() - tick - 0.02)
    assert max(lags) < 0.1
    assert not slow.done()
    with pytest.raises(SqlFailed, match="longer than 2 s"):
        await slow


@module_loop
async def test_killed_worker_fails_only_its_query_and_is_replaced(sandbox: Sandbox) -> None:
    """A worker that dies fails the query it ran; the other worker answers, and a fresh worker takes its place."""
    pids = await settled()
    doomed = asyncio.create_task(sandbox.run(DATASET, NEVER_ENDS, member="doomed"))
    victim = await busy_worker(pids)
    os.kill(victim, signal.SIGKILL)
    other = await sandbox.run(DATASET, GOOD, member="bystander")
    assert other.rows == [(3,)]
    with pytest.raises(SqlFailed, match="brought down"):
        await doomed
    replaced = await settled()
    assert victim not in replaced
    await assert_still_works(sandbox)


@module_loop
async def test_stuck_worker_is_killed_after_the_grace(sandbox: Sandbox) -> None:
    """A worker that does not stop when interrupted is killed at 2 s + 1 s and replaced."""
    pids = await settled()
    started = time.monotonic()
    stuck = asyncio.create_task(sandbox.run(DATASET, NEVER_ENDS, member="stuck"))
    victim = await busy_worker(pids)
    await asyncio.sleep(0.5)  # well into the query, past loading the dataset
    os.kill(victim, signal.SIGSTOP)  # frozen: it can no longer act on the interrupt
    with pytest.raises(SqlFailed, match="longer than 2 s"):
        await stuck
    assert 2.9 <= time.monotonic() - started < 5.0
    assert state(victim) == "gone"
    assert victim not in await settled()
    await assert_still_works(sandbox)


@module_loop
async def test_one_query_at_a_time_per_member(sandbox: Sandbox) -> None:
    """A member's second query while the first runs is turned away; other members are not."""
    first = asyncio.create_task(sandbox.run(DATASET, GOOD, member="twice"))
    await asyncio.sleep(0)  # the first is admitted
    with pytest.raises(SandboxBusy, match="already have a query running"):
        await sandbox.run(DATASET, GOOD, member="twice")
    assert (await sandbox.run(DATASET, GOOD, member="someone-else")).rows == [(3,)]
    assert (await first).rows == [(3,)]
    assert (await sandbox.run(DATASET, GOOD, member="twice")).rows == [(3,)]


@module_loop
async def test_eleventh_query_in_a_minute_is_turned_away(sandbox: Sandbox) -> None:
    """A member gets 10 queries a minute; the 11th is turned away, other members are not."""
    for _ in range(10):
        await sandbox.run(DATASET, GOOD, member="eager")
    with pytest.raises(SandboxBusy, match="at most 10 queries a minute"):
        await sandbox.run(DATASET, GOOD, member="eager")
    assert (await sandbox.run(DATASET, GOOD, member="patient")).rows == [(3,)]


def test_rate_window_slides() -> None:
    """A member's queries count for one minute, then free up."""
    now = [0.0]
    fair = FairUse(SandboxSettings(), clock=lambda: now[0])
    for _ in range(10):
        fair.admit("m")
        fair.release("m")
    with pytest.raises(SandboxBusy):
        fair.admit("m")
    now[0] = 60.0
    fair.admit("m")
    assert fair.in_flight == 1


@module_loop
async def test_queue_cap_answers_busy_and_close_is_idempotent() -> None:
    """Past the queue cap a query is turned away with 'busy'; after close every query is."""
    box = Sandbox(SandboxSettings(workers=1, queue_cap=2))
    await box.start()
    try:
        first = asyncio.create_task(box.run(DATASET, GOOD, member="a"))
        second = asyncio.create_task(box.run(DATASET, GOOD, member="b"))
        await asyncio.sleep(0)  # both admitted: one runs, one waits
        with pytest.raises(SandboxBusy, match="busy: try again in a moment"):
            await box.run(DATASET, GOOD, member="c")
        assert (await first).rows == (await second).rows == [(3,)]
        assert (await box.run(DATASET, GOOD, member="c")).rows == [(3,)]
    finally:
        await box.close()
    await box.close()
    with pytest.raises(SandboxBusy):
        await box.run(DATASET, GOOD)
    with pytest.raises(RuntimeError):
        await box.start()


def test_bot_reads_only_sandbox_messages_from_a_worker() -> None:
    """What a worker sends is unpickled with an allow-list: plain values pass, anything callable does not."""
    answer = Answer(["d"], [(Decimal("1.5"), dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.timedelta(days=1))])
    assert decode_from_worker(encode(answer)) == answer

    class Sneaky:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("true",))

    with pytest.raises(pickle.UnpicklingError):
        decode_from_worker(pickle.dumps(Sneaky()))


def test_bot_process_never_imports_duckdb() -> None:
    """Running a query through the sandbox leaves DuckDB out of the bot's process."""
    script = (
        "import asyncio, sys\n"
        "from bot.sandbox import Sandbox, SandboxSettings\n"
        "async def main():\n"
        "    box = Sandbox(SandboxSettings(workers=1))\n"
        "    await box.start()\n"
        "    print((await box.run([], 'SELECT 42')).rows)\n"
        "    await box.close()\n"
        "asyncio.run(main())\n"
        "assert 'duckdb' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[(42,)]"
