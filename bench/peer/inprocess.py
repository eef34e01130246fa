"""``python -m bench.peer.inprocess``: queries (a) and (b) of the peer bench, in this process.

No HTTP and no load generator: the document is prepared once (parse, limits, validation:
what ``GraphQLView`` caches by text) and executed ``--requests`` times with a fresh request
context each, as the view does. Reported per request, medians of ``--repeats`` runs: CPU of
this process (GraphQL execution, store client, the answer's serialisation) and of the store
(the embedded FalkorDB child, or the Neo4j JVM when ``--backend neo4j`` and its pid is
known), and store round trips. It isolates the service's own cost from the HTTP stack and
the machine's noise, so a change to the read path shows up as a ratio.

The embedded side loads the reference seed into a fresh store under a temporary directory;
``--backend neo4j`` loads it into the database at ``NEO4J_URI`` (what ``competency-graph
load`` does: a no-op where the seed is already there) and deletes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.peer.queries import PROJECT, deepest_competency
from bench.peer.servers import cpu_seconds, neo4j_pid
from graph.embedded import EmbeddedServer, EmbeddedStore
from graph.store import GraphStore
from schema import ANONYMOUS, Context, build_schema
from schema.fastpath import FastPath
from schema.limits import QueryLimits
from service.graphql_http import GraphQLView, HttpLimits

__all__ = ["measure"]


async def _run(view: GraphQLView, store: GraphStore, query: str, variables: dict[str, Any],
               count: int, engine: int | None) -> dict[str, float]:
    from graphql import ExecutionResult, execute

    prepared = view.prepare(query, 50_000)
    assert prepared.document is not None and not prepared.errors, prepared.errors
    operation = view._operation(prepared.document, None)
    fast = view.fast_path.plan(prepared.document, operation) if view.fast_path else None
    trips = store.round_trips
    cpu, store_cpu = time.process_time(), cpu_seconds(engine) if engine else 0.0
    for _ in range(count):
        context = Context(store, ANONYMOUS)
        result = await fast.run(context, variables) if fast is not None else None
        if result is None:
            executed = execute(view.schema, prepared.document, context_value=context,
                               variable_values=variables, executor_class=view.executor_class)
            result = executed if isinstance(executed, ExecutionResult) else await executed
        assert not result.errors, result.errors
        json.dumps({"data": result.data}, ensure_ascii=False, separators=(",", ":"))
    return {"cpuMs": (time.process_time() - cpu) * 1000 / count,
            "storeCpuMs": ((cpu_seconds(engine) - store_cpu) * 1000 / count) if engine else 0.0,
            "roundTrips": (store.round_trips - trips) / count}


async def measure(store: GraphStore, engine: int | None, *, requests: int,
                  repeats: int) -> dict[str, dict[str, float]]:
    """Per query, with the fast path (as served) and without it: median CPU per request
    (this process, the store) and round trips."""
    schema = build_schema()
    views = {
        "fast": GraphQLView(schema._schema, limits=QueryLimits(), http=HttpLimits(),
                            context=lambda _request: None,
                            executor_class=schema.execution_context_class,
                            fast_path=FastPath(schema._schema)),
        "graphql-core": GraphQLView(schema._schema, limits=QueryLimits(), http=HttpLimits(),
                                    context=lambda _request: None,
                                    executor_class=schema.execution_context_class),
    }
    variables = {"a": {}, "b": {"code": deepest_competency()[0]}}
    figures: dict[str, dict[str, float]] = {}
    for (path, view), name in itertools.product(views.items(), ("a", "b")):
        await _run(view, store, PROJECT[name], variables[name], 20, engine)  # warm-up
        runs = [await _run(view, store, PROJECT[name], variables[name], requests, engine)
                for _ in range(repeats)]
        figures[f"{name} ({path})"] = {key: round(statistics.median(r[key] for r in runs), 3)
                         for key in runs[0]}
    return figures


async def _embedded(requests: int, repeats: int) -> dict[str, dict[str, float]]:
    from graph.migrations import migrate
    from seed import load_seed

    with tempfile.TemporaryDirectory() as work:
        server = EmbeddedServer(Path(work), fsync="no")
        server.start()
        try:
            store = EmbeddedStore(server.socket_path, graph_name="inprocess")
            await migrate(store, "2026-01-01T00:00:00+00:00")
            await load_seed(store)
            try:
                return await measure(store, server.pid, requests=requests, repeats=repeats)
            finally:
                await store.close()
        finally:
            server.stop(compact=False)


async def _neo4j(requests: int, repeats: int) -> dict[str, dict[str, float]]:
    from graph.neo4j_store import Neo4jStore

    store = await Neo4jStore.connect(os.environ["NEO4J_URI"],
                                     os.environ.get("NEO4J_USER", "neo4j"),
                                     os.environ.get("NEO4J_PASSWORD", ""),
                                     os.environ.get("NEO4J_DATABASE", "neo4j"))
    try:
        from graph.migrations import migrate
        from seed import load_seed

        await migrate(store, "2026-01-01T00:00:00+00:00")
        await load_seed(store)
        return await measure(store, neo4j_pid(), requests=requests, repeats=repeats)
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peer.inprocess",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("embedded", "neo4j"), default="embedded")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    runner = _neo4j if options.backend == "neo4j" else _embedded
    figures = asyncio.run(runner(options.requests, options.repeats))
    print(json.dumps({"backend": options.backend, **figures}, indent=2))


if __name__ == "__main__":
    main()
