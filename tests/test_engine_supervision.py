"""The supervised engine: restarted when it dies, kept while another process uses it."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from pathlib import Path

from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from graph.embedded_server import EmbeddedServer

WRITE = Cypher("MERGE (n:Probe {key: $key}) RETURN n.key AS key")
READ = Cypher("MATCH (n:Probe) RETURN count(n) AS n")


async def _until(check, seconds: float = 60) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_killed_engine_restarts_with_its_data(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path / "data", fsync="always")
    await asyncio.to_thread(server.start, supervised=True)
    store = EmbeddedStore(server.socket_path)
    try:
        await store.write(WRITE, {"key": "kept"})
        first = server.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        assert await _until(lambda: _restarted(server, store))
        assert server.pid != first
        assert (await store.read(READ))[0]["n"] == 1  # replayed from the append-only file
    finally:
        await store.close()
        await asyncio.to_thread(server.stop)
    assert not (tmp_path / "data" / "engine.json").exists()


async def _restarted(server: EmbeddedServer, store: EmbeddedStore) -> bool:
    return server.restarts == 1 and await store.ping()


async def test_stop_waits_for_another_client_to_finish(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path / "data", fsync="no")
    await asyncio.to_thread(server.start, supervised=True)
    other = EmbeddedStore(EmbeddedServer.discover(tmp_path / "data") or "")
    assert await other.ping()  # another process, found through engine.json
    stopping = threading.Thread(target=server.stop)
    stopping.start()
    await asyncio.sleep(0.6)
    assert stopping.is_alive() and await other.ping()  # still serving the other client
    await other.close()
    await asyncio.to_thread(stopping.join, 30)
    assert not stopping.is_alive()
