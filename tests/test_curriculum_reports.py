"""Program validation and articulation reports: each check is shown a program with exactly
that defect (on the tiny framework of ``curriculum_data``) and must report it; the seed's
sample programs must produce a report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from schema import Principal, Role
from seed import load_seed, parse_seed
from tests.curriculum_data import CLEAN_GZ, FW, SRC, program, write_tiny_seed

DESIGNER = Principal(Role.DESIGNER, "designer-7")

REPORT = """
query($code: String!, $fw: ID) {
  programReport(code: $code, framework: $fw) {
    program { code } framework findingCount
    coverage { ...finding } order { ...finding } assessment { ...finding }
    balance { totalCredits requiredCredits electiveCredits requiredShare
              byLayer { key credits courses } bySemester { key credits courses } }
  }
}
fragment finding on ProgramFinding {
  check kind message competencyCode courseCode relatedCode semester relatedSemester
  target { value } reached { value }
}"""
PATHWAY = """
query($programs: [String!]!, $fw: ID) {
  pathwayReport(programs: $programs, framework: $fw) {
    framework programs { code levelCode }
    steps { fromProgram { code } toProgram { code }
            gaps { kind competencyCode relatedCode target { value } reached { value } message }
            repetitions { kind competencyCode courseCode target { value } reached { value } } }
  }
}"""
PROGRAMS = """
mutation($fw: ID!, $input: [ProgramInput!]!) {
  upsertPrograms(framework: $fw, input: $input) { errors { code message field } }
}"""
COURSES = """
mutation($fw: ID!, $input: [CourseInput!]!) {
  upsertCourses(framework: $fw, input: $input) { errors { code message field } }
}"""
ASSESSMENTS = """
mutation($fw: ID!, $input: [AssessmentInput!]!) {
  upsertAssessments(framework: $fw, input: $input) { errors { code message field } }
}"""


@pytest.fixture
async def tiny(store: EmbeddedStore, tmp_path: Path) -> EmbeddedStore:
    await load_seed(store, write_tiny_seed(tmp_path / "tiny"))
    return store


async def mutate(run_query: Any, store: EmbeddedStore, document: str,
                 rows: list[dict[str, Any]]) -> None:
    result = await run_query(document, {"fw": FW, "input": rows}, DESIGNER, store=store)
    assert result.errors is None, result.errors
    (answer,) = result.data.values()
    assert answer["errors"] == [], answer["errors"]


def course(code: str, teaches: dict[str, int], requires: list[str] | None = None,
           level: str = "GZ", layer: str = "GEN") -> dict[str, Any]:
    return {"code": code, "level": level, "layer": layer, "kind": "REQUIRED", "credits": 1,
            "hours": 18, "nameZh": f"{code} 课程", "nameEn": f"{code} course", "source": SRC,
            "teaches": [{"competency": c, "proficiency": p} for c, p in teaches.items()],
            "requires": requires or []}


async def report(run_query: Any, store: EmbeddedStore, code: str,
                 principal: Principal = DESIGNER) -> dict[str, Any]:
    result = await run_query(REPORT, {"code": code, "fw": FW}, principal, store=store)
    assert result.errors is None, result.errors
    return result.data["programReport"]  # type: ignore[no-any-return]


def findings(answer: dict[str, Any]) -> list[tuple[str, str, str | None, str | None,
                                                    str | None]]:
    return [(f["check"], f["kind"], f["competencyCode"], f["courseCode"], f["relatedCode"])
            for part in ("coverage", "order", "assessment") for f in answer[part]]


async def build(run_query: Any, store: EmbeddedStore, courses: list[dict[str, Any]],
                **fields: Any) -> dict[str, Any]:
    await mutate(run_query, store, PROGRAMS, [program("P-1", "GZ", courses, **fields)])
    return await report(run_query, store, "P-1")


async def test_a_clean_program_has_no_findings_and_its_balance(run_query: Any,
                                                               tiny: EmbeddedStore) -> None:
    answer = await build(run_query, tiny, [*CLEAN_GZ[:2], {**CLEAN_GZ[2], "required": False}])
    assert answer["findingCount"] == 1  # PRO-T-1 through an elective only; see below
    answer = await build(run_query, tiny, CLEAN_GZ)
    assert answer["findingCount"] == 0 and findings(answer) == []
    assert answer["balance"] == {
        "totalCredits": 9.0, "requiredCredits": 9.0, "electiveCredits": 0.0,
        "requiredShare": 1.0,
        "byLayer": [{"key": "GEN", "credits": 5.0, "courses": 2},
                    {"key": "PRO", "credits": 4.0, "courses": 1},
                    {"key": "IND", "credits": 0.0, "courses": 0}],
        "bySemester": [{"key": "1", "credits": 2.0, "courses": 1},
                       {"key": "2", "credits": 3.0, "courses": 1},
                       {"key": "3", "credits": 4.0, "courses": 1}]}


async def test_balance_splits_required_and_elective(run_query: Any,
                                                    tiny: EmbeddedStore) -> None:
    await mutate(run_query, tiny, COURSES, [course("C-X", {"GEN-A": 2})])  # 1 credit
    answer = await build(run_query, tiny, [*CLEAN_GZ, {"course": "C-X", "semester": 3,
                                                      "required": False}])
    balance = answer["balance"]
    assert (balance["totalCredits"], balance["requiredCredits"],
            balance["electiveCredits"]) == (10.0, 9.0, 1.0)
    assert balance["requiredShare"] == pytest.approx(0.9)
    assert balance["bySemester"][-1] == {"key": "3", "credits": 5.0, "courses": 2}


# ---- coverage -------------------------------------------------------------------------------
async def test_coverage_target_not_taught(run_query: Any, tiny: EmbeddedStore) -> None:
    answer = await build(run_query, tiny, CLEAN_GZ[:2])
    assert findings(answer) == [("COVERAGE", "NOT_TAUGHT", "PRO-T-1", None, None)]
    assert answer["coverage"][0]["target"] == {"value": 2}
    assert answer["coverage"][0]["reached"] is None


async def test_coverage_taught_below_target(run_query: Any, tiny: EmbeddedStore) -> None:
    await mutate(run_query, tiny, COURSES, [course("C-P1", {"PRO-T-1": 1}, ["C-B"], layer="PRO")])
    answer = await build(run_query, tiny, [*CLEAN_GZ[:2], {"course": "C-P1", "semester": 3}])
    assert findings(answer) == [("COVERAGE", "BELOW_TARGET", "PRO-T-1", "C-P1", None)]
    assert (answer["coverage"][0]["target"], answer["coverage"][0]["reached"]) == (
        {"value": 2}, {"value": 1})


async def test_coverage_reached_only_in_electives(run_query: Any, tiny: EmbeddedStore) -> None:
    answer = await build(run_query, tiny, [*CLEAN_GZ[:2], {**CLEAN_GZ[2], "required": False}])
    assert findings(answer) == [("COVERAGE", "ELECTIVE_ONLY", "PRO-T-1", None, None)]


async def test_coverage_taught_but_not_asked(run_query: Any, tiny: EmbeddedStore) -> None:
    await mutate(run_query, tiny, COURSES, [course("C-Z", {"GEN-Z": 1})])
    answer = await build(run_query, tiny, [*CLEAN_GZ, {"course": "C-Z", "semester": 1}])
    assert findings(answer) == [("COVERAGE", "NOT_TARGETED", "GEN-Z", "C-Z", None)]


async def test_an_override_raises_a_target(run_query: Any, tiny: EmbeddedStore) -> None:
    answer = await build(run_query, tiny, CLEAN_GZ,
                         overrides=[{"competency": "PRO-T-1", "proficiency": 3}])
    assert ("COVERAGE", "BELOW_TARGET", "PRO-T-1", "C-P", None) in findings(answer)
    assert ("ASSESSMENT", "MEASURED_BELOW_TARGET", "PRO-T-1", None, "A-GZ") in findings(answer)


# ---- order ----------------------------------------------------------------------------------
async def test_order_course_with_its_prerequisite_in_the_same_semester(
        run_query: Any, tiny: EmbeddedStore) -> None:
    answer = await build(run_query, tiny, [{"course": "C-A", "semester": 1},
                                           {"course": "C-B", "semester": 1},
                                           {"course": "C-P", "semester": 3}])
    assert findings(answer) == [("ORDER", "COURSE_BEFORE_PREREQUISITE", None, "C-B", "C-A")]
    assert (answer["order"][0]["semester"], answer["order"][0]["relatedSemester"]) == (1, 1)


async def test_order_course_before_its_prerequisite(run_query: Any,
                                                    tiny: EmbeddedStore) -> None:
    answer = await build(run_query, tiny, [{"course": "C-A", "semester": 1},
                                           {"course": "C-B", "semester": 4},
                                           {"course": "C-P", "semester": 3}])
    # C-B also carries GEN-B, the prerequisite of what C-P teaches: both orders are broken.
    assert findings(answer) == [
        ("ORDER", "COURSE_BEFORE_PREREQUISITE", None, "C-P", "C-B"),
        ("ORDER", "COMPETENCY_BEFORE_PREREQUISITE", "PRO-T-1", "C-P", "GEN-B")]


async def test_order_prerequisite_course_not_in_the_program(run_query: Any,
                                                            tiny: EmbeddedStore) -> None:
    await mutate(run_query, tiny, COURSES, [course("C-A2", {"GEN-A": 2})])
    answer = await build(run_query, tiny, [{"course": "C-A2", "semester": 1}, *CLEAN_GZ[1:]])
    assert findings(answer) == [("ORDER", "PREREQUISITE_NOT_IN_PROGRAM", None, "C-B", "C-A")]


async def test_order_competency_before_its_prerequisite_competency(
        run_query: Any, tiny: EmbeddedStore) -> None:
    await mutate(run_query, tiny, COURSES, [course("C-B2", {"GEN-B": 3}),
                                            course("C-P2", {"PRO-T-1": 2}, layer="PRO")])
    answer = await build(run_query, tiny, [{"course": "C-B2", "semester": 1},
                                           {"course": "C-A", "semester": 2},
                                           {"course": "C-P2", "semester": 3}])
    assert findings(answer) == [
        ("ORDER", "COMPETENCY_BEFORE_PREREQUISITE", "GEN-B", "C-B2", "GEN-A")]
    assert (answer["order"][0]["semester"], answer["order"][0]["relatedSemester"]) == (1, 2)


# ---- assessment -----------------------------------------------------------------------------
async def test_assessment_target_unmeasured(run_query: Any, tiny: EmbeddedStore) -> None:
    await mutate(run_query, tiny, ASSESSMENTS, [{"code": "A-GZ", "measures": [
        {"competency": "GEN-A", "proficiency": 2, "weight": 0.5},
        {"competency": "GEN-B", "proficiency": 3, "weight": 0.5}]}])
    answer = await build(run_query, tiny, CLEAN_GZ)
    assert findings(answer) == [("ASSESSMENT", "UNMEASURED", "PRO-T-1", None, None)]


async def test_assessment_of_another_level_does_not_count(run_query: Any,
                                                          tiny: EmbeddedStore) -> None:
    await mutate(run_query, tiny, ASSESSMENTS, [{"code": "A-GZ", "level": "BK", "measures": [
        {"competency": "GEN-A", "proficiency": 2, "weight": 0.5}]}])
    answer = await build(run_query, tiny, CLEAN_GZ)
    assert {f[2] for f in findings(answer) if f[1] == "UNMEASURED"} == {
        "GEN-A", "GEN-B", "PRO-T-1"}


async def test_assessment_below_target(run_query: Any, tiny: EmbeddedStore) -> None:
    await mutate(run_query, tiny, ASSESSMENTS, [{"code": "A-GZ", "measures": [
        {"competency": "GEN-A", "proficiency": 2, "weight": 0.3},
        {"competency": "GEN-B", "proficiency": 3, "weight": 0.3},
        {"competency": "PRO-T-1", "proficiency": 1, "weight": 0.4}]}])
    answer = await build(run_query, tiny, CLEAN_GZ)
    assert findings(answer) == [("ASSESSMENT", "MEASURED_BELOW_TARGET", "PRO-T-1", None,
                                 "A-GZ")]


# ---- articulation ---------------------------------------------------------------------------
ZZ = [{"course": "CZ-A", "semester": 1}, {"course": "CZ-B", "semester": 2}]
BK = [{"course": "CB-A", "semester": 1}, {"course": "CB-B", "semester": 2},
      {"course": "CB-P", "semester": 3}]


async def pathway(run_query: Any, store: EmbeddedStore, zz: list[dict[str, Any]],
                  bk: list[dict[str, Any]] = BK) -> dict[str, Any]:
    await mutate(run_query, store, PROGRAMS, [program("P-ZZ", "ZZ", zz),
                                              program("P-GZ", "GZ", CLEAN_GZ),
                                              program("P-BK", "BK", bk)])
    result = await run_query(PATHWAY, {"programs": ["P-BK", "P-ZZ", "P-GZ"], "fw": FW},
                             DESIGNER, store=store)
    assert result.errors is None, result.errors
    return result.data["pathwayReport"]  # type: ignore[no-any-return]


async def test_a_clean_pathway(run_query: Any, tiny: EmbeddedStore) -> None:
    answer = await pathway(run_query, tiny, ZZ)
    assert [p["code"] for p in answer["programs"]] == ["P-ZZ", "P-GZ", "P-BK"]
    assert [(s["fromProgram"]["code"], s["toProgram"]["code"], s["gaps"], s["repetitions"])
            for s in answer["steps"]] == [("P-ZZ", "P-GZ", [], []), ("P-GZ", "P-BK", [], [])]


async def test_articulation_gap_when_the_earlier_program_does_not_teach(
        run_query: Any, tiny: EmbeddedStore) -> None:
    answer = await pathway(run_query, tiny, ZZ[:1])  # 中职 never teaches GEN-B
    gaps = [(g["kind"], g["competencyCode"], g["relatedCode"]) for g in answer["steps"][0]["gaps"]]
    assert gaps == [("NOT_TAUGHT_BEFORE", "GEN-B", "GEN-B"),  # GEN-B@ZZ → GEN-B@GZ
                    ("NOT_TAUGHT_BEFORE", "PRO-T-1", "GEN-B")]  # PRO-T-1 requires GEN-B
    assert "P-ZZ does not teach" in answer["steps"][0]["gaps"][0]["message"]
    assert answer["steps"][1]["gaps"] == []


async def test_articulation_gap_when_taught_below_the_earlier_level(
        run_query: Any, tiny: EmbeddedStore) -> None:
    await mutate(run_query, tiny, COURSES, [course("CZ-B1", {"GEN-B": 1}, level="ZZ")])
    answer = await pathway(run_query, tiny, [ZZ[0], {"course": "CZ-B1", "semester": 2}])
    gaps = [(g["kind"], g["competencyCode"], g["relatedCode"], g["target"]["value"],
             g["reached"]["value"]) for g in answer["steps"][0]["gaps"]]
    assert gaps == [("TAUGHT_BELOW_BEFORE", "GEN-B", "GEN-B", 2, 1),
                    ("TAUGHT_BELOW_BEFORE", "PRO-T-1", "GEN-B", 2, 1)]


async def test_articulation_repetition(run_query: Any, tiny: EmbeddedStore) -> None:
    await mutate(run_query, tiny, COURSES, [course("CB-A2", {"GEN-A": 2}, level="BK")])
    answer = await pathway(run_query, tiny, ZZ, [{"course": "CB-A2", "semester": 1}, *BK[1:]])
    assert answer["steps"][0]["repetitions"] == []
    assert answer["steps"][1]["repetitions"] == [{
        "kind": "REPEATED", "competencyCode": "GEN-A", "courseCode": "CB-A2",
        "target": {"value": 2}, "reached": {"value": 2}}]


@pytest.mark.parametrize(("programs", "code"), [
    (["P-GZ"], "PATHWAY_TOO_SHORT"),
    (["P-GZ", "P-GZ2"], "PATHWAY_ORDER"),
    (["P-GZ", "P-NOPE"], "PROGRAM_NOT_FOUND"),
])
async def test_pathway_refusals(run_query: Any, tiny: EmbeddedStore, programs: list[str],
                                code: str) -> None:
    await mutate(run_query, tiny, PROGRAMS, [program("P-GZ", "GZ", CLEAN_GZ),
                                             program("P-GZ2", "GZ", CLEAN_GZ)])
    result = await run_query(PATHWAY, {"programs": programs, "fw": FW}, DESIGNER, store=tiny)
    assert result.errors and result.errors[0].extensions["code"] == code


async def test_unknown_program_and_hidden_draft(run_query: Any, tiny: EmbeddedStore) -> None:
    result = await run_query(REPORT, {"code": "P-NOPE", "fw": FW}, DESIGNER, store=tiny)
    assert result.errors[0].extensions["code"] == "PROGRAM_NOT_FOUND"
    result = await run_query(REPORT, {"code": "P-1", "fw": FW}, store=tiny)  # anonymous
    assert result.errors[0].extensions["code"] == "FRAMEWORK_NOT_FOUND"


# ---- the seed's sample programs ----------------------------------------------------------------
async def test_every_seed_program_gets_a_report(run_query: Any,
                                                seeded_store: EmbeddedStore) -> None:
    result = await run_query("{ programs(first: 100) { nodes { code levelCode majorCode } } }")
    assert result.errors is None
    programs = result.data["programs"]["nodes"]
    assert programs, "the seed has no sample programs"
    for item in programs:
        answer = (await run_query(REPORT, {"code": item["code"]})).data["programReport"]
        # A reference program is clean: every target taught at its proficiency, in order,
        # and measured by an assessment of its level.
        assert answer["coverage"] + answer["order"] + answer["assessment"] == [], item
        assert answer["balance"]["totalCredits"] > 0
    by_major: dict[str, list[str]] = {}
    consolidated: set[str] = set()
    for item in sorted(programs, key=lambda p: "ZZ GZ BK".index(p["levelCode"])):
        by_major.setdefault(item["majorCode"], []).append(item["code"])
    for codes in by_major.values():
        if len(codes) > 1:
            result = await run_query(PATHWAY, {"programs": codes})
            assert result.errors is None, result.errors
            steps = result.data["pathwayReport"]["steps"]
            assert len(steps) == len(codes) - 1
            # Targets rise from level to level; what does not rise is a cited consolidation.
            for step in steps:
                assert step["gaps"] == [], step
                assert {r["kind"] for r in step["repetitions"]} <= {"CONSOLIDATION"}, step
            consolidated.update(r["competencyCode"] for step in steps
                                for r in step["repetitions"])
    marked = {row["props"]["competency"] for row in parse_seed().rows["requirements"]
              if row["props"].get("consolidation") and row["props"]["layer"] == "GEN"}
    assert marked and consolidated == marked
