"""Prometheus metrics: requests, latency, store round trips, errors by code.

Why prometheus_client: `serve` runs several worker processes and a scrape reaches one of
them; its multiprocess mode (one mmap file per process in a shared directory, summed at
scrape time) gives the service's totals, which our own counters could not without
re-inventing that. `serve` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before
the workers start; in a single process (tests, `create_app`) the default registry is used.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["MULTIPROCESS_ENV", "Metrics", "metrics_endpoint"]

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The service's instruments (one set per process; module-level, as the client wants)."""

    def __init__(self) -> None:
        self.requests = Counter("cg_http_requests", "HTTP requests answered",
                                ["method", "route", "status"])
        self.latency = Histogram("cg_http_request_duration_seconds",
                                 "Time to answer an HTTP request", ["route"], buckets=_BUCKETS)
        self.round_trips = Counter("cg_store_round_trips",
                                   "Queries sent to the graph store for HTTP callers")
        self.errors = Counter("cg_graphql_errors", "GraphQL errors returned, by code",
                              ["code"])
        self.execution = Counter(
            "cg_graphql_execution", "GraphQL requests by how they ran: fast (schema.fastpath, "
            "from the framework cache), declined (a document it does not take) or gave_up "
            "(taken, but answered by graphql-core: a draft, an error)", ["path"])
        self.rejected = Counter("cg_http_overload_rejections",
                                "Requests refused with 503 because a worker was at capacity")
        self.in_flight = Gauge("cg_http_in_flight", "Requests being handled",
                               multiprocess_mode="livesum")
        # A gauge, as a counter cannot keep one value per process in multiprocess mode.
        self.worker_requests = Gauge(
            "cg_http_worker_requests", "HTTP requests answered by each worker process "
            "(label pid, with several workers): how evenly they share the load",
            multiprocess_mode="all")

    def observe(self, method: str, path: str, status: int, seconds: float) -> None:
        route = path if path in ROUTES else "other"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)
        self.worker_requests.inc()


_METRICS: Metrics | None = None


def metrics() -> Metrics:
    """The process's instruments, made on first use (registering twice would fail)."""
    global _METRICS
    if _METRICS is None:
        _METRICS = Metrics()
    return _METRICS


def _registry() -> Any:
    if os.environ.get(MULTIPROCESS_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
