"""The Neo4j store retries a read that fails with a retryable error (the driver retries only
managed transactions; reads are auto-commit), then reports the store unavailable. Needs no
server: nothing listens on the port, which the driver reports as retryable."""

from __future__ import annotations

import socket
import time

import pytest

from graph import neo4j_store
from graph.errors import StoreUnavailable
from graph.neo4j_store import PING, Neo4jStore


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_an_unreachable_server_is_retried_then_unavailable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neo4j_store, "READ_RETRY_SECONDS", 0.3)
    store = Neo4jStore(f"bolt://127.0.0.1:{_closed_port()}", "neo4j", "unused")
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            await store.read(PING)
        waited = time.monotonic() - started
    finally:
        await store.close()
    # three attempts: back-off 0.05 s then 0.1 s (±20 %); a third delay would pass the budget
    assert 0.12 <= waited < 5
