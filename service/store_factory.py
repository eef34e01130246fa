"""Open the configured graph store and bring its schema up to date.

The embedded engine is shared, not fought over: when another process (``serve``) already
runs it on the data directory, the CLI connects to that engine's socket instead of failing
on the directory's lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from graph.embedded_server import EmbeddedServer
from graph.errors import StoreUnavailable
from graph.migrations import migrate
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore, Record, UniqueKey
from graph.write_counter import WriteCounter
from service.config import Settings

__all__ = ["RequestStore", "open_embedded", "open_store", "share_write_counter"]


async def open_embedded(data_dir: Path, *, fsync: str = "always",
                        supervised: bool = True) -> EmbeddedStore:
    """Connect to the engine running on ``data_dir``, or start (and supervise) one."""
    for _ in range(2):
        socket_path = await asyncio.to_thread(EmbeddedServer.discover, data_dir)
        if socket_path is not None:
            return EmbeddedStore(socket_path)
        server = EmbeddedServer(data_dir, fsync=fsync)
        try:
            await asyncio.to_thread(server.start, supervised=supervised)
        except StoreUnavailable as exc:
            if "in use" not in str(exc):
                raise
            continue  # someone started it between our look and our start: use theirs
        return EmbeddedStore(server.socket_path, server=server)
    raise StoreUnavailable(f"could not open the data directory {data_dir}")


def share_write_counter(store: GraphStore, settings: Settings) -> GraphStore:
    """Give ``store`` the write counter of the data directory, which every process opening
    the store with these settings shares (``serve``'s workers, the CLI): a write in one is
    noticed by the others' caches at once (``graph.framework_cache``)."""
    store.changes = WriteCounter.shared(settings.data_dir.resolve() / "run" / "writes")
    return store


async def open_store(settings: Settings, *, run_migrations: bool = True) -> GraphStore:
    store: GraphStore
    if settings.backend == "neo4j":
        assert settings.neo4j_uri and settings.neo4j_password  # checked by Settings
        store = await Neo4jStore.connect(settings.neo4j_uri, settings.neo4j_user,
                                         settings.neo4j_password, settings.neo4j_database)
    else:
        store = await open_embedded(settings.data_dir, fsync=settings.fsync)
    share_write_counter(store, settings)
    if run_migrations:
        try:
            await migrate(store, datetime.now(UTC).isoformat(timespec="seconds"))
        except BaseException:
            await store.close()
            raise
    return store


class RequestStore:
    """The store as one HTTP request sees it: reads bounded by the configured timeout, and
    its round trips counted (for /metrics). Cheap: one object and one frame per call."""

    __slots__ = ("_store", "_timeout", "changes", "dialect", "round_trips")

    def __init__(self, store: GraphStore, read_timeout: float | None) -> None:
        self._store = store
        self._timeout = read_timeout or None
        self.dialect = store.dialect
        self.changes = store.changes
        self.round_trips = 0

    async def read(self, query: Cypher, params: Mapping[str, Any] | None = None, *,
                   timeout: float | None = None) -> list[Record]:
        self.round_trips += 1
        return await self._store.read(query, params, timeout=timeout or self._timeout)

    async def write(self, query: Cypher, params: Mapping[str, Any] | None = None
                    ) -> list[Record]:
        self.round_trips += 1
        return await self._store.write(query, params)

    async def ensure_schema(self, unique: Sequence[UniqueKey], indexed: Sequence[UniqueKey],
                            properties: Sequence[str] = ()) -> None:
        await self._store.ensure_schema(unique, indexed, properties)

    async def ping(self) -> bool:
        return await self._store.ping()

    async def close(self) -> None:
        """The shared store outlives the request: nothing to release."""

    def __getattr__(self, name: str) -> Any:  # anything else a backend offers
        return getattr(self._store, name)
