"""Student data through GraphQL: per-college visibility, typed batch errors, the reports."""

from __future__ import annotations

from typing import Any

import pytest

from graph import learners
from graph.embedded import EmbeddedStore
from schema import Context, Principal, Role, build_schema
from seed import load_seed
from tests.learner_data import COLLEGE, FW, OTHER_COLLEGE, result, student

OWN = Principal(Role.COLLEGE, "office-gz", COLLEGE)
OTHER = Principal(Role.COLLEGE, "office-bk", OTHER_COLLEGE)
ADMIN = Principal(Role.ADMIN, "admin")
DESIGNER = Principal(Role.DESIGNER, "designer")

STUDENT = """
query($code: String!, $college: String) { student(code: $code, college: $college) {
  code programCode levelCode
  standing(onlyGaps: true) { competencyCode required attained gap competency { nameZh } }
  readiness { dimension nameZh ratio }
  placement { layerCode levelCode }
  gaps(target: {jobRole: "JOB-IT-01"}) { target totalGap items { competencyCode gap } }
  learningPath { totalCredits uncoveredCodes steps { position reason closesCodes
    course { code credits } } }
} }
"""


@pytest.fixture
async def school(store: EmbeddedStore) -> EmbeddedStore:
    await load_seed(store)
    assert (await learners.record_students(store, [student("S1"), student("S2")], FW)).ok
    assert (await learners.record_results(store, [
        result("S1", "A-GEN-GZ-01", 90, "2025-01-05"),
        result("S1", "A-PRO-AI-GZ-01", 70, "2025-01-06")])).ok
    return store


async def run(store: EmbeddedStore, principal: Principal, query: str,
              variables: dict[str, Any] | None = None) -> Any:
    return await build_schema().execute(query, variable_values=variables,
                                        context_value=Context(store, principal))


async def test_a_college_sees_its_own_student(school: EmbeddedStore) -> None:
    outcome = await run(school, OWN, STUDENT, {"code": "S1"})
    assert outcome.errors is None, outcome.errors
    data = outcome.data["student"]
    assert data["programCode"] == "P-AI-GZ" and data["levelCode"] == "GZ"
    assert all(item["gap"] == item["required"] - item["attained"] for item in data["standing"])
    assert {r["dimension"] for r in data["readiness"]} == {"GEN", "PRO", "IND", "ETH"}
    assert data["gaps"]["target"] == "jobRole:JOB-IT-01"
    steps = data["learningPath"]["steps"]
    assert [s["position"] for s in steps] == list(range(1, len(steps) + 1))


async def test_another_college_cannot_see_it(school: EmbeddedStore) -> None:
    outcome = await run(school, OTHER, STUDENT, {"code": "S1", "college": COLLEGE})
    assert outcome.errors[0].extensions["code"] == "FORBIDDEN"
    assert outcome.data is None or outcome.data["student"] is None


@pytest.mark.parametrize("principal", [DESIGNER, Principal(Role.ANONYMOUS)])
async def test_non_college_roles_are_refused(school: EmbeddedStore,
                                            principal: Principal) -> None:
    outcome = await run(school, principal, STUDENT, {"code": "S1", "college": COLLEGE})
    assert outcome.errors[0].extensions["code"] == "FORBIDDEN"


async def test_admin_sees_any_college_and_the_whole_province(school: EmbeddedStore) -> None:
    outcome = await run(school, ADMIN, "{ cohort { students placement { layerCode levelCode "
                                       "students } } }")
    assert outcome.errors is None and outcome.data["cohort"]["students"] == 2
    own = await run(school, ADMIN, STUDENT, {"code": "S2", "college": COLLEGE})
    assert own.errors is None and own.data["student"]["code"] == "S2"


async def test_cohort_of_a_class(school: EmbeddedStore) -> None:
    outcome = await run(school, OWN, """{ cohort(classLabel: "AI-2401") { students
        competencies { competencyCode students meeting share }
        commonGaps(limit: 3) { competencyCode meeting students }
        readiness { dimension lower upper students } } }""")
    assert outcome.errors is None, outcome.errors
    cohort = outcome.data["cohort"]
    assert cohort["students"] == 2
    share = {c["competencyCode"]: c for c in cohort["competencies"]}
    assert share["PRO-AI-01"]["meeting"] == 1 and share["PRO-AI-01"]["share"] == 0.5
    assert len(cohort["commonGaps"]) == 3
    assert all(g["meeting"] < g["students"] for g in cohort["commonGaps"])


async def test_students_list_pages(school: EmbeddedStore) -> None:
    outcome = await run(school, OWN, "{ students(first: 1) { totalCount edges { node { code } }"
                                     " pageInfo { hasNextPage } } }")
    assert outcome.errors is None
    page = outcome.data["students"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"]


async def test_batch_errors_are_typed_and_nothing_is_written(school: EmbeddedStore) -> None:
    mutation = """mutation($rows: [ResultInput!]!) { recordResults(rows: $rows) {
        written errors { code index field message } } }"""
    rows = [{"student": "S2", "college": COLLEGE, "assessment": "A-GEN-GZ-01", "score": 80,
             "takenAt": "2025-01-01"},
            {"student": "S2", "college": COLLEGE, "assessment": "A-GEN-GZ-01", "score": -1,
             "takenAt": "2025-01-02"}]
    outcome = await run(school, OWN, mutation, {"rows": rows})
    payload = outcome.data["recordResults"]
    assert payload["written"] == 0
    assert payload["errors"] == [{"code": "SCORE_OUT_OF_RANGE", "index": 1, "field": "score",
                                  "message": "score -1 is outside 0..100"}]
    other = await run(school, OTHER, mutation, {"rows": rows[:1]})
    assert other.data["recordResults"]["errors"][0]["code"] == "FORBIDDEN_COLLEGE"
    ok = await run(school, OWN, mutation, {"rows": rows[:1]})
    assert ok.data["recordResults"] == {"written": 1, "errors": []}


async def test_designers_cannot_record_evidence(school: EmbeddedStore) -> None:
    outcome = await run(school, DESIGNER, """mutation { recordCompletions(rows: [{student: "S1",
        college: "COL-DEMO-GZ", course: "C-GEN-GZ-01", term: "2024-1"}]) { written } }""")
    assert outcome.errors[0].extensions["code"] == "FORBIDDEN"


async def test_expected_errors_are_logged_by_code_only(school: EmbeddedStore,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="competency_graph.graphql")
    await run(school, OTHER, STUDENT, {"code": "S1", "college": COLLEGE})
    records = [r for r in caplog.records if r.name == "competency_graph.graphql"]
    assert [getattr(r, "code", None) for r in records] == ["FORBIDDEN"]
    assert all("S1" not in r.getMessage() and COLLEGE not in r.getMessage() for r in records)
