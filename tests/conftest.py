"""Shared fixtures: one real embedded FalkorDB server per test session.

Each test that writes gets a graph of its own on that server (graphs are cheap and fully
isolated), so tests never see each other's data and no store is mocked.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from graph.embedded import EmbeddedServer, EmbeddedStore
from graph.migrations import migrate
from graph.neo4j_store import Neo4jStore
from schema import ANONYMOUS, Context, Principal, build_schema
from seed import DEFAULT_SEED_DIR, load_seed

_graph_numbers = itertools.count(1)
# A module that imports this file as ``tests.conftest`` gets a second copy of it, whose
# counter starts again at 1: the suffix keeps its graphs apart from the session's (a shared
# name let one module's teardown empty the seeded store under later tests).
_RUN = secrets.token_hex(3)


# The slowest modules, measured (make test prints the slowest tests): started first, so that
# on several workers none of them starts last and runs alone. A stale list only costs time.
_SLOW_FIRST = ("test_cypher_lint", "test_bench_smoke", "test_web_e2e", "test_serve_lifecycle",
               "test_case_exchange", "test_http_hostile", "test_http_service", "test_demo",
               "test_neo4j_equivalence")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest modules first. Under pytest-xdist (``make test``: ``-n auto --dist
    loadfile``) each module runs whole on one worker, so a module's fixtures (a served
    process, a browser) start once, and each worker has its own embedded server, data
    directories and graph names."""
    rank = {name: i for i, name in enumerate(_SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))  # stable: rest in order


@pytest.fixture(scope="module", autouse=True)
def _one_neo4j_module_at_a_time(request: pytest.FixtureRequest,
                                tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The ``neo4j`` modules share one server and database, which each empties: on several
    workers they take turns (a lock in the run's shared temp folder). xdist's
    ``--dist loadgroup`` would say this with a mark, but it groups nothing on pytest 9.2
    (pytest-xdist issue 1386)."""
    if (request.node.get_closest_marker("neo4j") is None or not os.environ.get("NEO4J_URI")
            or not os.environ.get("PYTEST_XDIST_WORKER")):
        yield
        return
    with open(tmp_path_factory.getbasetemp().parent / "neo4j.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(tmp_path_factory.mktemp("falkordb"), fsync="no")
    server.start()
    yield server
    server.stop()


async def _new_store(server: EmbeddedServer) -> EmbeddedStore:
    store = EmbeddedStore(server.socket_path, graph_name=f"test{next(_graph_numbers)}-{_RUN}")
    await migrate(store, "2026-01-01T00:00:00+00:00")
    return store


@pytest.fixture
async def store(embedded_server: EmbeddedServer) -> AsyncIterator[EmbeddedStore]:
    """An empty, migrated graph of this test's own."""
    graph = await _new_store(embedded_server)
    yield graph
    await graph.drop_all()
    await graph.close()


@pytest.fixture(scope="session")
async def seeded_store(embedded_server: EmbeddedServer) -> AsyncIterator[EmbeddedStore]:
    """The reference framework, loaded once; tests using it must not write."""
    graph = await _new_store(embedded_server)
    await load_seed(graph)
    yield graph
    await graph.drop_all()
    await graph.close()


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the reference seed, for tests that break it on purpose."""
    target = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, target)
    return target


@pytest.fixture(scope="session")
def schema():  # type: ignore[no-untyped-def]
    return build_schema()


@pytest.fixture
def run_query(schema, seeded_store):  # type: ignore[no-untyped-def]
    """Execute a GraphQL document against the seeded store as ``principal``."""

    async def run(query: str, variables: dict | None = None,  # type: ignore[type-arg]
                  principal: Principal = ANONYMOUS, store=None):  # type: ignore[no-untyped-def]
        context = Context(store or seeded_store, principal)
        return await schema.execute(query, variable_values=variables, context_value=context)

    return run


@pytest.fixture
async def neo4j_store() -> AsyncIterator[Neo4jStore]:
    """A real Neo4j 5 server from NEO4J_URI (+ NEO4J_USER, NEO4J_PASSWORD), emptied first."""
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        pytest.skip("NEO4J_URI is not set: no Neo4j server to test against")
    store = await Neo4jStore.connect(uri, os.environ.get("NEO4J_USER", "neo4j"),
                                     os.environ.get("NEO4J_PASSWORD", ""),
                                     os.environ.get("NEO4J_DATABASE", "neo4j"))
    await store.drop_all()
    await migrate(store, "2026-01-01T00:00:00+00:00")
    yield store
    await store.drop_all()
    await store.close()


@pytest.fixture(scope="session")
async def demo_store(embedded_server: EmbeddedServer) -> AsyncIterator[EmbeddedStore]:
    """The reference framework and the demo dataset (service/demo.py), loaded once; tests
    using it must not write (loading the demo again is allowed: it changes nothing)."""
    from service.demo import load_demo

    graph = await _new_store(embedded_server)
    await load_seed(graph)
    await load_demo(graph)
    yield graph
    await graph.drop_all()
    await graph.close()
