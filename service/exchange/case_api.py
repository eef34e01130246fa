"""The CASE 1.1 provider: ``GET /ims/case/v1p1/…`` for published framework versions.

Packages are built from the graph on first use and kept per worker, keyed by the list of
versions and their statuses: a published version is frozen, so only a new version (which adds
``replacedBy`` links) or a status change makes a package stale. Errors use CASE's
``imsx_StatusInfo`` shape.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph.framework import FrameworkRepository
from graph.store import GraphStore
from service.exchange.frameworks import case_package

__all__ = ["CASE_ROUTES", "PREFIX"]

PREFIX = "/ims/case/v1p1"
SERVED = {"published", "deprecated"}  # drafts are not a standard yet


class _Index:
    def __init__(self) -> None:
        self.key: tuple[Any, ...] = ()
        self.packages: dict[str, dict[str, Any]] = {}  # document identifier → package
        self.objects: dict[str, tuple[str, dict[str, Any], str]] = {}  # id → kind, obj, doc

    def add(self, package: dict[str, Any]) -> None:
        document = package["CFDocument"]
        doc_id = document["identifier"]
        self.packages[doc_id] = package
        self.objects[doc_id] = ("CFDocument", document, doc_id)
        for item in package["CFItems"]:
            self.objects[item["identifier"]] = ("CFItem", item, doc_id)
        for association in package["CFAssociations"]:
            self.objects[association["identifier"]] = ("CFAssociation", association, doc_id)
        for name, objects in package["CFDefinitions"].items():
            for obj in objects:
                self.objects[obj["identifier"]] = (name[:-1], obj, doc_id)
        for rubric in package["CFRubrics"]:
            self.objects[rubric["identifier"]] = ("CFRubric", rubric, doc_id)


async def _index(request: Request) -> _Index:
    store: GraphStore = request.app.state.store
    base = f"{request.url.scheme}://{request.url.netloc}"
    every = await FrameworkRepository(store).frameworks()
    frameworks = [f for f in every if f.get("status") in SERVED]
    key = (base, tuple((f["uid"], f.get("status"), f.get("contentHash")) for f in every))
    index: _Index | None = getattr(request.app.state, "case_index", None)
    if index is None or index.key != key:
        index = _Index()
        index.key = key
        for framework in frameworks:
            index.add(await case_package(store, str(framework["uid"]), base))
        request.app.state.case_index = index
    return index


def _not_found(identifier: str, what: str) -> Response:
    return JSONResponse({"imsx_codeMajor": "failure", "imsx_severity": "error",
                         "imsx_description": f"no {what} {identifier}",
                         "imsx_codeMinor": {"imsx_codeMinorField": [
                             {"imsx_codeMinorFieldName": "sourcedId",
                              "imsx_codeMinorFieldValue": "unknownobject"}]}}, status_code=404)


def _with_document(obj: dict[str, Any], index: _Index, doc_id: str) -> dict[str, Any]:
    """Outside a package, items and associations name their document (CFDocumentURI)."""
    document = index.packages[doc_id]["CFDocument"]
    return {**obj, "CFDocumentURI": {"title": document["title"], "identifier": doc_id,
                                     "uri": document["uri"]}}


def _document(document: dict[str, Any]) -> dict[str, Any]:
    package_uri = document["uri"].replace("/CFDocuments/", "/CFPackages/")
    return {**document, "CFPackageURI": {"title": document["title"],
                                         "identifier": document["identifier"],
                                         "uri": package_uri}}


async def documents(request: Request) -> Response:
    index = await _index(request)
    return JSONResponse({"CFDocuments": [_document(p["CFDocument"])
                                         for p in index.packages.values()]})


def _one(kind: str, what: str) -> Any:
    async def endpoint(request: Request) -> Response:
        identifier = request.path_params["identifier"].lower()
        index = await _index(request)
        found = index.objects.get(identifier)
        if kind == "CFPackage":
            package = index.packages.get(identifier)
            return JSONResponse(package) if package else _not_found(identifier, what)
        if kind == "CFItemAssociations":
            if found is None or found[0] != "CFItem":
                return _not_found(identifier, what)
            package = index.packages[found[2]]
            links = [_with_document(a, index, found[2]) for a in package["CFAssociations"]
                     if identifier in (a["originNodeURI"]["identifier"],
                                       a["destinationNodeURI"]["identifier"])]
            return JSONResponse({"CFItem": _with_document(found[1], index, found[2]),
                                 "CFAssociations": links})
        if found is None or found[0] != kind:
            return _not_found(identifier, what)
        obj = found[1]
        if kind == "CFDocument":
            return JSONResponse(_document(obj))
        if kind in {"CFItem", "CFAssociation"}:
            return JSONResponse(_with_document(obj, index, found[2]))
        if kind in {"CFConcept", "CFSubject", "CFItemType"}:
            return JSONResponse({f"{kind}s": [obj]})
        return JSONResponse(obj)

    return endpoint


CASE_ROUTES = [
    Route(f"{PREFIX}/CFDocuments", documents, methods=["GET"]),
    *(Route(f"{PREFIX}/{collection}/{{identifier}}", _one(kind, what), methods=["GET"])
      for collection, kind, what in (
          ("CFDocuments", "CFDocument", "document"),
          ("CFPackages", "CFPackage", "package"),
          ("CFItems", "CFItem", "item"),
          ("CFItemAssociations", "CFItemAssociations", "item"),
          ("CFAssociations", "CFAssociation", "association"),
          ("CFAssociationGroupings", "CFAssociationGrouping", "association grouping"),
          ("CFConcepts", "CFConcept", "concept"),
          ("CFItemTypes", "CFItemType", "item type"),
          ("CFLicenses", "CFLicense", "license"),
          ("CFSubjects", "CFSubject", "subject"),
          ("CFRubrics", "CFRubric", "rubric"),
      )),
]
