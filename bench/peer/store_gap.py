"""The gap at the store on both engines, the same data: ``analytics.student_with_standing`` +
``report_of`` (the one store query behind ``student { standing }`` and the arithmetic on its
row) for random students, timed in this process, wall and CPU (``process_time``: the Neo4j
store's driver runs on threads of its own). Medians over the loops of each loop's p50."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from typing import Any

from graph import analytics
from graph.batches import student_uid
from graph.store import GraphStore

__all__ = ["gap_at_store"]

SAMPLES = 300
LOOPS = 3


async def _loop(store: GraphStore, uids: list[str]) -> tuple[float, float, float]:
    timings = []
    cpu = time.process_time()
    for uid in uids:
        started = time.perf_counter()
        found = await analytics.student_with_standing(store, uid)
        assert found is not None, uid
        analytics.report_of(found["student"], found)
        timings.append(time.perf_counter() - started)
    cpu = time.process_time() - cpu
    timings.sort()
    return (timings[len(timings) // 2] * 1000, timings[int(len(timings) * 0.95) - 1] * 1000,
            cpu * 1000 / len(uids))


async def _measure(store: GraphStore, picks: list[list[str]]) -> dict[str, Any]:
    await _loop(store, picks[0][:50])  # warm plans and connections
    loops = [await _loop(store, uids) for uids in picks]
    return {"p50ms": round(statistics.median(p for p, _, _ in loops), 3),
            "p95ms": round(statistics.median(p for _, p, _ in loops), 3),
            "clientCpuMs": round(statistics.median(c for _, _, c in loops), 3),
            "loops": [{"p50ms": round(a, 3), "p95ms": round(b, 3), "clientCpuMs": round(c, 3)}
                      for a, b, c in loops]}


def gap_at_store(neo4j: dict[str, str], socket: str | None,
                 students: list[tuple[str, str]], seed: int) -> dict[str, Any]:
    """Both engines' figures and Neo4j's p50 ÷ embedded's (the issue's "≤ 3×")."""
    from graph.embedded import EmbeddedStore
    from graph.neo4j_store import Neo4jStore

    rng = random.Random(seed + 11)
    picks = [[student_uid(*rng.choice(students)) for _ in range(SAMPLES)] for _ in range(LOOPS)]

    async def both() -> dict[str, Any]:
        figures: dict[str, Any] = {}
        store: GraphStore = await Neo4jStore.connect(neo4j["uri"], neo4j["user"],
                                                     neo4j["password"], neo4j["database"])
        try:
            figures["neo4j"] = await _measure(store, picks)
        finally:
            await store.close()
        if socket is not None:
            embedded = EmbeddedStore(socket)
            try:
                figures["embedded"] = await _measure(embedded, picks)
            finally:
                await embedded.close()
            figures["ratio"] = round(figures["neo4j"]["p50ms"] / figures["embedded"]["p50ms"], 2)
        return figures

    return asyncio.run(both())
