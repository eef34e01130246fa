"""The production backend: Neo4j 5 through the official driver.

Use a ``neo4j://`` routing URI against a cluster: reads go through ``execute_read`` (routed to
readers), writes through ``execute_write`` (routed to the leader). Transaction functions may be
retried by the driver, so every write query in the project is idempotent (MERGE, not CREATE).

The driver's *blocking* API runs on a small thread pool of the store's own: its async API pays
an event-loop round (a task, a ``wait_for``) for every socket read, i.e. several per record,
which made the store the largest CPU cost of a request (measured on 5.26: 136 requirement rows
16 ms → 5.7 ms, a student's 90 standing rows 5.4 ms → 2.4 ms of CPU, with ``values()`` instead of
``Record.data()``'s generic conversion). Socket I/O releases the GIL, so the pool overlaps
waits on the server the way the event loop did.

Reads are auto-commit transactions in read sessions (routed to readers like ``execute_read``):
one Bolt round trip (RUN + PULL) where a managed transaction takes two (BEGIN + RUN + PULL, then
COMMIT), measured on 5.26 for the student report's query at 0.66 → 0.37 ms of client CPU and
1.5 → 0.8 ms wall. The driver retries only managed transactions, so a read that fails with a
retryable error (a restarting server, a leader change, a transient lock) is retried here, with
the same exponential back-off, for at most ``READ_RETRY_SECONDS``; every read is idempotent.
Writes stay managed transactions (``execute_write``), retried by the driver.

A ``OneRow`` read (a student's report, a node by its key) runs on the event loop, through
the driver's async API, instead: with one row to decode, the hand-off to a store thread and
back, and the GIL traffic between that thread and the loop, cost more than the read. Measured
on 5.26 with 4 reads in flight: a student report 0.89 → 0.52 ms of CPU per read, and the
whole GraphQL request for it, in process, 1.85 → 0.85 ms. The async API pays an event-loop
round per socket read, so many-row answers stay on the threads (20,000 rows: 0.49 s there,
1.2 s on the loop). The async driver is made in the loop that first uses it (its connections
belong to that loop); a store used from another loop reads on its threads.

The server is asked for WARNING notifications only: INFORMATION ones are expected noise here
(``IF NOT EXISTS`` on every start reports "index or constraint already exists" ~35 times a
command; planner hints are looked at with PROFILE, see ``bench/peer/PROFILE.md``), while
warnings (deprecations, unknown labels or properties) still reach the ``neo4j.notifications``
logger. Servers before 5.7 (Bolt < 5.2) cannot filter; there the driver's default applies.
"""

from __future__ import annotations

import asyncio
import functools
import random
import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from graph.cypher import Cypher, OneRow
from graph.errors import StoreError, StoreTimeout, StoreUnavailable, UniquenessViolation
from graph.store import Record, UniqueKey
from graph.write_counter import WriteCounter

__all__ = ["Neo4jStore", "schema_statements"]

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _checked(identifier: str) -> str:
    """Labels and properties in DDL come from our own schema list, never from input."""
    if not _IDENTIFIER.match(identifier):
        raise ValueError(f"not a schema identifier: {identifier!r}")
    return identifier


def _index_name(key: UniqueKey) -> str:
    return f"{_checked(key.label).lower()}_{_checked(key.prop).lower()}_index"


def schema_statements(unique: Sequence[UniqueKey], indexed: Sequence[UniqueKey],
                      existing_indexes: Collection[str] = ()) -> list[Cypher]:
    """Neo4j DDL for our schema; names are derived so reruns hit ``IF NOT EXISTS``. A key
    that became unique had a plain index of the derived name (``existing_indexes``): it is
    dropped first, since Neo4j refuses a constraint beside an equivalent index."""
    statements = []
    for key in unique:
        label, prop = _checked(key.label), _checked(key.prop)
        if _index_name(key) in existing_indexes:
            statements.append(Cypher(f"DROP INDEX {_index_name(key)} IF EXISTS"))
        statements.append(Cypher(
            f"CREATE CONSTRAINT {label.lower()}_{prop.lower()}_unique IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
        ))
    for key in indexed:
        label, prop = _checked(key.label), _checked(key.prop)
        statements.append(Cypher(
            f"CREATE INDEX {_index_name(key)} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
        ))
    return statements


PING = OneRow("RETURN 1 AS ok")
PLAIN_INDEXES = Cypher(
    "SHOW RANGE INDEXES YIELD name, owningConstraint WHERE owningConstraint IS NULL "
    "RETURN name"
)
# Deleting everything in one transaction holds every deletion in transaction state: a 300k
# relationship graph exceeds ``dbms.memory.transaction.total.max``. These commit a batch at a
# time (CALL … IN TRANSACTIONS needs an auto-commit transaction: ``session.run``).
DELETE_RELATIONSHIPS_IN_BATCHES = Cypher(
    "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF $batch ROWS"
)
DELETE_NODES_IN_BATCHES = Cypher(
    "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $batch ROWS"
)
# A property key no node has had draws warning 01N52 ("property key does not exist") on every
# query that names it; the key is made once at schema setup instead (idempotent).
CREATE_PROPERTY_KEY = Cypher("CALL db.createProperty($key)")
DROP_BATCH = 10_000
READ_RETRY_SECONDS = 15.0
_FIRST_RETRY_DELAY = 0.05
_MAX_RETRY_DELAY = 1.0
# Bolt 5.2 (Neo4j 5.7) is the first protocol that carries notification filters.
_FILTERING_BOLT = (5, 2)
_PLAIN = frozenset({str, int, float, bool, type(None)})
_T = TypeVar("_T")


