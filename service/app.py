"""The Starlette application: GraphQL (+ bundled GraphiQL), health probes, metrics, auth."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from graph.embedded import EmbeddedStore
from graph.embedded_server import die_with_parent
from graph.framework_cache import shared_cache
from graph.store import GraphStore
from schema import Context, Limits, Principal, build_schema
from schema.fastpath import FastPath
from schema.limits import QueryLimits
from service.auth import InvalidToken, load_or_create_secret, principal_from_header
from service.config import Settings
from service.exchange import exchange_routes
from service.graphql_http import RETRY_AFTER, GraphQLView, HttpLimits
from service.logs import configure_logging
from service.metrics import metrics, metrics_endpoint
from service.middleware import RequestMiddleware
from service.store_factory import RequestStore, open_store, share_write_counter
from service.webapp import webapp_routes

__all__ = ["app_from_env", "create_app"]

log = logging.getLogger("competency_graph.http")
STATIC_DIR = Path(__file__).parent / "static"
GRAPHIQL_DIR = STATIC_DIR / "graphiql"
PARENT_ENV = "CG_PARENT_PID"  # set by `serve`: workers exit when that process is gone


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
    metrics().errors.labels("UNAUTHENTICATED").inc()
    return JSONResponse({"errors": [{"message": f"unauthorised: {exc}",
                                     "extensions": {"code": "UNAUTHENTICATED"}}]},
                        status_code=401, headers={"WWW-Authenticate": "Bearer"})


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    store: GraphStore | None = getattr(request.app.state, "store", None)
    if store is not None and await store.ping():
        return JSONResponse({"status": "ready", "backend": store.dialect})
    return JSONResponse({"status": "unavailable",
                         "errors": [{"message": "the graph store is not answering",
                                     "extensions": {"code": "STORE_UNAVAILABLE"}}]},
                        status_code=503, headers={"Retry-After": RETRY_AFTER})


async def graphiql(_: Request) -> Response:
    return FileResponse(GRAPHIQL_DIR / "index.html", media_type="text/html")


def app_from_env() -> Starlette:
    """The app factory uvicorn's worker processes call: settings come from the environment
    the `serve` command prepared. A worker dies with `serve` (no orphans after kill -9)."""
    parent = os.environ.get(PARENT_ENV)
    if parent and parent.isdigit() and int(parent) != os.getpid():
        die_with_parent(int(parent))
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)


def graphql_view(settings: Settings) -> GraphQLView:
    """The /graphql endpoint with the limits of ``settings``."""
    page_limits = Limits(max_page_size=settings.max_page_size)
    query_limits = QueryLimits(
        max_depth=settings.max_query_depth, max_cost=settings.max_query_cost,
        max_aliases=settings.max_aliases, max_repeated=settings.max_repeated_fields,
        page_cap=settings.max_page_size, default_page=page_limits.default_page_size)
    schema = build_schema(query_limits=query_limits, limits=page_limits)
    instruments = metrics()

    def context(request: Request) -> Context:
        store = RequestStore(request.app.state.store, settings.read_timeout)
        request.state.store = store
        user = request.user
        assert isinstance(user, PrincipalUser), "AuthenticationMiddleware sets the principal"
        return Context(store, user.principal, page_limits, request,
                       pass_ratio=settings.pass_ratio,
                       cache=shared_cache(request.app.state.store),
                       certification_cap=settings.certification_cap)

    return GraphQLView(
        schema._schema, limits=query_limits,
        http=HttpLimits(max_body=settings.max_body_bytes,
                        max_body_anonymous=settings.max_body_bytes_anonymous,
                        max_tokens=settings.max_tokens,
                        max_tokens_anonymous=settings.max_tokens_anonymous),
        context=context, executor_class=schema.execution_context_class,
        graphiql=graphiql if GRAPHIQL_DIR.is_dir() else None,
        on_error_code=lambda code: instruments.errors.labels(code or "UNKNOWN").inc(),
        fast_path=FastPath(schema._schema),
        on_execution=lambda path: instruments.execution.labels(path).inc())


def create_app(settings: Settings, *, store: GraphStore | None = None) -> Starlette:
    """Build the app; without ``store`` the lifespan opens (and closes) the configured one."""
    secret = load_or_create_secret(settings.secret, settings.data_dir)
    instruments = metrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = store is None
        if store is not None:
            app.state.store = store
        elif settings.embedded_socket:  # a worker of `serve`: the parent runs the engine
            app.state.store = share_write_counter(
                EmbeddedStore(settings.embedded_socket), settings)
        else:
            app.state.store = await open_store(settings)
        log.info("service ready", extra={"backend": app.state.store.dialect})
        try:
            yield
        finally:
            if owned:
                await app.state.store.close()

    view = graphql_view(settings)

    async def graphql_endpoint(request: Request) -> Response:
        try:
            return await view(request)
        finally:
            counted = getattr(request.state, "store", None)
            if counted is not None:
                instruments.round_trips.inc(counted.round_trips)

    routes: list[Route | Mount] = [
        Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        *exchange_routes(),  # CASE 1.1 provider, report/framework downloads, templates
        *webapp_routes(),
    ]
    if GRAPHIQL_DIR.is_dir():
        routes.append(Mount("/graphiql-static", StaticFiles(directory=GRAPHIQL_DIR)))
    middleware = [Middleware(RequestMiddleware, max_in_flight=settings.max_in_flight)]
    if settings.cors_origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"], max_age=600,
            allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"]))
    middleware.append(Middleware(AuthenticationMiddleware, backend=TokenBackend(secret),
                                 on_error=_auth_error))
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
