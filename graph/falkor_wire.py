"""A lean client for the embedded FalkorDB engine: RESP over a unix socket, compact replies.

Why not the ``falkordb`` client: it parses each reply value through a coroutine of its own
(it may have to ask the engine for label and property names), which was about a third of the
CPU of a student report. Here hiredis (C) splits the reply, and one synchronous pass turns
FalkorDB's compact encoding (``[type, value]`` cells) into plain Python rows. Node and
relationship properties come as key ids; the names are read once per graph and again only when
a reply names an id not yet known.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import hiredis

from graph.errors import StoreUnavailable

__all__ = [
    "ReplyError", "UnknownPropertyKey", "WirePool", "decode_rows", "encode_command", "is_loading"]

ReplyError = hiredis.ReplyError

# FalkorDB's compact value types (see its ``resultset_formatter``).
_NULL, _STRING, _INTEGER, _BOOLEAN, _DOUBLE, _ARRAY, _EDGE, _NODE, _PATH, _MAP = range(1, 11)
_AS_SENT = (_STRING, _INTEGER)  # values the reply already holds as Python wants them


def encode_command(args: Sequence[str | int | bytes]) -> bytes:
    """One command as a RESP array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        raw = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(parts)


class UnknownPropertyKey(LookupError):
    """A reply used a property key id newer than the cached names: read them again."""