def _is_plain(value: Any) -> bool:
    """Scalars, and lists and maps of them: what ``Record.data()`` returns unchanged. A list
    or map of scalars is checked in one C-level pass (``map(type, …)``); a student's
    standing row holds a list of ~40 lists of 8 values."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is list or kind is dict:
        items = value if kind is list else value.values()
        return _PLAIN.issuperset(map(type, items)) or all(_is_plain(item) for item in items)
    return False


def _row(keys: Sequence[str], record: Any) -> Record:
    """The record as a dict, exactly as ``Record.data()`` makes it; that is only called for
    records holding graph values (nodes, relationships, paths), since its generic conversion
    costs more than the query for the plain values our queries return."""
    if _PLAIN.issuperset(map(type, record)) or all(_is_plain(v) for v in record):
        return dict(zip(keys, record, strict=True))
    data: Record = record.data()
    return data


def _rows(result: Any) -> list[Record]:
    keys = result.keys()
    return [_row(keys, record) for record in result]


class _ReadRetry:
    """The back-off of one read across its attempts (see the module docstring)."""

    def __init__(self, timeout: float | None) -> None:
        self._timeout = timeout
        self._deadline = time.monotonic() + READ_RETRY_SECONDS
        self._delay = _FIRST_RETRY_DELAY

    def pause_after(self, exc: Any) -> float:
        """Seconds to wait before the next attempt; the store's error instead when ``exc``
        is not retryable or the next attempt would pass the budget."""
        if not exc.is_retryable() or time.monotonic() + self._delay > self._deadline:
            raise _store_error(exc, self._timeout) from exc
        pause = self._delay * random.uniform(0.8, 1.2)
        self._delay = min(self._delay * 2, _MAX_RETRY_DELAY)
        return pause


def _store_error(exc: Exception, timeout: float | None) -> Exception:
    """The store's error for a driver error (``DriverError`` or ``Neo4jError``)."""
    from neo4j.exceptions import ConstraintError, Neo4jError, ServiceUnavailable

    if isinstance(exc, ConstraintError):
        return UniquenessViolation(str(exc))
    if isinstance(exc, ServiceUnavailable):
        return StoreUnavailable(str(exc))
    if isinstance(exc, Neo4jError) and "TransactionTimedOut" in (exc.code or ""):
        return StoreTimeout(f"the read ran past its {timeout} s timeout")
    return StoreError(str(exc))


