"""CASE 1.1: ours → CASE → ours is lossless, the package has CASE's shape, the provider serves
it, and a package served here imports here; report downloads keep the GraphQL roles."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from graph.embedded import EmbeddedStore
from schema.access import Role
from seed.document import entries_of_version
from service.app import create_app
from service.auth import issue_token
from service.config import Settings
from service.exchange.case import case_id
from service.exchange.case_import import CaseInvalid, read_case
from service.exchange.case_schema import package_problems
from service.exchange.frameworks import case_package, import_framework_content
from service.exchange.workbook import read_workbook
from tests.learner_data import COLLEGE, FW, OTHER_COLLEGE
from tests.test_framework_workbook import graph_snapshot
from tests.test_http_service import _cli, service  # noqa: F401 - the module's real service

BASE = "http://127.0.0.1:8000"
SECRET = "test-secret-of-the-case-exchange-tests"


def _without_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items()
                if k not in {"lastChangeDateTime", "adoptionStatus", "statusStartDate"}}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


async def test_case_round_trip_is_lossless(seeded_store: EmbeddedStore,
                                           store: EmbeddedStore) -> None:
    package = await case_package(seeded_store, FW, BASE)
    assert package_problems(package) == []
    wire = json.loads(json.dumps(package))  # as it travels
    outcome = await import_framework_content(store, read_case(wire))
    assert outcome.status == "created"
    assert await entries_of_version(store, FW) == await entries_of_version(seeded_store, FW)
    assert await graph_snapshot(store, FW) == await graph_snapshot(seeded_store, FW)
    again = await case_package(store, FW, BASE)
    assert _without_times(again) == _without_times(package)
    assert again["CFDocument"]["adoptionStatus"] == "Draft"
    assert package["CFDocument"]["adoptionStatus"] == "Adopted"


async def test_the_package_says_what_case_can(seeded_store: EmbeddedStore) -> None:
    package = await case_package(seeded_store, FW, BASE)
    items = {i["identifier"]: i for i in package["CFItems"]}
    gen05 = items[case_id(f"competency:{FW}|GEN-05")]
    assert gen05["humanCodingScheme"] == "GEN-05" and gen05["language"] == "zh"
    assert gen05["uri"] == f"{BASE}/ims/case/v1p1/CFItems/{gen05['identifier']}"
    links = [(a["associationType"], items[a["originNodeURI"]["identifier"]])
             for a in package["CFAssociations"]
             if a["destinationNodeURI"]["identifier"] == gen05["identifier"]]
    english = [item for kind, item in links if kind == "isTranslationOf"]
    assert [e["language"] for e in english] == ["en"]
    entries = await entries_of_version(seeded_store, FW)
    assert entries is not None
    wanted = next(e for e in entries["competencies"] if e["code"] == "GEN-05")
    assert english[0]["abbreviatedStatement"] == wanted["nameEn"]
    assert sorted(i["humanCodingScheme"] for kind, i in links if kind == "precedes") == \
        sorted(wanted.get("requires", []))
    assert sorted(i["humanCodingScheme"] for kind, i in links
                  if kind == "isPartOf" and i["language"] == "zh") == \
        sorted(f"GEN-05@{level}" for level in wanted["requirements"])
    assert len(package["CFRubrics"]) == 1 + len(entries["competencies"])
    scale = package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    assert [level["score"] for level in scale] == [1.0, 2.0, 3.0, 4.0]
    assert set(package["extensions"]["competencyGraph"]["kinds"]) >= {
        "courses", "assessments", "certifications", "jobs", "programs", "teachers"}
    assert await case_package(seeded_store, FW, BASE) == package  # stable identifiers


async def test_a_malformed_package_is_refused_with_its_paths(seeded_store: EmbeddedStore) -> None:
    package = json.loads(json.dumps(await case_package(seeded_store, FW, BASE)))
    del package["CFDocument"]["creator"]
    package["CFAssociations"][0]["associationType"] = "isCousinOf"
    package["CFItems"][1]["colour"] = "red"
    with pytest.raises(CaseInvalid) as refused:
        read_case(package)
    assert refused.value.problems == [
        "CFPackage.CFDocument: missing creator",
        "CFPackage.CFItems[1]: colour is not a CFItem field",
        "CFPackage.CFAssociations[0].associationType: 'isCousinOf' is not a CASE association "
        "type"]
    with pytest.raises(CaseInvalid, match="only URLs on this machine"):
        read_case("http://example.org/ims/case/v1p1/CFPackages/x")


@pytest.fixture
def client(seeded_store: EmbeddedStore, tmp_path: Path) -> httpx.AsyncClient:
    settings = Settings.from_env({"CG_DATA_DIR": str(tmp_path), "CG_SECRET": SECRET})
    app = create_app(settings, store=seeded_store)
    app.state.store = seeded_store  # the lifespan would set it; ASGITransport runs none
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


async def test_the_provider_serves_published_frameworks(client: httpx.AsyncClient,
                                                        seeded_store: EmbeddedStore) -> None:
    documents = (await client.get("/ims/case/v1p1/CFDocuments")).json()["CFDocuments"]
    doc_id = case_id(f"doc:{FW}")
    assert [d["identifier"] for d in documents] == [doc_id]
    assert documents[0]["CFPackageURI"]["uri"] == f"{BASE}/ims/case/v1p1/CFPackages/{doc_id}"
    package = (await client.get(f"/ims/case/v1p1/CFPackages/{doc_id}")).json()
    assert package == json.loads(json.dumps(await case_package(seeded_store, FW, BASE)))
    item_id = case_id(f"competency:{FW}|GEN-05")
    item = (await client.get(f"/ims/case/v1p1/CFItems/{item_id}")).json()
    assert item["humanCodingScheme"] == "GEN-05" and item["CFDocumentURI"]["identifier"] == doc_id
    linked = (await client.get(f"/ims/case/v1p1/CFItemAssociations/{item_id}")).json()
    assert linked["CFItem"]["identifier"] == item_id and linked["CFAssociations"]
    association = linked["CFAssociations"][0]["identifier"]
    assert (await client.get(f"/ims/case/v1p1/CFAssociations/{association}")).status_code == 200
    for collection, key in (("CFRubrics", f"rubric:{FW}|GEN-05"),
                            ("CFItemTypes", "itemtype:competency"),
                            ("CFAssociationGroupings", "grouping:prerequisites"),
                            ("CFLicenses", f"license:{FW}"), ("CFSubjects", "subject:ai-literacy"),
                            ("CFConcepts", f"concept:{FW}|strands|ETH")):
        answer = await client.get(f"/ims/case/v1p1/{collection}/{case_id(key)}")
        assert answer.status_code == 200, collection
    missing = await client.get(f"/ims/case/v1p1/CFItems/{case_id('nothing')}")
    assert missing.status_code == 404 and missing.json()["imsx_codeMajor"] == "failure"


async def test_downloads_keep_the_roles(client: httpx.AsyncClient) -> None:
    own = issue_token(SECRET, Role.COLLEGE, subject="t", college=COLLEGE, ttl_days=1)
    other = issue_token(SECRET, Role.COLLEGE, subject="t", college=OTHER_COLLEGE, ttl_days=1)
    path = f"/exports/cohort?college={COLLEGE}"
    assert (await client.get(path)).status_code == 403
    assert (await client.get(path, headers={"Authorization": f"Bearer {other}"})
            ).status_code == 403
    answer = await client.get(path, headers={"Authorization": f"Bearer {own}"})
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    assert book.sheetnames == ["学生达成 standings", "学生概览 students", "能力达成率 competencies"]
    report = await client.get("/exports/program-report?program=P-AI-GZ&format=csv")
    assert report.status_code == 200 and report.content.startswith(b"\xef\xbb\xbf")
    assert (await client.get("/exports/program-report?program=P-NOPE")).status_code == 404
    template = await client.get("/templates/results?format=csv")
    assert template.content.decode("utf-8-sig").splitlines()[0] == (
        "学院 college,学号 student,测评 assessment,成绩 score,测评时间 takenAt,满分 maxScore")
    workbook = await client.get("/exports/framework?format=xlsx")
    assert read_workbook(workbook.content).uid == FW


def test_a_package_served_here_imports_here(service: tuple[str, Path],  # noqa: F811
                                            tmp_path: Path) -> None:
    base, _ = service
    documents = httpx.get(f"{base}/ims/case/v1p1/CFDocuments", timeout=30).json()
    package_uri = documents["CFDocuments"][0]["CFPackageURI"]["uri"]
    imported = _cli("framework", "import", package_uri, "--version", "2026.9",
                    data_dir=tmp_path / "elsewhere")
    assert imported.returncode == 0, imported.stderr
    assert "framework AIL@2026.9: created as a draft" in imported.stdout


async def test_version_links_are_replaced_by(store: EmbeddedStore) -> None:
    from graph.editing import Actor
    from graph.versions import create_version
    from seed import load_seed

    await load_seed(store)
    assert (await create_version(store, FW, "2026.1", Actor("t", "admin"))).errors == []
    package = await case_package(store, FW, BASE)
    replaced = {(a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
                for a in package["CFAssociations"] if a["associationType"] == "replacedBy"}
    assert (case_id(f"doc:{FW}"), case_id("doc:AIL@2026.1")) in replaced
    assert (case_id(f"competency:{FW}|GEN-05"),
            case_id("competency:AIL@2026.1|GEN-05")) in replaced
    assert (case_id(f"requirement:{FW}|GEN-05@GZ"),
            case_id("requirement:AIL@2026.1|GEN-05@GZ")) in replaced
    assert package_problems(package) == []
