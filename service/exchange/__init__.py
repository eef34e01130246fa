"""Data in and out the way committees and colleges work: framework workbooks, CASE 1.1
packages and report exports (imports of students and evidence read through
``service.tabular``)."""

from __future__ import annotations

from starlette.routing import Route

__all__ = ["exchange_routes"]


def exchange_routes() -> list[Route]:
    """The CASE provider and the downloads, for the app's route list."""
    from service.exchange.case_api import CASE_ROUTES
    from service.exchange.downloads import DOWNLOAD_ROUTES

    return [*CASE_ROUTES, *DOWNLOAD_ROUTES]