class Neo4jStore:
    """GraphStore over a Neo4j 5 database (single server or cluster)."""

    dialect = "neo4j"
    writes_in_flight = 1  # concurrent transactions: no order between them
    isolated_writes = False  # read committed: a read may be stale by the time it writes

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j", *,
                 filter_notifications: bool = True, threads: int = 16) -> None:
        from neo4j import GraphDatabase

        options: dict[str, Any] = {"notifications_min_severity": "WARNING"} if (
            filter_notifications) else {}
        self._uri, self._auth, self._options = uri, (user, password), options
        self._driver = GraphDatabase.driver(uri, auth=(user, password), **options)
        self._on_loop: tuple[asyncio.AbstractEventLoop, Any] | None = None
        self._database = database
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="neo4j")
        self.round_trips = 0
        self.changes = WriteCounter()

    @classmethod
    async def connect(cls, uri: str, user: str, password: str,
                      database: str = "neo4j") -> Neo4jStore:
        store = cls(uri, user, password, database)
        try:
            info = await store._blocking(store._driver.get_server_info)
            if tuple(info.protocol_version) < _FILTERING_BOLT:
                await store.close()
                store = cls(uri, user, password, database, filter_notifications=False)
                await store._blocking(store._driver.verify_connectivity)
        except Exception as exc:
            await store.close()
            raise StoreUnavailable(f"cannot reach Neo4j at {uri}: {exc}") from exc
        return store

    async def _blocking(self, call: Callable[..., _T], *args: Any) -> _T:
        """Run a blocking driver call on the store's threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, functools.partial(call, *args))

    async def read(self, query: Cypher, params: Mapping[str, Any] | None = None, *,
                   timeout: float | None = None) -> list[Record]:
        return await self._run(query, params, write=False, timeout=timeout)

    async def write(self, query: Cypher, params: Mapping[str, Any] | None = None) -> list[Record]:
        return await self._run(query, params, write=True)

    async def _run(self, query: Cypher, params: Mapping[str, Any] | None,
                   *, write: bool, timeout: float | None = None) -> list[Record]:
        if not isinstance(query, Cypher):
            raise TypeError("only registered Cypher constants may run against the store")
        self.round_trips += 1
        if write:
            try:
                return await self._blocking(self._write, query, dict(params or {}))
            finally:
                self.changes.bump()
        if isinstance(query, OneRow) and (driver := self._loop_driver()) is not None:
            return await self._read_on_loop(driver, query, dict(params or {}), timeout)
        return await self._blocking(self._read, query, dict(params or {}), timeout)

    def _loop_driver(self) -> Any | None:
        """The async driver of the running loop, made on first use; ``None`` in a loop other
        than the one it was made in."""
        loop = asyncio.get_running_loop()
        if self._on_loop is None:
            from neo4j import AsyncGraphDatabase

            self._on_loop = (loop, AsyncGraphDatabase.driver(self._uri, auth=self._auth,
                                                             **self._options))
        made_in, driver = self._on_loop
        return driver if made_in is loop else None

    async def _read_on_loop(self, driver: Any, query: Cypher, params: dict[str, Any],
                            timeout: float | None) -> list[Record]:
        """``_read`` on the event loop, through the async driver."""
        from neo4j import READ_ACCESS, Query
        from neo4j.exceptions import DriverError, Neo4jError

        statement: Any = query if timeout is None else Query(query, timeout=timeout)
        retry = _ReadRetry(timeout)
        while True:
            try:
                async with driver.session(database=self._database,
                                          default_access_mode=READ_ACCESS) as session:
                    result = await session.run(statement, params)
                    keys = result.keys()
                    return [_row(keys, record) async for record in result]
            except (DriverError, Neo4jError) as exc:
                pause = retry.pause_after(exc)
            await asyncio.sleep(pause)

    def _read(self, query: Cypher, params: dict[str, Any], timeout: float | None
              ) -> list[Record]:
        """One auto-commit read, retried on retryable errors (see the module docstring);
        blocking."""
        from neo4j import READ_ACCESS, Query
        from neo4j.exceptions import DriverError, Neo4jError

        statement: Any = query if timeout is None else Query(query, timeout=timeout)
        retry = _ReadRetry(timeout)
        while True:
            try:
                with self._driver.session(database=self._database,
                                          default_access_mode=READ_ACCESS) as session:
                    return _rows(session.run(statement, params))
            except (DriverError, Neo4jError) as exc:
                pause = retry.pause_after(exc)
            time.sleep(pause)

    def _write(self, query: Cypher, params: dict[str, Any]) -> list[Record]:
        """One managed write transaction (retried by the driver on transient errors);
        blocking."""
        from neo4j.exceptions import DriverError, Neo4jError

        def work(tx: Any) -> list[Record]:
            return _rows(tx.run(query, params))

        try:
            with self._driver.session(database=self._database) as session:
                return session.execute_write(work)
        except (DriverError, Neo4jError) as exc:
            raise _store_error(exc, None) from exc

    def _auto_commit(self, statements: Sequence[tuple[Cypher, dict[str, Any]]]) -> None:
        """Statements that manage their own transactions (DDL, CALL … IN TRANSACTIONS), each
        in an auto-commit transaction of one session; blocking."""
        from neo4j.exceptions import Neo4jError, ServiceUnavailable

        try:
            with self._driver.session(database=self._database) as session:
                for statement, params in statements:
                    session.run(statement, params).consume()
        except ServiceUnavailable as exc:
            raise StoreUnavailable(str(exc)) from exc
        except Neo4jError as exc:
            raise StoreError(str(exc)) from exc

    async def ensure_schema(self, unique: Sequence[UniqueKey], indexed: Sequence[UniqueKey],
                            properties: Sequence[str] = ()) -> None:
        existing = {row["name"] for row in await self.read(PLAIN_INDEXES)}
        statements: list[tuple[Cypher, dict[str, Any]]] = [
            (statement, {}) for statement in schema_statements(unique, indexed, existing)]
        statements += [(CREATE_PROPERTY_KEY, {"key": _checked(key)}) for key in properties]
        await self._blocking(self._auto_commit, statements)
        self.round_trips += len(statements)

    async def ping(self) -> bool:
        try:
            return bool(await self.read(PING))
        except StoreError:
            return False

    async def drop_all(self, batch: int = DROP_BATCH) -> None:
        """Delete every relationship, then every node, ``batch`` per committed transaction
        (schema and indexes stay). Each step is idempotent: a re-run finishes an interrupted
        one."""
        try:
            await self._blocking(self._auto_commit, [(DELETE_RELATIONSHIPS_IN_BATCHES,
                                                      {"batch": batch}),
                                                     (DELETE_NODES_IN_BATCHES,
                                                      {"batch": batch})])
        finally:
            self.changes.bump()
        self.round_trips += 2

    async def close(self) -> None:
        self.changes.close()
        if self._on_loop is not None:
            made_in, driver = self._on_loop
            self._on_loop = None
            if made_in is asyncio.get_running_loop():
                await driver.close()
        await self._blocking(self._driver.close)
        self._threads.shutdown(wait=False)