def _properties(triples: list[list[Any]], keys: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key_id, kind, raw in triples:
        if key_id >= len(keys):
            raise UnknownPropertyKey(key_id)
        out[keys[key_id]] = _value(kind, raw, keys)
    return out


def _value(kind: int, raw: Any, keys: Sequence[str]) -> Any:
    if kind in (_STRING, _INTEGER):
        return raw
    if kind == _NULL:
        return None
    if kind == _DOUBLE:
        return float(raw)
    if kind == _BOOLEAN:
        return raw == "true"
    if kind == _ARRAY:  # strings and integers inline: most arrays hold only those
        return [v if k in _AS_SENT else _value(k, v, keys) for k, v in raw]
    if kind == _MAP:
        it = iter(raw)
        return {name: _value(cell[0], cell[1], keys) for name, cell in zip(it, it, strict=True)}
    if kind == _NODE:  # [id, [label ids], [[key id, type, value], ...]]: the properties
        return _properties(raw[2], keys)
    if kind == _EDGE:  # [id, type id, source, destination, properties]
        return _properties(raw[4], keys)
    if kind == _PATH:
        raise ValueError("paths are not returned by the project's queries")
    raise ValueError(f"FalkorDB value type {kind} is not supported")


def decode_rows(reply: list[Any], keys: Sequence[str]) -> list[dict[str, Any]]:
    """A compact GRAPH.QUERY reply ``[header, rows, stats]`` as records; ``[stats]`` for a
    query that returns nothing."""
    if len(reply) < 3:
        return []
    names = [column[1] for column in reply[0]]
    records = []
    for row in reply[1]:
        record = {}
        for name, (kind, raw) in zip(names, row, strict=True):
            if kind in (_STRING, _INTEGER):
                record[name] = raw
            elif kind == _NULL:
                record[name] = None
            else:
                record[name] = _value(kind, raw, keys)
        records.append(record)
    return records


def is_loading(reply: ReplyError) -> bool:
    """The engine answers ``LOADING`` to every command while it replays its append-only log
    after a restart: the store is not there yet, which is not a fault of the query."""
    return str(reply).startswith("LOADING")


class _Connection:
    __slots__ = ("parser", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.parser = hiredis.Reader(encoding="utf-8")

    async def call(self, payload: bytes) -> Any:
        self.writer.write(payload)
        return await self.next_reply()

    async def next_reply(self) -> Any:
        reply = self.parser.gets()
        while reply is False:
            chunk = await self.reader.read(262144)
            if not chunk:
                raise ConnectionResetError("the engine closed the connection")
            self.parser.feed(chunk)
            reply = self.parser.gets()
        return reply

    def close(self) -> None:
        self.writer.close()


class _Lane:
    """One connection, pipelined: replies come back in the order the commands went out, so
    each is handed to the caller that sent it (one reader task). A caller that gives up
    leaves its reply to be read and dropped; a lost connection fails every caller waiting
    on it, and the next call opens another."""

    def __init__(self, open_connection: Callable[[], Awaitable[_Connection]]) -> None:
        self._open_connection = open_connection
        self._connection: _Connection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: collections.deque[asyncio.Future[Any]] = collections.deque()
        self._opening = asyncio.Lock()

    async def call(self, payload: bytes) -> Any:
        connection = self._connection
        if connection is None:
            async with self._opening:
                if self._connection is None:
                    try:
                        self._connection = await self._open_connection()
                    except OSError as exc:
                        raise StoreUnavailable(f"embedded store unavailable: {exc}") from exc
                    self._reader = asyncio.ensure_future(self._read(self._connection))
                connection = self._connection
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        connection.writer.write(payload)
        return await future

    async def _read(self, connection: _Connection) -> None:
        try:
            while True:
                reply = await connection.next_reply()
                future = self._waiting.popleft()
                if not future.done():  # its caller may have given up
                    future.set_result(reply)
        except (OSError, asyncio.IncompleteReadError, IndexError) as exc:
            self._fail(connection, StoreUnavailable(f"embedded store unavailable: {exc}"))
        except asyncio.CancelledError:
            self._fail(connection, StoreUnavailable("the embedded store's client is closing"))
            raise

    def _fail(self, connection: _Connection, error: Exception) -> None:
        if self._connection is connection:
            self._connection = None
        connection.close()
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_exception(error)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, StoreUnavailable):
                await self._reader


class WirePool:
    """At most ``size`` connections to one socket, opened on demand and reused; a connection
    whose call failed or was cancelled mid-reply is closed, never reused."""

    def __init__(self, socket_path: str, *, size: int = 16, wait: float = 30.0) -> None:
        self._path = socket_path
        self._wait = wait
        self._slots = asyncio.Semaphore(size)
        self._idle: collections.deque[_Connection] = collections.deque()
        self._lane: _Lane | None = None

    async def call(self, args: Sequence[str | int | bytes]) -> Any:
        """Send one command; an error reply is returned (a ``ReplyError``), not raised; a
        lost or unreachable engine, or one still loading after a restart, raises
        ``StoreUnavailable``."""
        payload = encode_command(args)
        try:
            await asyncio.wait_for(self._slots.acquire(), self._wait)
        except TimeoutError as exc:
            raise StoreUnavailable("no free connection to the embedded store") from exc
        connection: _Connection | None = None
        try:
            connection = self._idle.pop() if self._idle else await self._open()
            reply = await connection.call(payload)
            self._idle.append(connection)
        except BaseException as exc:
            if connection is not None:
                connection.close()
            if isinstance(exc, OSError | asyncio.IncompleteReadError):
                raise StoreUnavailable(f"embedded store unavailable: {exc}") from exc
            raise
        finally:
            self._slots.release()
        if isinstance(reply, ReplyError) and is_loading(reply):
            raise StoreUnavailable("embedded store is loading its data (restarted)")
        return reply

    async def call_in_order(self, args: Sequence[str | int | bytes]) -> Any:
        """Like ``call``, on one connection kept for it: commands run in the order they were
        called, and a caller may send the next before the last one's reply is in (the
        engine runs writes one at a time anyway, so none waits longer; the client encodes
        the next while the engine works)."""
        if self._lane is None:
            self._lane = _Lane(self._open)
        reply = await self._lane.call(encode_command(args))
        if isinstance(reply, ReplyError) and is_loading(reply):
            raise StoreUnavailable("embedded store is loading its data (restarted)")
        return reply

    async def _open(self) -> _Connection:
        reader, writer = await asyncio.open_unix_connection(self._path, limit=1 << 20)
        return _Connection(reader, writer)

    async def close(self) -> None:
        if self._lane is not None:
            await self._lane.close()
        while self._idle:
            connection = self._idle.pop()
            connection.close()
            with contextlib.suppress(OSError):
                await connection.writer.wait_closed()
