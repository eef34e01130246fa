"""The HTTP view and middleware in process: masking, back-pressure, caching."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph.embedded import EmbeddedStore
from graph.errors import StoreTimeout
from schema.limits import QueryLimits
from service.app import create_app
from service.config import Settings
from service.graphql_http import GraphQLView, HttpLimits
from service.logs import JsonFormatter
from service.middleware import RequestMiddleware


@strawberry.type
class _Query:
    @strawberry.field
    def broken(self) -> str:
        code = "-".join(["STU", "SECRET", "9"])  # a value, as a real failure would hold
        raise RuntimeError(f"internal detail {code}")

    @strawberry.field
    def slow(self) -> str:
        raise StoreTimeout("the read ran past its 0.5 s timeout")

    @strawberry.field
    def hello(self, name: str) -> str:
        return f"hi {name}"


def _app(view: GraphQLView) -> Starlette:
    return Starlette(routes=[Route("/graphql", view.__call__, methods=["GET", "POST"])])


def _view() -> GraphQLView:
    schema = strawberry.Schema(query=_Query)
    return GraphQLView(schema._schema, limits=QueryLimits(), http=HttpLimits(),
                       context=lambda request: None,
                       executor_class=schema.execution_context_class)


async def _post(app: Starlette, json: dict) -> httpx.Response:  # type: ignore[type-arg]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post("/graphql", json=json)


async def test_unexpected_errors_are_masked_and_logged_without_the_query(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="competency_graph.graphql"):
        response = await _post(_app(_view()), {"query": "{ broken }"})
    error = response.json()["errors"][0]
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL_ERROR"}
    assert "STU-SECRET-9" not in response.text
    logged = caplog.records[-1]
    assert logged.exc_info is not None  # the traceback is kept for the operator
    line = JsonFormatter().format(logged)
    assert "RuntimeError" in line and "in broken" in line  # the stack, for the operator
    assert "STU-SECRET-9" not in line and "{ broken }" not in line  # no value, no query


async def test_documents_are_prepared_once() -> None:
    view = _view()
    app = _app(view)
    for name in ("a", "b"):
        answer = await _post(app, {"query": "query($n: String!) { hello(name: $n) }",
                                   "variables": {"n": name}})
        assert answer.json() == {"data": {"hello": f"hi {name}"}}
    assert len(view._cache) == 1


async def test_a_full_worker_answers_503_at_once() -> None:
    release = asyncio.Event()
    entered = asyncio.Event()

    async def slow(_: Request) -> Response:
        entered.set()
        await release.wait()
        return JSONResponse({"data": None})

    app = RequestMiddleware(Starlette(routes=[Route("/graphql", slow, methods=["POST"])]),
                            max_in_flight=1)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        first = asyncio.ensure_future(client.post("/graphql", json={}))
        await entered.wait()
        refused = await client.post("/graphql", json={})
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert refused.json()["errors"][0]["extensions"]["code"] == "OVERLOADED"
        assert (await client.get("/healthz")).status_code == 404  # probes are never refused
        release.set()
        assert (await first).status_code == 200


async def test_a_read_past_the_timeout_is_typed_not_internal() -> None:
    answer = await _post(_app(_view()), {"query": "{ slow }"})
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "STORE_TIMEOUT"
    assert "timeout" in error["message"]


async def test_a_dead_engine_answers_503_with_retry_after(tmp_path: Path) -> None:
    broken = await EmbeddedStore.start(tmp_path / "gone")
    assert broken._server is not None
    broken._server.stop()  # the engine is down (a supervisor would be restarting it)
    app = create_app(Settings.from_env({"CG_DATA_DIR": str(tmp_path)}), store=broken)
    app.state.store = broken  # what the lifespan does
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        ready = await client.get("/readyz")
        answer = await client.post("/graphql", json={"query": "{ frameworks { id } }"})
    assert ready.status_code == 503 and ready.headers["retry-after"]
    assert answer.status_code == 503 and answer.headers["retry-after"]
    assert answer.json()["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"
    await broken.close()
