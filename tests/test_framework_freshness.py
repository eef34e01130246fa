"""Kept Framework nodes: a warm request asks the store nothing, and changes are seen by rule.

The rule (``graph.framework_cache``): at once in the writing process and in processes that
share its data directory's write counter (``serve``'s workers, the CLI); after at most the
cache's ``ttl`` in a process that does not share it (another service instance). Each
"other process" here is a second store client on the same graph with a counter of its own,
or a real child process writing through its own client.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.peer.queries import PROJECT
from graph.editing import Actor
from graph.embedded import EmbeddedServer, EmbeddedStore
from graph.framework_cache import FrameworkCache
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from graph.versions import create_version, deprecate_framework, publish_framework
from graph.write_counter import WriteCounter
from schema import ANONYMOUS, Context
from schema.fastpath import FastPath
from seed import load_seed

OLD, NEW = "AIL@2025.1", "AIL@2026.1"
ACTOR = Actor("designer-7", "designer")
DEFAULT = "{ framework { id status } }"
ROOT = Path(__file__).resolve().parents[1]


class Clock:
    """The cache's clock, moved on by the test (a loaded machine makes sleeps unreliable)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _default(schema: Any, store: GraphStore, cache: FrameworkCache) -> tuple[str, int]:
    """The default version's id, and the store calls the request made."""
    before = store.round_trips
    result = await schema.execute(DEFAULT, context_value=Context(store, ANONYMOUS, cache=cache))
    assert result.errors is None, result.errors
    return result.data["framework"]["id"], store.round_trips - before


async def _b(schema: Any, store: GraphStore, cache: FrameworkCache) -> tuple[Any, int]:
    """Query (b) of the peer bench on the fast path (what the HTTP view serves)."""
    from graphql import parse

    document = parse(PROJECT["b"])
    plan = FastPath(schema._schema).plan(document, document.definitions[0])  # type: ignore[arg-type]
    assert plan is not None
    before = store.round_trips
    result = await plan.run(Context(store, ANONYMOUS, cache=cache), {"code": "GEN-28"})
    assert result is not None and result.errors is None
    return result.data, store.round_trips - before


async def test_a_warm_request_asks_the_store_nothing(schema: Any,
                                                     seeded_store: EmbeddedStore) -> None:
    cache = FrameworkCache()
    cold, cold_calls = await _b(schema, seeded_store, cache)
    warm, warm_calls = await _b(schema, seeded_store, cache)
    assert warm == cold and len(warm["competency"]["prerequisites"]) == 18
    assert (cold_calls, warm_calls) == (1 + 6, 0)  # the default's node, then the snapshot
    assert await _default(schema, seeded_store, cache) == (OLD, 0)


async def test_every_write_moves_the_counter_on(store: EmbeddedStore) -> None:
    before = store.changes.value
    await load_seed(store)
    after_load = store.changes.value
    assert after_load > before
    await store.drop_all()
    assert store.changes.value > after_load


async def _second_client(store: EmbeddedStore, embedded_server: EmbeddedServer
                         ) -> EmbeddedStore:
    return EmbeddedStore(embedded_server.socket_path, graph_name=store._graph_name)


async def test_this_process_sees_its_own_writes_at_once(schema: Any,
                                                        store: EmbeddedStore) -> None:
    await load_seed(store)
    cache = FrameworkCache(ttl=3600)
    assert (await _default(schema, store, cache))[0] == OLD
    assert (await create_version(store, OLD, "2026.1", ACTOR)).framework is not None
    assert (await _default(schema, store, cache))[0] == OLD  # a draft is no default
    assert (await publish_framework(store, NEW, ACTOR)).framework is not None
    assert await _default(schema, store, cache) == (NEW, 1)
    assert await _default(schema, store, cache) == (NEW, 0)
    assert (await deprecate_framework(store, NEW, ACTOR)).framework is not None
    assert (await _default(schema, store, cache))[0] == OLD


async def test_another_instance_is_seen_within_the_ttl(
        schema: Any, store: EmbeddedStore, embedded_server: EmbeddedServer) -> None:
    await load_seed(store)
    assert (await create_version(store, OLD, "2026.1", ACTOR)).framework is not None
    clock = Clock()
    cache = FrameworkCache(ttl=1.0, clock=clock)
    assert (await _default(schema, store, cache))[0] == OLD
    other = await _second_client(store, embedded_server)  # a counter of its own
    try:
        assert (await publish_framework(other, NEW, ACTOR)).framework is not None
        # Within the ttl the kept node answers without a store call ...
        clock.now = 0.99
        assert await _default(schema, store, cache) == (OLD, 0)
        # ... and after it the node is read again.
        clock.now = 1.0
        assert await _default(schema, store, cache) == (NEW, 1)
    finally:
        await other.close()


