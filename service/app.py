"""The Starlette application: GraphQL (+ bundled GraphiQL), health probes, auth, logs."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from graph.embedded import EmbeddedStore
from graph.store import GraphStore
from schema import Context, Limits, Principal, build_schema
from service.auth import InvalidToken, load_or_create_secret, principal_from_header
from service.config import Settings
from service.exchange import exchange_routes
from service.logs import configure_logging
from service.store_factory import open_store

__all__ = ["app_from_env", "create_app"]

log = logging.getLogger("competency_graph.http")
STATIC_DIR = Path(__file__).parent / "static"
GRAPHIQL_DIR = STATIC_DIR / "graphiql"


class PrincipalUser(BaseUser):
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return self.principal.role.value != "anonymous"

    @property
    def display_name(self) -> str:
        return self.principal.subject


class TokenBackend(AuthenticationBackend):
    def __init__(self, secret: str) -> None:
        self.secret = secret

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        from starlette.authentication import AuthenticationError

        try:
            principal = principal_from_header(self.secret, conn.headers.get("authorization"))
        except InvalidToken as exc:
            raise AuthenticationError(str(exc)) from exc
        return AuthCredentials([principal.role.value]), PrincipalUser(principal)


def _auth_error(_: HTTPConnection, exc: Exception) -> Response:
    return JSONResponse({"errors": [{"message": f"unauthorised: {exc}",
                                     "extensions": {"code": "UNAUTHENTICATED"}}]},
                        status_code=401, headers={"WWW-Authenticate": "Bearer"})


class RequestLog:
    """One log line per request: method, path, status, milliseconds. No bodies, no queries."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            log.info("request", extra={"method": scope["method"], "path": scope["path"],
                                       "status": status,
                                       "ms": round((time.perf_counter() - started) * 1000, 2)})


class GraphQLApp(GraphQL[Context, None]):
    """strawberry's ASGI view with our context and the GraphiQL bundled in the package."""

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        self.limits = Limits(max_page_size=settings.max_page_size)
        self.pass_ratio = settings.pass_ratio
        schema = build_schema(max_depth=settings.max_query_depth,
                              max_cost=settings.max_query_cost, limits=self.limits)
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True, **kwargs)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        store: GraphStore = request.app.state.store
        user = request.user
        principal = user.principal if isinstance(user, PrincipalUser) else None
        assert principal is not None, "AuthenticationMiddleware sets the principal"
        return Context(store, principal, self.limits, request, pass_ratio=self.pass_ratio)

    async def render_graphql_ide(self, request: Request) -> Response:
        return FileResponse(GRAPHIQL_DIR / "index.html", media_type="text/html")


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    store: GraphStore | None = getattr(request.app.state, "store", None)
    if store is not None and await store.ping():
        return JSONResponse({"status": "ready", "backend": store.dialect})
    return JSONResponse({"status": "unavailable"}, status_code=503)


def app_from_env() -> Starlette:
    """The app factory uvicorn's worker processes call: settings come from the environment
    the `serve` command prepared."""
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)


def create_app(settings: Settings, *, store: GraphStore | None = None) -> Starlette:
    """Build the app; without ``store`` the lifespan opens (and closes) the configured one."""
    secret = load_or_create_secret(settings.secret, settings.data_dir)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = store is None
        if store is not None:
            app.state.store = store
        elif settings.embedded_socket:  # a worker of `serve`: the parent runs the engine
            app.state.store = EmbeddedStore(settings.embedded_socket)
        else:
            app.state.store = await open_store(settings)
        log.info("service ready", extra={"backend": app.state.store.dialect})
        try:
            yield
        finally:
            if owned:
                await app.state.store.close()

    graphql_app = GraphQLApp(settings)
    routes: list[Route | Mount] = [
        Route("/graphql", graphql_app, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *exchange_routes(),  # CASE 1.1 provider, report/framework downloads, templates
    ]
    if GRAPHIQL_DIR.is_dir():
        routes.append(Mount("/graphiql-static", StaticFiles(directory=GRAPHIQL_DIR)))
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestLog),
            Middleware(AuthenticationMiddleware, backend=TokenBackend(secret),
                       on_error=_auth_error),
        ],
        lifespan=lifespan,
    )
