"""The peer bench's data: the reference seed plus generated students, through the project's
own code (``seed.load_seed`` and ``service.importer.import_csv``, what ``competency-graph load``
and ``competency-graph import`` run), into Neo4j and into an embedded store."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.peer.students import CSV_COLUMNS, write_csv
from bench.peer.students import seed_students as generate_students
from graph.embedded import EmbeddedServer, EmbeddedStore
from graph.migrations import migrate
from graph.store import GraphStore
from seed import load_seed
from service.importer import import_csv

__all__ = ["load_embedded", "load_neo4j", "write_students"]


def write_students(csv_dir: Path, students: int, results: int, seed: int) -> dict[str, Any]:
    """The CSV files and what is in them (the student keys for query (c))."""
    generated = generate_students(students, results, seed=seed)
    paths = write_csv(generated, csv_dir)
    return {"paths": paths, "framework": generated.framework,
            "students": [(row["college"], row["code"]) for row in generated.rows["students"]],
            "rows": {kind: len(rows) for kind, rows in generated.rows.items()}}


async def _fill(store: GraphStore, paths: dict[str, Path], checkpoints: Path) -> dict[str, float]:
    seconds: dict[str, float] = {}
    started = time.monotonic()
    await migrate(store, datetime.now(UTC).isoformat(timespec="seconds"))
    framework = (await load_seed(store)).uid
    seconds["seed"] = time.monotonic() - started
    for kind in CSV_COLUMNS:
        report = await import_csv(store, kind, paths[kind], checkpoint_dir=checkpoints,
                                  framework=framework, progress=None)
        seconds[kind] = report.seconds
    return seconds


async def load_neo4j(uri: str, user: str, password: str, database: str,
                     paths: dict[str, Path], work: Path) -> dict[str, float]:
    """Empty the Neo4j database, then load the seed and import the CSVs."""
    from graph.neo4j_store import Neo4jStore

    store = await Neo4jStore.connect(uri, user, password, database)
    try:
        started = time.monotonic()
        await store.drop_all()
        dropped = time.monotonic() - started
        seconds = await _fill(store, paths, work / "checkpoints-neo4j")
        return {"drop": dropped, **seconds}
    finally:
        await store.close()


def load_embedded(data_dir: Path, paths: dict[str, Path], work: Path) -> dict[str, float]:
    """A fresh embedded store in ``data_dir`` (served afterwards by ``competency-graph serve``)."""
    server = EmbeddedServer(data_dir, fsync="everysec")
    server.start()
    try:
        async def fill() -> dict[str, float]:
            store = EmbeddedStore(server.socket_path)
            try:
                return await _fill(store, paths, work / "checkpoints-embedded")
            finally:
                await store.close()

        return asyncio.run(fill())
    finally:
        server.stop()