async def test_processes_sharing_the_counter_see_a_publish_at_once(
        schema: Any, store: EmbeddedStore, embedded_server: EmbeddedServer,
        tmp_path: Path) -> None:
    await load_seed(store)
    assert (await create_version(store, OLD, "2026.1", ACTOR)).framework is not None
    store.changes = WriteCounter.shared(tmp_path / "run" / "writes")
    cache = FrameworkCache(ttl=3600)
    assert await _default(schema, store, cache) == (OLD, 1)
    assert await _default(schema, store, cache) == (OLD, 0)
    # A real sibling process: its own store client, the same counter file.
    child = f"""
import asyncio
from pathlib import Path
from graph.editing import Actor
from graph.embedded import EmbeddedStore
from graph.versions import publish_framework
from graph.write_counter import WriteCounter

async def main():
    store = EmbeddedStore({embedded_server.socket_path!r}, graph_name={store._graph_name!r})
    store.changes = WriteCounter.shared(Path({str(tmp_path / "run" / "writes")!r}))
    result = await publish_framework(store, {NEW!r}, Actor("designer-7", "designer"))
    assert result.framework is not None, result.errors
    await store.close()

asyncio.run(main())
"""
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", child], cwd=ROOT,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)},
                                   capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert await _default(schema, store, cache) == (NEW, 1)
    store.changes.close()


def test_a_shared_counter_is_one_number_for_every_process(tmp_path: Path) -> None:
    path = tmp_path / "run" / "writes"
    first, second = WriteCounter.shared(path), WriteCounter.shared(path)
    try:
        assert first.path == path and first.value == second.value == 0
        second.bump()
        second.bump()
        assert first.value == 2
        first.bump()
        assert second.value == 3
    finally:
        first.close()
        second.close()


def test_an_unusable_counter_file_falls_back_to_this_process(tmp_path: Path) -> None:
    blocker = tmp_path / "run"
    blocker.write_text("a file where the folder would be")
    counter = WriteCounter.shared(blocker / "writes")
    assert counter.path is None
    counter.bump()
    assert counter.value == 1


@pytest.mark.neo4j
async def test_on_neo4j_a_warm_request_asks_nothing_and_changes_are_seen(
        schema: Any, neo4j_store: Neo4jStore, tmp_path: Path) -> None:
    await load_seed(neo4j_store)
    assert (await create_version(neo4j_store, OLD, "2026.1", ACTOR)).framework is not None
    clock = Clock()
    cache = FrameworkCache(ttl=1.0, clock=clock)
    cold, cold_calls = await _b(schema, neo4j_store, cache)
    warm, warm_calls = await _b(schema, neo4j_store, cache)
    assert warm == cold and (cold_calls, warm_calls) == (7, 0)
    other = await Neo4jStore.connect(os.environ["NEO4J_URI"],
                                     os.environ.get("NEO4J_USER", "neo4j"),
                                     os.environ.get("NEO4J_PASSWORD", ""),
                                     os.environ.get("NEO4J_DATABASE", "neo4j"))
    try:
        # Another instance (a counter of its own): seen after the ttl.
        assert (await publish_framework(other, NEW, ACTOR)).framework is not None
        assert await _default(schema, neo4j_store, cache) == (OLD, 0)
        clock.now = 1.0
        assert await _default(schema, neo4j_store, cache) == (NEW, 1)
        # A sibling worker (the same counter file): seen at once.
        path = tmp_path / "run" / "writes"
        neo4j_store.changes, other.changes = WriteCounter.shared(path), WriteCounter.shared(path)
        cache.ttl = 3600
        assert await _default(schema, neo4j_store, cache) == (NEW, 1)
        assert await _default(schema, neo4j_store, cache) == (NEW, 0)
        assert (await deprecate_framework(other, NEW, ACTOR)).framework is not None
        assert await _default(schema, neo4j_store, cache) == (OLD, 1)
    finally:
        await other.close()
