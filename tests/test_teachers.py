"""Teachers: tier placement and gaps from evidence, a college's view, tenancy like students',
and batches that write nothing while any row is bad."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from graph import teachers
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from graph.framework_cache import shared_cache
from graph.teacher_standards import standard_of
from graph.teacher_standing import course_tier, place
from schema import ANONYMOUS, Context, Principal, Role, build_schema
from tests.records_data import AS_OF, COLLEGE, FW, OTHER_COLLEGE, evidence, records_store

__all__ = ["records_store"]

OWN = Principal(Role.COLLEGE, "office-gz", COLLEGE)
OTHER = Principal(Role.COLLEGE, "office-bk", OTHER_COLLEGE)
ADMIN = Principal(Role.ADMIN, "admin")
COUNT_EVIDENCE = Cypher("MATCH (e:TeacherEvidence) RETURN count(e) AS n")


async def run(store: EmbeddedStore, principal: Principal, query: str,
              variables: dict[str, Any] | None = None) -> Any:
    return await build_schema().execute(query, variable_values=variables,
                                        context_value=Context(store, principal))


async def tiers_of(store: EmbeddedStore) -> dict[str, str | None]:
    tiers = await standard_of(store, FW)
    placed = {}
    for record, items in await teachers.college_evidence(store, COLLEGE):
        tier = place(tiers, items, AS_OF).tier
        placed[record["code"]] = tier.code if tier else None
    return placed


async def test_tiers_are_cumulative_and_evidence_ages(records_store: EmbeddedStore) -> None:
    assert await tiers_of(records_store) == {"T01": "TT-1", "T02": "TT-2", "T03": "TT-3",
                                             "T04": None, "T05": "TT-2"}
    tiers = await standard_of(records_store, FW)
    assert [t.code for t in tiers] == ["TT-1", "TT-2", "TT-3"]
    assert all({i.layer for i in t.items} == {"GEN", "PRO", "IND"} for t in tiers)
    (_, t05), = [(r, e) for r, e in await teachers.college_evidence(records_store, COLLEGE)
                 if r["code"] == "T05"]
    placed = place(tiers, t05, AS_OF)
    assert [g.item.code for g in placed.gaps] == ["TS-3-PRO"]  # a member, not core
    (_, t04), = [(r, e) for r, e in await teachers.college_evidence(records_store, COLLEGE)
                 if r["code"] == "T04"]
    def general(day: date) -> tuple[float, bool]:
        (progress,) = [p for p in place(tiers, t04, day).items if p.item.code == "TS-1-GEN"]
        return float(progress.have), progress.met

    assert general(date(2021, 1, 1)) == (30.0, True)  # 30 h in 2019 count two years on
    assert general(AS_OF) == (0.0, False)  # but not after the item's 3 years


def test_the_tier_a_course_needs() -> None:
    assert [course_tier(layer, level) for layer, level in (
        ("GEN", "BK"), ("PRO", "ZZ"), ("IND", "GZ"), ("IND", "BK"))] == [
        "TT-1", "TT-2", "TT-2", "TT-3"]


PLACEMENT = """
query Teacher($code: String!, $college: String, $asOf: Date) {
  teacher(code: $code, college: $college) {
    code college subjects courseCodes courses { code layerCode }
    evidence { kind layer title completedOn hours role }
    placement(asOf: $asOf) { tierCode nextTierCode tier { nameZh }
      items { item { code } have need met }
      gaps { item { code tierCode evidenceKind unit threshold roles } have need } }
  }
}
"""


async def test_a_teachers_tier_and_gaps(records_store: EmbeddedStore) -> None:
    outcome = await run(records_store, OWN, PLACEMENT, {"code": "T01", "asOf": "2025-06-30"})
    assert outcome.errors is None, outcome.errors
    data = outcome.data["teacher"]
    assert data["subjects"] == ["人工智能技术应用"]
    assert [c["code"] for c in data["courses"]] == data["courseCodes"]
    placement = data["placement"]
    assert placement["tierCode"] == "TT-1" and placement["nextTierCode"] == "TT-2"
    assert placement["tier"]["nameZh"] == "普及层"
    gaps = {g["item"]["code"]: g for g in placement["gaps"]}
    assert set(gaps) == {"TS-2-GEN", "TS-2-PRO", "TS-2-IND", "TS-2-IND-CASE"}
    assert gaps["TS-2-GEN"]["have"] == 24 and gaps["TS-2-GEN"]["need"] == 40
    assert gaps["TS-2-IND"]["item"]["evidenceKind"] == "ENTERPRISE_PRACTICE"
    assert gaps["TS-2-IND-CASE"]["item"]["unit"] == "PIECES"
    top = await run(records_store, ADMIN, PLACEMENT, {"code": "T03", "college": COLLEGE,
                                                      "asOf": "2025-06-30"})
    assert top.data["teacher"]["placement"]["tierCode"] == "TT-3"
    assert top.data["teacher"]["placement"]["gaps"] == []
    assert {"kind": "PROJECT", "layer": "IND", "title": "产线优化项目",
            "completedOn": "2025-04-01", "hours": 300.0, "role": "LEAD"} in (
        top.data["teacher"]["evidence"])


COLLEGE_VIEW = """
query College($college: String, $asOf: Date, $all: Boolean!) {
  collegeTeaching(college: $college, asOf: $asOf) {
    college teachers tiers { tierCode teachers }
    courses(onlyLacking: $all) { course { code layerCode levelCode } neededTierCode
      bestTierCode teacherCodes status programCodes }
  }
}
"""


async def test_a_colleges_spread_and_courses_lacking_a_teacher(
        records_store: EmbeddedStore) -> None:
    outcome = await run(records_store, OWN, COLLEGE_VIEW, {"asOf": "2025-06-30", "all": False})
    assert outcome.errors is None, outcome.errors
    report = outcome.data["collegeTeaching"]
    assert report["college"] == COLLEGE and report["teachers"] == 5
    assert report["tiers"] == [{"tierCode": None, "teachers": 1},
                               {"tierCode": "TT-1", "teachers": 1},
                               {"tierCode": "TT-2", "teachers": 2},
                               {"tierCode": "TT-3", "teachers": 1}]
    courses = {c["course"]["code"]: c for c in report["courses"]}
    assert courses["C-GEN-GZ-01"]["status"] == "COVERED"
    assert courses["C-PRO-AI-GZ-02"]["status"] == "BELOW_TIER"
    assert courses["C-PRO-AI-GZ-02"]["bestTierCode"] == "TT-1"
    assert courses["C-PRO-AI-GZ-01"]["status"] == "COVERED"  # T02 at TT-2
    assert courses["C-PRO-AI-GZ-03"]["status"] == "NO_TEACHER"
    assert "P-AI-GZ" in courses["C-PRO-AI-GZ-03"]["programCodes"]
    for course in report["courses"]:
        expected = course_tier(course["course"]["layerCode"], course["course"]["levelCode"])
        assert course["neededTierCode"] == expected
    lacking = await run(records_store, OWN, COLLEGE_VIEW, {"asOf": "2025-06-30", "all": True})
    assert all(c["status"] != "COVERED" for c in lacking.data["collegeTeaching"]["courses"])
    assert len(lacking.data["collegeTeaching"]["courses"]) < len(report["courses"])


TEACHERS = "query Teachers($college: String) { teachers(college: $college) { totalCount " \
           "nodes { code } } }"


async def test_same_tenancy_as_students(records_store: EmbeddedStore) -> None:
    own = await run(records_store, OWN, TEACHERS)
    assert own.data["teachers"]["totalCount"] == 5
    other = await run(records_store, OWN, TEACHERS, {"college": OTHER_COLLEGE})
    assert other.errors[0].extensions["code"] == "FORBIDDEN"
    assert (await run(records_store, OTHER, TEACHERS)).data["teachers"]["nodes"] == [
        {"code": "B01"}]
    for principal in (ANONYMOUS, Principal(Role.READER, "r"), Principal(Role.DESIGNER, "d")):
        refused = await run(records_store, principal, TEACHERS, {"college": COLLEGE})
        assert refused.errors[0].extensions["code"] == "FORBIDDEN"
    public = await run(records_store, ANONYMOUS,
                       "query Standard { teacherStandard(tier: \"TT-2\") { code source "
                       "tier { code } } }")
    items = public.data["teacherStandard"]
    assert {i["tier"]["code"] for i in items} == {"TT-2"}
    assert all(i["source"].startswith("004 指引") for i in items)
    written = await run(records_store, OTHER, """
      mutation Teachers($rows: [TeacherInput!]!) { recordTeachers(rows: $rows) {
        written errors { code index field } } }""",
                        {"rows": [{"code": "X1", "college": COLLEGE}]})
    assert written.data["recordTeachers"]["errors"] == [
        {"code": "FORBIDDEN_COLLEGE", "index": 0, "field": "college"}]


async def test_a_bad_evidence_batch_writes_nothing(records_store: EmbeddedStore) -> None:
    before = (await records_store.read(COUNT_EVIDENCE))[0]["n"]
    rows = [
        evidence("T01", "training", "GEN", "ok", "2025-01-01", 8),
        evidence("T99", "training", "GEN", "unknown teacher", "2025-01-01", 8),
        evidence("T01", "project", "PRO", "no role", "2025-01-01"),
        evidence("T01", "training", "GEN", "no hours", "2025-01-01"),
        evidence("T01", "training", "GEN", "a role", "2025-01-01", 8, role="lead"),
        evidence("T01", "讲座", "GEN", "bad kind", "2025-01-01", 8),
        evidence("T01", "training", "ETH", "bad layer", "2025-01-01", 8),
        evidence("T01", "training", "GEN", "too precise", "2025-01-01", 1.25),
        evidence("T01", "企业实践", "行业能力", "future", "2025-07-01", 40),
        evidence("T01", "training", "GEN", "ok", "2025-01-01", 8),
    ]
    outcome = await teachers.record_teacher_evidence(records_store, rows, today=AS_OF)
    assert [(e.index, e.code) for e in outcome.errors] == [
        (1, "UNKNOWN_TEACHER"), (2, "MISSING_FIELD"), (3, "MISSING_FIELD"),
        (4, "ROLE_NOT_APPLICABLE"), (5, "BAD_EVIDENCE_KIND"), (6, "BAD_LAYER"),
        (7, "HOURS_OUT_OF_RANGE"), (8, "FUTURE_DATE"), (9, "DUPLICATE_ROW")]
    assert (await records_store.read(COUNT_EVIDENCE))[0]["n"] == before
    bad_teachers = await teachers.record_teachers(records_store, [
        {"teacher": "T09", "college": COLLEGE, "courses": "C-GEN-GZ-01; C-NOPE"},
        {"teacher": "T09", "college": "COL-NOPE"}])
    assert [(e.index, e.code) for e in bad_teachers.errors] == [
        (0, "UNKNOWN_COURSE"), (1, "UNKNOWN_COLLEGE")]


NESTED = """
query Nested($first: Int!) { teachers(first: $first) { nodes { code
  evidence { title } placement(asOf: "2025-06-30") { tierCode gaps { item { code } } } } } }
"""


async def test_a_page_of_teachers_costs_the_same_round_trips_at_any_size(
        records_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # warm, and kept past the measurement: the Framework record is re-read after a TTL
    # (graph.framework_cache), which could otherwise fall inside either request. A record
    # the fixture already cached keeps the expiry it was read with, so it is dropped too.
    cache = shared_cache(records_store)
    monkeypatch.setattr(cache, "ttl", 3600.0)
    cache.clear()
    costs = {}
    for first in (1, 5):
        assert (await run(records_store, OWN, NESTED, {"first": first})).errors is None
        before = records_store.round_trips
        outcome = await run(records_store, OWN, NESTED, {"first": first})
        assert outcome.errors is None, outcome.errors
        assert len(outcome.data["teachers"]["nodes"]) == first
        costs[first] = records_store.round_trips - before
    # the page, the framework, then one batch each for evidence and the standard
    assert costs[1] == costs[5] <= 4
