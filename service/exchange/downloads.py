"""HTTP downloads: report exports, framework workbooks and CASE packages, import templates.

The same rules as the GraphQL fields: student data only for an admin or the college's own
token; drafts only for designers and admins; published frameworks and templates for anyone.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph import curriculum
from graph.framework import FrameworkRepository
from graph.ids import element_uid
from graph.store import GraphStore
from schema.access import ANONYMOUS, Principal
from service.exchange.frameworks import case_package, version_entries
from service.exchange.reports import cohort_sheets, program_sheets
from service.exchange.sheets import FORMATS, table_bytes, template_bytes
from service.exchange.workbook import workbook_bytes
from service.importer import COLUMNS

__all__ = ["DOWNLOAD_ROUTES"]

_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "csv": "text/csv; charset=utf-8", "json": "application/json"}


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]},
                        status_code=status)


def _file(data: bytes, name: str, fmt: str) -> Response:
    return Response(data, media_type=_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _principal(request: Request) -> Principal:
    return getattr(request.user, "principal", ANONYMOUS)


async def _framework(request: Request) -> dict[str, Any] | Response:
    """The asked (or latest published) version, if the caller may read it."""
    repository = FrameworkRepository(request.app.state.store)
    uid = request.query_params.get("framework")
    framework = await (repository.framework(uid) if uid else repository.latest_published())
    if framework is None or (framework.get("status") == "draft"
                             and not _principal(request).can_see_drafts):
        return _error(404, "FRAMEWORK_NOT_FOUND", f"no framework version {uid!r}")
    return framework


def _format(request: Request, allowed: tuple[str, ...] = FORMATS) -> str | Response:
    fmt = request.query_params.get("format", allowed[0])
    if fmt not in allowed:
        return _error(400, "BAD_FORMAT", f"format must be one of {', '.join(allowed)}")
    return fmt


async def cohort(request: Request) -> Response:
    principal = _principal(request)
    college = request.query_params.get("college") or principal.college
    if not college:
        return _error(400, "MISSING_ARGUMENT", "college is required")
    if not principal.can_see_college(college):
        return _error(403, "FORBIDDEN", "student data needs an admin token or the college's own")
    fmt = _format(request)
    framework = await _framework(request)
    if isinstance(fmt, Response):
        return fmt
    if isinstance(framework, Response):
        return framework
    program = request.query_params.get("program")
    sheets = await cohort_sheets(
        request.app.state.store, college,
        program=element_uid(str(framework["uid"]), program) if program else None,
        class_label=request.query_params.get("classLabel"))
    return _file(table_bytes(sheets, fmt), f"cohort-{college}.{fmt}", fmt)


async def program_report(request: Request) -> Response:
    code = request.query_params.get("program")
    if not code:
        return _error(400, "MISSING_ARGUMENT", "program is required")
    fmt = _format(request)
    framework = await _framework(request)
    if isinstance(fmt, Response):
        return fmt
    if isinstance(framework, Response):
        return framework
    try:
        sheets = await program_sheets(request.app.state.store, str(framework["uid"]), code)
    except curriculum.ReportError as exc:
        return _error(404, exc.code, str(exc))
    return _file(table_bytes(sheets, fmt), f"program-report-{code}.{fmt}", fmt)


async def framework_file(request: Request) -> Response:
    fmt = _format(request, ("xlsx", "case"))
    framework = await _framework(request)
    if isinstance(fmt, Response):
        return fmt
    if isinstance(framework, Response):
        return framework
    store: GraphStore = request.app.state.store
    uid = str(framework["uid"])
    if fmt == "case":
        package = await case_package(store, uid, f"{request.url.scheme}://{request.url.netloc}")
        return _file(json.dumps(package, ensure_ascii=False).encode(), f"{uid}.case.json",
                     "json")
    return _file(workbook_bytes(await version_entries(store, uid)), f"{uid}.xlsx", "xlsx")


async def template(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind not in COLUMNS:
        return _error(404, "UNKNOWN_KIND", f"no template {kind!r}; one of {', '.join(COLUMNS)}")
    fmt = _format(request)
    if isinstance(fmt, Response):
        return fmt
    return _file(template_bytes(kind, fmt), f"{kind}-template.{fmt}", fmt)


DOWNLOAD_ROUTES = [
    Route("/exports/cohort", cohort, methods=["GET"]),
    Route("/exports/program-report", program_report, methods=["GET"]),
    Route("/exports/framework", framework_file, methods=["GET"]),
    Route("/templates/{kind}", template, methods=["GET"]),
]
