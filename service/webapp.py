"""The web app (web/ built into static/app/): its client-side routes and hashed assets.

Every path the app's router knows answers with its index.html, so a reload or a shared
link opens the same view; only those paths, so no other route (GraphQL, probes, whatever
is added later) is ever shadowed. The page may talk to its own origin only (CSP).
"""

from __future__ import annotations

from pathlib import Path

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["APP_DIR", "CLIENT_ROUTES", "webapp_routes"]

APP_DIR = Path(__file__).parent / "static" / "app"
ASSETS = "app-assets"
# The routes of web/src/main.ts.
CLIENT_ROUTES = ("/", "/map", "/competency/{code}", "/students", "/student/{college}/{code}",
                 "/cohort", "/programs", "/program/{code}", "/pathway", "/versions", "/signin")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def _index(_: Request) -> Response:
    index = APP_DIR / "index.html"
    if not index.is_file():
        return PlainTextResponse(
            "The web app is not built: run `make web` (npm ci and vite build in web/). "
            "GraphQL is at /graphql.", status_code=503)
    return FileResponse(index, media_type="text/html",
                        headers={"Cache-Control": "no-cache", **SECURITY_HEADERS})


class _HashedAssets(StaticFiles):
    """Vite names every asset by its content hash, so a browser may keep it for good; the
    build leaves a .gz beside each (web/scripts/precompress.mjs), sent to browsers that
    accept gzip."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code != 200:
            return response
        packed = APP_DIR / ASSETS / f"{path}.gz"
        accepts = Headers(scope=scope).get("accept-encoding", "")
        if "gzip" in accepts and packed.is_file() and isinstance(response, FileResponse):
            response = FileResponse(packed, media_type=response.media_type,
                                    headers={"Content-Encoding": "gzip"})
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Vary"] = "Accept-Encoding"
        return response


def webapp_routes() -> list[Route | Mount]:
    routes: list[Route | Mount] = [Route(path, _index, methods=["GET", "HEAD"])
                               for path in CLIENT_ROUTES]
    routes.append(Mount(f"/{ASSETS}", _HashedAssets(directory=APP_DIR / ASSETS,
                                                     check_dir=False)))
    return routes
