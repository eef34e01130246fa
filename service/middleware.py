"""The ASGI layer around every request: its id, its log line, its metrics, back-pressure.

Back-pressure: a worker handles at most ``max_in_flight`` GraphQL requests at once; one more
is answered at once with 503 and ``Retry-After`` instead of waiting in an unbounded queue
(health probes and metrics are never refused, so an overloaded worker still says so).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.logs import REQUEST_ID
from service.metrics import metrics

__all__ = ["RequestMiddleware"]

log = logging.getLogger("competency_graph.http")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
_LIMITED = frozenset({"/graphql"})


class RequestMiddleware:
    def __init__(self, app: ASGIApp, *, max_in_flight: int = 64) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0
        self.metrics = metrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        status = 500
        id_header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), id_header]
            await send(message)

        limited = scope["path"] in _LIMITED
        try:
            if limited and self.in_flight >= self.max_in_flight:
                self.metrics.rejected.inc()
                await _overloaded(send_with_id)
                return
            if limited:
                self.in_flight += 1
                self.metrics.in_flight.inc()
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if limited:
                    self.in_flight -= 1
                    self.metrics.in_flight.dec()
        finally:
            seconds = time.perf_counter() - started
            self.metrics.observe(scope["method"], scope["path"], status, seconds)
            log.info("request", extra={"method": scope["method"], "path": scope["path"],
                                       "status": status, "ms": round(seconds * 1000, 2)})
            REQUEST_ID.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _overloaded(send: Any) -> None:
    body = json.dumps({"errors": [{"message": "the service is at capacity: retry shortly",
                                   "extensions": {"code": "OVERLOADED"}}]}).encode()
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", b"application/json"), (b"retry-after", b"1"),
        (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
