"""Open the configured graph store and bring its schema up to date."""

from __future__ import annotations

from datetime import UTC, datetime

from graph.embedded import EmbeddedStore
from graph.migrations import migrate
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from service.config import Settings

__all__ = ["open_store"]


async def open_store(settings: Settings, *, run_migrations: bool = True) -> GraphStore:
    store: GraphStore
    if settings.backend == "neo4j":
        assert settings.neo4j_uri and settings.neo4j_password  # checked by Settings
        store = await Neo4jStore.connect(settings.neo4j_uri, settings.neo4j_user,
                                         settings.neo4j_password, settings.neo4j_database)
    else:
        store = await EmbeddedStore.start(settings.data_dir, fsync=settings.fsync)
    if run_migrations:
        try:
            await migrate(store, datetime.now(UTC).isoformat(timespec="seconds"))
        except BaseException:
            await store.close()
            raise
    return store
