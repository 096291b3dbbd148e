"""What runs inside a worker process: each member's query on a fresh, locked-down DuckDB.

The bot starts `serve` in a spawned process. It confines the process (address space, no core
files, no environment), proves DuckDB opens under those limits, then answers jobs one at a time
until the pipe closes. DuckDB is imported here only, never in the bot's process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import json
import os
import pickle
import re
import resource
import signal
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from decimal import Decimal
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from bot.sandbox import messages
from bot.sandbox.protocol import Answer, Failure, Job, Outcome, Ready, Refusal, Started, encode
from bot.sandbox.settings import SandboxSettings
from bot.services.questions.datasets import load

if TYPE_CHECKING:
    import duckdb

    from bot.services.questions.schema import Table

FETCH_BATCH = 2048
M_ARENA_MAX = -8  # glibc's mallopt parameter
# Query nodes that only read. Any other kind in the parsed query (a DELETE_QUERY_NODE inside a CTE, ...) writes.
READING_NODES = frozenset({"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"})
# Only to name the refused statement in the message: DuckDB's parser decides what is refused.
_FIRST_WORD = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*([A-Za-z_]+)", re.DOTALL)
# Allocation failures DuckDB reports under another error class when the address-space limit is hit.
_OUT_OF_MEMORY = re.compile(r"bad allocation|allocation failure|bad_alloc|out of memory", re.IGNORECASE)
_PLAIN = frozenset({bool, int, float, Decimal, str, dt.date, dt.time, dt.timedelta})


def serve(pipe: Connection, settings: SandboxSettings) -> None:
    """Confine this process, then answer jobs from ``pipe`` until it closes."""
    confine(settings)
    open_database((), settings).close()  # imports DuckDB and proves it opens under the limits
    pipe.send_bytes(encode(Ready()))
    while True:
        try:
            job: Job = pickle.loads(pipe.recv_bytes())  # noqa: S301 - jobs come from the bot, which is trusted
        except EOFError:  # the bot closed the pipe or exited
            return
        try:
            outcome = answer(job, settings, started=lambda: pipe.send_bytes(encode(Started())))
        except Exception:  # a bug here must not cost the bot a worker: report it and carry on
            traceback.print_exc()
            outcome = Failure(messages.UNEXPECTED)
        try:
            pipe.send_bytes(encode(outcome))
        except MemoryError:
            pipe.send_bytes(encode(Failure(messages.too_big(settings))))


def confine(settings: SandboxSettings) -> None:
    """Limit what this process can use and reach before any member SQL comes near it."""
    limit = settings.address_space_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # the hard limit too, so it can never be raised
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.environ.clear()  # the bot's secrets (its token) live in its environment
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the bot, which stops its workers itself
    one_malloc_arena()


def one_malloc_arena() -> None:
    """Make glibc's malloc keep one arena, before DuckDB starts its threads.

    By default each thread that allocates reserves its own 64 MB arena: after one connect a worker held
    704 MB of address space (180 MB with one arena), so RLIMIT_AS struck long before DuckDB's memory
    limit and left Python no room to fetch a result after a heavy query.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_ARENA_MAX, 1)
    except (OSError, AttributeError):  # not glibc: its arenas are not our problem
        pass


def open_database(tables: Sequence[Table], settings: SandboxSettings) -> duckdb.DuckDBPyConnection:
    """Return a fresh in-memory database holding ``tables``, configured so no query can change a setting."""
    import duckdb

    # threads and memory_limit are given here, not by SET afterwards: with DuckDB's defaults (a thread per
    # core, 80 % of RAM) connect itself can fail under RLIMIT_AS ("Out of Memory Error: Allocation failure").
    connection = duckdb.connect(
        ":memory:",
        config={
            "threads": 1,
            "memory_limit": f"{settings.memory_mb}MB",
            "temp_directory": "",  # nowhere to spill: a query that outgrows memory stops instead of filling a disk
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "python_enable_replacements": False,  # a table name never resolves to a Python object of the worker
        },
    )
    try:
        # Turned off after connecting: once it is off, DuckDB 2.0 refuses temp_directory, even in the same config.
        connection.execute("SET enable_external_access = false")
        connection.execute("SET TimeZone = 'UTC'")
        load(connection, tables)
        connection.execute("SET lock_configuration = true")
    except BaseException:
        connection.close()
        raise
    return connection


def answer(job: Job, settings: SandboxSettings, *, started: Callable[[], None]) -> Outcome:
    """Run the job's query on a fresh database holding its tables, and return what came of it."""
    import duckdb

    try:
        connection = open_database(job.tables, settings)
    except duckdb.Error as error:  # the question's data, not the member's query
        return Failure(f"The question's dataset could not be loaded: {messages.clip(str(error))}")
    try:
        started()
        with interrupt_after(connection, settings.timeout):
            return run_query(connection, job.query, settings)
    except duckdb.InterruptException:
        return Failure(messages.too_slow(settings))
    except (duckdb.OutOfMemoryException, MemoryError):
        return Failure(messages.too_big(settings))
    except duckdb.PermissionException:  # external access is off: a file, URL or extension was reached for
        return Refusal(messages.NO_FILES)
    except duckdb.TransactionException as error:
        if "read-only" in str(error):  # the second guard caught a write the parse check let through
            return Refusal(messages.WRITES)
        return Failure(messages.clip(str(error)))
    except duckdb.Error as error:
        if _OUT_OF_MEMORY.search(str(error)):
            return Failure(messages.too_big(settings))
        return Failure(messages.clip(str(error)))
    except (OverflowError, ValueError) as error:  # a value Python cannot hold, such as a huge INTERVAL
        return Failure(f"The result could not be read: {messages.clip(str(error))}")
    finally:
        connection.close()


@contextmanager
def interrupt_after(connection: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[None]:
    """Interrupt whatever ``connection`` runs once ``seconds`` have passed."""
    timer = threading.Timer(seconds, connection.interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def run_query(connection: duckdb.DuckDBPyConnection, query: str, settings: SandboxSettings) -> Outcome:
    """Check ``query``, then run it in a read-only transaction that is rolled back, and fetch its rows."""
    import duckdb

    refusal = refusal_for(connection, query)
    if refusal:
        return Refusal(refusal)
    connection.execute("BEGIN TRANSACTION READ ONLY")  # a second guard: any write fails even past the check
    try:
        connection.execute(query)
        columns = [description[0] for description in connection.description or []]
        return fetch_all(connection, columns, settings)
    finally:
        with suppress(duckdb.Error):  # the database is thrown away anyway
            connection.execute("ROLLBACK")


def refusal_for(connection: duckdb.DuckDBPyConnection, query: str) -> str | None:
    """Return why ``query`` may not run, or None when it is one statement that only reads."""
    import duckdb

    try:
        statements = connection.extract_statements(query)
    except duckdb.Error as error:
        return messages.unreadable(str(error))
    if not statements:
        return messages.EMPTY
    if len(statements) > 1:
        return messages.several(len(statements))
    statement = statements[0]
    kind = statement.type.name
    if statement.type != duckdb.StatementType.SELECT:
        match = _FIRST_WORD.match(statement.query)
        return messages.not_reading(match.group(1).upper() if match else kind, kind)
    return writing_part(connection, statement.query)


def writing_part(connection: duckdb.DuckDBPyConnection, query: str) -> str | None:
    """Return why a SELECT may not run when its parse tree holds a part that writes, such as a DELETE in a CTE."""
    row = connection.execute("SELECT json_serialize_sql(?)", [query]).fetchone()
    tree = json.loads(row[0]) if row else {"error": True, "error_message": "no parse tree"}
    if tree.get("error"):  # cannot be checked, so it does not run
        return messages.unreadable(str(tree.get("error_message", "")))
    for kind in sorted(query_node_kinds(tree) - READING_NODES):
        name = kind.removesuffix("_NODE").removesuffix("_QUERY")
        return messages.not_reading(name, name)
    return None


def query_node_kinds(tree: object) -> set[str]:
    """Return the type of every query node in a parse tree from ``json_serialize_sql``."""
    kinds: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "modifiers" in node and "cte_map" in node:  # what every query node, and only those, carries
                kinds.add(str(node.get("type")))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return kinds


def fetch_all(connection: duckdb.DuckDBPyConnection, columns: list[str], settings: SandboxSettings) -> Outcome:
    """Fetch every row as plain values, stopping at the row or size limit."""
    rows: list[tuple[Any, ...]] = []
    size, size_limit = 0, settings.max_result_mb * 2**20
    while batch := connection.fetchmany(FETCH_BATCH):
        for row in batch:
            values = tuple(plain(value) for value in row)
            size += sum(len(value) if isinstance(value, str) else 8 for value in values)
            rows.append(values)
        if len(rows) > settings.max_rows:
            return Failure(messages.too_many_rows(settings))
        if size > size_limit:
            return Failure(messages.too_large(settings))
    return Answer(columns, rows)


def plain(value: Any) -> Any:
    """Return ``value`` as a plain value the bot accepts: lists, structs, UUIDs, blobs and the like become text."""
    kind = type(value)
    if value is None:
        return None
    if kind is dt.datetime:
        return value if value.tzinfo is None else value.astimezone(dt.UTC)
    if kind is dt.time and value.tzinfo is not None and type(value.tzinfo) is not dt.timezone:
        return str(value)
    return value if kind in _PLAIN else str(value)
