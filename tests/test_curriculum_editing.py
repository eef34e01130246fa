"""Editing drafts through GraphQL: every rule refuses with a typed error, a refused batch
writes nothing, only designers and admins may edit, and every change is audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from schema import Principal, Role
from seed import load_seed
from tests.curriculum_data import FW, SRC, program, write_tiny_seed

DESIGNER = Principal(Role.DESIGNER, "designer-7")
ADMIN = Principal(Role.ADMIN, "admin-1")

NODES = Cypher("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
EDGES = Cypher(
    "MATCH (a)-[r]->(b) RETURN coalesce(a.uid, a.code, a.key) AS a, type(r) AS type, "
    "coalesce(b.uid, b.code, b.key) AS b, properties(r) AS props"
)
TARGETS = Cypher(
    "MATCH (:Program {uid: $uid})-[t:TARGETS]->(c:Competency) "
    "RETURN c.code AS code, t.proficiency AS proficiency ORDER BY code"
)
REQUIRES = Cypher(
    "MATCH (:Competency {uid: $uid})-[:REQUIRES]->(p:Competency) RETURN p.code AS code "
    "ORDER BY code"
)
PROGRESSIONS = Cypher(
    "MATCH (a:Requirement {fw: $fw})-[:PROGRESSES_TO]->(b:Requirement) "
    "WHERE a.competency = $code RETURN a.code AS source, b.code AS target ORDER BY source, target"
)
HASH = Cypher("MATCH (f:Framework {uid: $uid}) RETURN f.contentHash AS hash")

UPSERT_COMPETENCIES = """
mutation($fw: ID!, $input: [CompetencyInput!]!) {
  upsertCompetencies(framework: $fw, input: $input) {
    errors { code message index field } codes auditEntryId
    competencies { code nameEn layerCode levelCodes
      requirements { levelCode target { value } } prerequisites { code } }
  }
}"""
UPSERT_COURSES = """
mutation($fw: ID!, $input: [CourseInput!]!) {
  upsertCourses(framework: $fw, input: $input) {
    errors { code message index field } codes
    courses { code credits teaches { competency { code } proficiency { value } } }
  }
}"""
UPSERT_PROGRAMS = """
mutation($fw: ID!, $input: [ProgramInput!]!) {
  upsertPrograms(framework: $fw, input: $input) {
    errors { code message index field } codes
    programs { code courses { course { code } semester required } }
  }
}"""
UPSERT_ASSESSMENTS = """
mutation($fw: ID!, $input: [AssessmentInput!]!) {
  upsertAssessments(framework: $fw, input: $input) {
    errors { code message index field } assessments { code measures { weight } }
  }
}"""
UPSERT_JOB_ROLES = """
mutation($fw: ID!, $input: [JobRoleInput!]!) {
  upsertJobRoles(framework: $fw, input: $input) {
    errors { code message index field } jobRoles { code needs { essential } }
  }
}"""
UPSERT_MAJORS = """
mutation($fw: ID!, $input: [MajorInput!]!) {
  upsertMajors(framework: $fw, input: $input) {
    errors { code message index field } majors { code levels industry { code } }
  }
}"""
REMOVE = """
mutation($fw: ID!, $codes: [String!]!) {
  removeCompetencies(framework: $fw, codes: $codes) { errors { code message } codes }
}"""
AUDIT = """
query($fw: ID, $first: Int, $after: String) {
  auditTrail(framework: $fw, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id at subject role mutation framework codes summary }
  }
}"""


def competency(code: str, **fields: Any) -> dict[str, Any]:
    """A new GEN competency of the tiny framework, asked at GZ."""
    return {"code": code, "layer": "GEN", "nameZh": f"{code} 名称", "nameEn": f"{code} name",
            "source": SRC, "requirements": [
                {"level": "GZ", "proficiency": 2, "descriptorZh": "描述", "descriptorEn": "d"}],
            **fields}


@pytest.fixture
async def tiny(store: EmbeddedStore, tmp_path: Path) -> EmbeddedStore:
    """The tiny framework TST@1, loaded as a draft."""
    await load_seed(store, write_tiny_seed(tmp_path / "tiny"))
    return store


async def snapshot(store: EmbeddedStore) -> list[str]:
    rows = [*await store.read(NODES), *await store.read(EDGES)]
    return sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows)


def payload(result: Any, field: str) -> dict[str, Any]:
    assert result.errors is None, result.errors
    return result.data[field]  # type: ignore[no-any-return]


async def edit(run_query: Any, store: EmbeddedStore, document: str, field: str,
               rows: list[dict[str, Any]], principal: Principal = DESIGNER,
               fw: str = FW) -> dict[str, Any]:
    result = await run_query(document, {"fw": fw, "input": rows}, principal, store=store)
    return payload(result, field)


def codes_of(answer: dict[str, Any]) -> list[str]:
    return [error["code"] for error in answer["errors"]]


# ---- who may edit --------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.READER, Role.COLLEGE, Role.ANONYMOUS])
async def test_non_designers_are_refused(run_query: Any, tiny: EmbeddedStore,
                                         role: Role) -> None:
    principal = Principal(role, "someone", "COL-T" if role is Role.COLLEGE else None)
    before = await snapshot(tiny)
    result = await run_query(UPSERT_COMPETENCIES, {"fw": FW, "input": [competency("GEN-N")]},
                             principal, store=tiny)
    assert result.errors and result.errors[0].extensions["code"] == "FORBIDDEN"
    result = await run_query("mutation { publishFramework(id: \"TST@1\") { errors { code } } }",
                             principal=principal, store=tiny)
    assert result.errors and result.errors[0].extensions["code"] == "FORBIDDEN"
    result = await run_query(AUDIT, {}, principal, store=tiny)
    assert result.errors and result.errors[0].extensions["code"] == "FORBIDDEN"
    assert await snapshot(tiny) == before


async def test_admins_may_edit(run_query: Any, tiny: EmbeddedStore) -> None:
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
                        [competency("GEN-N")], ADMIN)
    assert answer["errors"] == [] and answer["codes"] == ["GEN-N"]


# ---- published versions are frozen -----------------------------------------------------------
async def test_editing_a_published_version_is_refused(run_query: Any,
                                                      store: EmbeddedStore) -> None:
    await load_seed(store)  # the reference framework is published
    before = await snapshot(store)
    for document, field, row in (
        (UPSERT_COMPETENCIES, "upsertCompetencies", {"code": "GEN-01", "nameEn": "Changed"}),
        (UPSERT_COURSES, "upsertCourses", {"code": "C-GEN-ZZ-01", "credits": 3}),
        (UPSERT_PROGRAMS, "upsertPrograms", {"code": "P-AI-GZ", "courses": []}),
    ):
        answer = await edit(run_query, store, document, field, [row], fw="AIL@2025.1")
        assert codes_of(answer) == ["FRAMEWORK_FROZEN"]
        assert "createFrameworkVersion" in answer["errors"][0]["message"]
    assert await snapshot(store) == before


async def test_unknown_framework_is_refused(run_query: Any, tiny: EmbeddedStore) -> None:
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
                        [competency("GEN-N")], fw="TST@9")
    assert codes_of(answer) == ["FRAMEWORK_NOT_FOUND"]


# ---- prerequisite cycles -----------------------------------------------------------------------
async def test_a_cycle_with_the_stored_graph_is_refused_and_named(
        run_query: Any, store: EmbeddedStore) -> None:
    await load_seed(store)
    created = await run_query(
        "mutation { createFrameworkVersion(from: \"AIL@2025.1\", version: \"2026.1\") "
        "{ errors { code } framework { id status } } }", principal=DESIGNER, store=store)
    assert payload(created, "createFrameworkVersion")["framework"] == {
        "id": "AIL@2026.1", "status": "DRAFT"}
    before = await snapshot(store)
    answer = await edit(run_query, store, UPSERT_COMPETENCIES, "upsertCompetencies",
                        [{"code": "GEN-01", "requires": ["GEN-02"]}], fw="AIL@2026.1")
    assert codes_of(answer) == ["PREREQUISITE_CYCLE"]
    assert answer["errors"][0]["message"] == "prerequisite cycle: GEN-01 → GEN-02 → GEN-01"
    assert (answer["errors"][0]["index"], answer["errors"][0]["field"]) == (0, "requires")
    assert await snapshot(store) == before


async def test_a_cycle_inside_the_batch_is_refused(run_query: Any, tiny: EmbeddedStore) -> None:
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies", [
        competency("GEN-X", requires=["GEN-Y"]), competency("GEN-Y", requires=["GEN-A", "GEN-X"])])
    assert codes_of(answer) == ["PREREQUISITE_CYCLE"]
    assert "GEN-X → GEN-Y → GEN-X" in answer["errors"][0]["message"]


async def test_a_competency_cannot_require_itself(run_query: Any, tiny: EmbeddedStore) -> None:
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
                        [{"code": "GEN-A", "requires": ["GEN-A"]}])
    assert codes_of(answer) == ["PREREQUISITE_CYCLE"]
    assert answer["errors"][0]["field"] == "requires[0]"


async def test_a_course_prerequisite_cycle_is_refused(run_query: Any,
                                                      tiny: EmbeddedStore) -> None:
    answer = await edit(run_query, tiny, UPSERT_COURSES, "upsertCourses",
                        [{"code": "C-A", "requires": ["C-P"]}])
    assert codes_of(answer) == ["PREREQUISITE_CYCLE"]
    assert "C-A → C-P → C-B → C-A" in answer["errors"][0]["message"]


# ---- a refused batch writes nothing ----------------------------------------------------------
async def test_a_rejected_batch_writes_nothing(run_query: Any, tiny: EmbeddedStore) -> None:
    before = await snapshot(tiny)
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies", [
        competency("GEN-N"),  # fine on its own
        {"code": "GEN-A", "nameEn": "Renamed"},  # fine on its own
        competency("GEN-M", requirements=[
            {"level": "GZ", "proficiency": 5, "descriptorZh": "描述", "descriptorEn": "d"}]),
    ])
    assert codes_of(answer) == ["PROFICIENCY_OUT_OF_RANGE"]
    assert (answer["errors"][0]["index"], answer["errors"][0]["field"]) == (
        2, "requirements[0].proficiency")
    assert answer["codes"] == [] and answer["competencies"] == []
    assert await snapshot(tiny) == before
    for document, field, rows in (
        (UPSERT_COURSES, "upsertCourses", [{"code": "C-A", "credits": 5},
                                           {"code": "C-B", "teaches": [
                                               {"competency": "NOPE", "proficiency": 1}]}]),
        (UPSERT_PROGRAMS, "upsertPrograms", [program("P-1", "GZ", [
            {"course": "C-A", "semester": 1}, {"course": "C-X", "semester": 2}])]),
    ):
        answer = await edit(run_query, tiny, document, field, rows)
        assert codes_of(answer) == ["UNKNOWN_CODE"]
        assert await snapshot(tiny) == before


# ---- each validation rule ----------------------------------------------------------------------
@pytest.mark.parametrize(("row", "code", "field"), [
    ({"code": "gen-1"}, "INVALID_CODE", "code"),
    ({k: v for k, v in competency("GEN-N").items() if k != "layer"}, "MISSING_FIELD", "layer"),
    (competency("GEN-N", requires=["GEN-A", "GEN-NOPE"]), "UNKNOWN_CODE", "requires[1]"),
    (competency("GEN-N", strands=["NOPE"]), "UNKNOWN_CODE", "strands[0]"),
    (competency("GEN-N", requirements=[{"level": "GZ", "proficiency": 0, "descriptorZh": "a",
                                        "descriptorEn": "b"}]),
     "PROFICIENCY_OUT_OF_RANGE", "requirements[0].proficiency"),
    (competency("GEN-N", requirements=[{"level": "ZZ", "proficiency": 3, "descriptorZh": "a",
                                        "descriptorEn": "b"}]),
     "PROFICIENCY_ABOVE_LEVEL_MAX", "requirements[0].proficiency"),
    (competency("GEN-N", requirements=[]), "MISSING_FIELD", "requirements"),
    (competency("PRO-N", layer="PRO"), "MISSING_FIELD", "major"),
    (competency("GEN-N", progressesTo=[{"from": "GZ", "competency": "GEN-A", "level": "ZZ"}]),
     "INVALID_VALUE", "progressesTo[0].level"),
    (competency("GEN-N", progressesTo=[{"from": "BK", "competency": "GEN-A", "level": "BK"}]),
     "INVALID_VALUE", "progressesTo[0].from"),
    ({"code": "GEN-A", "nameZh": ""}, "MISSING_FIELD", "nameZh"),
])
async def test_competency_rules(run_query: Any, tiny: EmbeddedStore, row: dict[str, Any],
                                code: str, field: str) -> None:
    before = await snapshot(tiny)
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies", [row])
    assert [(e["code"], e["field"]) for e in answer["errors"]] == [(code, field)], answer
    assert await snapshot(tiny) == before


@pytest.mark.parametrize(("document", "row", "enum", "where"), [
    (UPSERT_COMPETENCIES, competency("GEN-N", layer="XYZ"), "LayerCode", "[0].layer"),
    (UPSERT_COMPETENCIES, competency("GEN-N", requirements=[{
        "level": "XX", "proficiency": 1, "descriptorZh": "a", "descriptorEn": "b"}]),
     "LevelCode", "[0].requirements[0].level"),
    (UPSERT_COURSES, {"code": "C-A", "kind": "optional"}, "CourseKind", "[0].kind"),
    (UPSERT_COURSES, {"code": "C-A", "kind": "required"}, "CourseKind", "[0].kind"),
    (UPSERT_ASSESSMENTS, {"code": "A-GZ", "kind": "oral"}, "AssessmentKind", "[0].kind"),
    (UPSERT_MAJORS, {"code": "M-T", "levels": ["ZZ", "XX"]}, "LevelCode", "[0].levels[1]"),
])
async def test_closed_sets_are_refused_by_the_schema(
        run_query: Any, tiny: EmbeddedStore, document: str, row: dict[str, Any], enum: str,
        where: str) -> None:
    """A level, layer or kind outside its enum never reaches the rules: the request is
    refused whole, naming the enum and the place (the store value "required" is REQUIRED)."""
    before = await snapshot(tiny)
    result = await run_query(document, {"fw": FW, "input": [row]}, DESIGNER, store=tiny)
    assert result.data is None and len(result.errors) == 1, result
    message = result.errors[0].message
    assert f"in '{enum}' enum" in message and f"at {where}:" in message, message
    assert await snapshot(tiny) == before


async def test_a_design_source_may_exceed_the_level_maximum(run_query: Any,
                                                            tiny: EmbeddedStore) -> None:
    row = competency("GEN-N", requirements=[{
        "level": "ZZ", "proficiency": 3, "descriptorZh": "a", "descriptorEn": "b",
        "source": "design: a stretch goal for this test"}])
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies", [row])
    assert answer["errors"] == []


async def test_duplicate_codes_in_a_batch_are_refused(run_query: Any,
                                                      tiny: EmbeddedStore) -> None:
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
                        [competency("GEN-N"), competency("GEN-N")])
    assert [(e["code"], e["index"]) for e in answer["errors"]] == [("DUPLICATE_CODE", 1)]


@pytest.mark.parametrize(("document", "field", "row", "code", "where"), [
    (UPSERT_COURSES, "upsertCourses", {"code": "C-A", "credits": 0}, "INVALID_VALUE",
     "credits"),
    (UPSERT_COURSES, "upsertCourses",
     {"code": "C-A", "teaches": [{"competency": "GEN-A", "proficiency": 4}]},
     "PROFICIENCY_ABOVE_LEVEL_MAX", "teaches[0].proficiency"),
    (UPSERT_COURSES, "upsertCourses", {"code": "C-B", "level": "ZZ"},
     "PROFICIENCY_ABOVE_LEVEL_MAX", "teaches[0].proficiency"),  # stored teaching re-checked
    (UPSERT_COURSES, "upsertCourses", {"code": "C-A", "requires": ["C-NOPE"]},
     "UNKNOWN_CODE", "requires[0]"),
    (UPSERT_ASSESSMENTS, "upsertAssessments",
     {"code": "A-GZ", "measures": [{"competency": "GEN-A", "proficiency": 2, "weight": 1.5}]},
     "INVALID_VALUE", "measures[0].weight"),
    (UPSERT_JOB_ROLES, "upsertJobRoles",
     {"code": "J-1", "industry": "IT", "level": "GZ", "nameZh": "岗位", "nameEn": "Job",
      "source": SRC, "needs": [{"competency": "GEN-A", "proficiency": 7}]},
     "PROFICIENCY_OUT_OF_RANGE", "needs[0].proficiency"),
    (UPSERT_JOB_ROLES, "upsertJobRoles",
     {"code": "J-1", "industry": "NOPE", "level": "GZ", "nameZh": "岗位", "nameEn": "Job",
      "source": SRC, "needs": []}, "UNKNOWN_CODE", "industry"),
    (UPSERT_MAJORS, "upsertMajors", {"code": "M-T", "catalogCodes": ["BK"]},
     "INVALID_VALUE", "catalogCodes[0]"),
    (UPSERT_PROGRAMS, "upsertPrograms", program("P-1", "GZ", [], college="COL-NOPE"),
     "UNKNOWN_CODE", "college"),
    (UPSERT_PROGRAMS, "upsertPrograms",
     program("P-1", "GZ", [{"course": "C-A", "semester": 13}]),
     "INVALID_VALUE", "courses[0].semester"),
    (UPSERT_PROGRAMS, "upsertPrograms", program("P-1", "GZ", [
        {"course": "C-A", "semester": 1}, {"course": "C-A", "semester": 2}]),
     "INVALID_VALUE", "courses[1]"),
    (UPSERT_PROGRAMS, "upsertPrograms",
     program("P-1", "GZ", [], overrides=[{"competency": "GEN-A", "proficiency": 4}]),
     "PROFICIENCY_ABOVE_LEVEL_MAX", "overrides[0].proficiency"),
])
async def test_element_rules(run_query: Any, tiny: EmbeddedStore, document: str, field: str,
                             row: dict[str, Any], code: str, where: str) -> None:
    before = await snapshot(tiny)
    answer = await edit(run_query, tiny, document, field, [row])
    assert [(e["code"], e["field"]) for e in answer["errors"]] == [(code, where)], answer
    assert await snapshot(tiny) == before


async def test_a_major_level_in_use_cannot_be_dropped(run_query: Any,
                                                      tiny: EmbeddedStore) -> None:
    await edit(run_query, tiny, UPSERT_PROGRAMS, "upsertPrograms",
               [program("P-1", "GZ", [{"course": "C-A", "semester": 1}])])
    answer = await edit(run_query, tiny, UPSERT_MAJORS, "upsertMajors",
                        [{"code": "M-T", "levels": ["ZZ", "BK"]}])
    assert codes_of(answer) == ["IN_USE"] and "P-1" in answer["errors"][0]["message"]


# ---- successful edits ----------------------------------------------------------------------------
async def test_a_new_competency_becomes_a_program_target(run_query: Any,
                                                         tiny: EmbeddedStore) -> None:
    await edit(run_query, tiny, UPSERT_PROGRAMS, "upsertPrograms",
               [program("P-1", "GZ", [{"course": "C-A", "semester": 1}])])
    uid = f"{FW}|P-1"
    assert [r["code"] for r in await tiny.read(TARGETS, {"uid": uid})] == [
        "GEN-A", "GEN-B", "PRO-T-1"]
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
                        [competency("GEN-N", requires=["GEN-A"], strands=["ETH"])])
    assert answer["errors"] == [] and answer["auditEntryId"]
    assert answer["competencies"] == [{
        "code": "GEN-N", "nameEn": "GEN-N name", "layerCode": "GEN", "levelCodes": ["GZ"],
        "requirements": [{"levelCode": "GZ", "target": {"value": 2}}],
        "prerequisites": [{"code": "GEN-A"}]}]
    targets = {r["code"]: r["proficiency"] for r in await tiny.read(TARGETS, {"uid": uid})}
    assert targets == {"GEN-A": 2, "GEN-B": 3, "GEN-N": 2, "PRO-T-1": 2}
    # An override and a changed requirement move the targets too.
    await edit(run_query, tiny, UPSERT_PROGRAMS, "upsertPrograms",
               [{"code": "P-1", "overrides": [{"competency": "GEN-N", "proficiency": 3}]}])
    await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies", [
        {"code": "GEN-A", "requirements": [
            {"level": "ZZ", "proficiency": 1, "descriptorZh": "a", "descriptorEn": "b"},
            {"level": "GZ", "proficiency": 3, "descriptorZh": "a", "descriptorEn": "b"}]}])
    targets = {r["code"]: r["proficiency"] for r in await tiny.read(TARGETS, {"uid": uid})}
    assert targets == {"GEN-A": 3, "GEN-B": 3, "GEN-N": 3, "PRO-T-1": 2}


async def test_an_update_keeps_what_it_does_not_name(run_query: Any,
                                                     tiny: EmbeddedStore) -> None:
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
                        [{"code": "GEN-B", "nameEn": "Renamed"}])
    assert answer["errors"] == []
    assert answer["competencies"][0]["nameEn"] == "Renamed"
    assert answer["competencies"][0]["prerequisites"] == [{"code": "GEN-A"}]
    assert [r["levelCode"] for r in answer["competencies"][0]["requirements"]] == [
        "ZZ", "GZ", "BK"]
    # A given list replaces the stored one.
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
                        [{"code": "GEN-B", "requires": []}])
    assert answer["competencies"][0]["prerequisites"] == []
    answer = await edit(run_query, tiny, UPSERT_COURSES, "upsertCourses", [
        {"code": "C-B", "teaches": [{"competency": "GEN-B", "proficiency": 2},
                                    {"competency": "GEN-A", "proficiency": 1}]}])
    assert answer["errors"] == []
    assert answer["courses"][0]["credits"] == 3
    assert sorted((t["competency"]["code"], t["proficiency"]["value"])
                  for t in answer["courses"][0]["teaches"]) == [("GEN-A", 1), ("GEN-B", 2)]


async def test_requirements_keep_the_level_chain_and_extra_progressions(
        run_query: Any, tiny: EmbeddedStore) -> None:
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies", [
        {"code": "GEN-Z", "progressesTo": [{"from": "ZZ", "competency": "GEN-B",
                                            "level": "GZ"}]}])
    assert answer["errors"] == []
    assert [(r["source"], r["target"]) for r in await tiny.read(
        PROGRESSIONS, {"fw": FW, "code": "GEN-Z"})] == [("GEN-Z@ZZ", "GEN-B@GZ")]
    # Dropping GEN-A's BK requirement drops the chain GZ → BK, keeps ZZ → GZ.
    await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies", [
        {"code": "GEN-A", "requirements": [
            {"level": "ZZ", "proficiency": 1, "descriptorZh": "a", "descriptorEn": "b"},
            {"level": "GZ", "proficiency": 2, "descriptorZh": "a", "descriptorEn": "b"}]}])
    assert [(r["source"], r["target"]) for r in await tiny.read(
        PROGRESSIONS, {"fw": FW, "code": "GEN-A"})] == [("GEN-A@ZZ", "GEN-A@GZ")]
    # Changing the layer keeps (and re-labels) the stored requirements.
    answer = await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
                        [{"code": "GEN-Z", "layer": "IND", "industry": "IT"}])
    assert answer["errors"] == [] and answer["competencies"][0]["layerCode"] == "IND"
    assert [(r["source"], r["target"]) for r in await tiny.read(
        PROGRESSIONS, {"fw": FW, "code": "GEN-Z"})] == [("GEN-Z@ZZ", "GEN-B@GZ")]


async def test_job_roles_majors_and_assessments_are_written(run_query: Any,
                                                            tiny: EmbeddedStore) -> None:
    answer = await edit(run_query, tiny, UPSERT_JOB_ROLES, "upsertJobRoles", [{
        "code": "J-1", "industry": "IT", "level": "GZ", "nameZh": "岗位", "nameEn": "Job",
        "source": SRC, "needs": [{"competency": "GEN-A", "proficiency": 2, "essential": True}]}])
    assert answer == {"errors": [], "jobRoles": [{"code": "J-1", "needs": [
        {"essential": True}]}]}
    answer = await edit(run_query, tiny, UPSERT_MAJORS, "upsertMajors", [{
        "code": "M-U", "industry": "IT", "levels": ["GZ", "ZZ"], "nameZh": "专业",
        "nameEn": "Major", "source": SRC, "catalogCodes": ["GZ:510209"]}])
    assert answer == {"errors": [], "majors": [{"code": "M-U", "levels": ["ZZ", "GZ"],
                                                "industry": {"code": "IT"}}]}
    answer = await edit(run_query, tiny, UPSERT_ASSESSMENTS, "upsertAssessments", [{
        "code": "A-GZ", "measures": [{"competency": "GEN-A", "proficiency": 2, "weight": 0.4}]}])
    assert answer == {"errors": [], "assessments": [{"code": "A-GZ", "measures": [
        {"weight": 0.4}]}]}


async def test_removing_a_competency_in_use_is_refused(run_query: Any,
                                                       tiny: EmbeddedStore) -> None:
    before = await snapshot(tiny)
    result = await run_query(REMOVE, {"fw": FW, "codes": ["GEN-A"]}, DESIGNER, store=tiny)
    answer = payload(result, "removeCompetencies")
    assert codes_of(answer) == ["IN_USE"]
    assert "GEN-B (REQUIRES)" in answer["errors"][0]["message"]
    assert "C-A (TEACHES)" in answer["errors"][0]["message"]
    assert await snapshot(tiny) == before
    await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
               [competency("GEN-N"), competency("GEN-M", requires=["GEN-N"])])
    result = await run_query(REMOVE, {"fw": FW, "codes": ["GEN-N", "GEN-M"]}, DESIGNER,
                             store=tiny)
    assert payload(result, "removeCompetencies") == {"errors": [], "codes": ["GEN-N", "GEN-M"]}
    leftovers = [r for r in await tiny.read(NODES)
                 if str(r["props"].get("code", "")).startswith(("GEN-N", "GEN-M"))]
    assert leftovers == []


# ---- audit trail ------------------------------------------------------------------------------
async def test_every_change_is_audited_and_paged(run_query: Any, tiny: EmbeddedStore) -> None:
    for code in ("GEN-N", "GEN-M", "GEN-L"):
        await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
                   [competency(code)])
    await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
               [{"code": "GEN-N", "nameEn": "x"}], ADMIN)
    await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
               [{"code": "GEN-N", "requires": ["GEN-NOPE"]}])  # refused: not audited
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        page = payload(await run_query(AUDIT, {"fw": FW, "first": 2, "after": after},
                                       DESIGNER, store=tiny), "auditTrail")
        assert page["totalCount"] == 4
        seen += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [e["codes"] for e in seen] == [["GEN-N"], ["GEN-L"], ["GEN-M"], ["GEN-N"]]
    newest = seen[0]
    assert (newest["subject"], newest["role"], newest["mutation"], newest["framework"]) == (
        "admin-1", "ADMIN", "upsertCompetencies", FW)
    assert newest["summary"] == {"created": [], "updated": {"GEN-N": ["nameEn"]}}
    assert seen[-1]["summary"]["created"] == ["GEN-N"]
    assert [e["at"] for e in seen] == sorted((e["at"] for e in seen), reverse=True)
    assert all(e["at"].endswith("+00:00") for e in seen)


async def test_an_edit_clears_the_seed_hash_so_a_reload_restores_the_seed(
        run_query: Any, tiny: EmbeddedStore, tmp_path: Path) -> None:
    assert (await tiny.read(HASH, {"uid": FW}))[0]["hash"]
    assert (await load_seed(tiny, tmp_path / "tiny")).status == "unchanged"
    await edit(run_query, tiny, UPSERT_COMPETENCIES, "upsertCompetencies",
               [{"code": "GEN-A", "nameEn": "Edited"}])
    assert (await tiny.read(HASH, {"uid": FW}))[0]["hash"] is None
    assert (await load_seed(tiny, tmp_path / "tiny")).status == "replaced"
    assert (await tiny.read(REQUIRES, {"uid": f"{FW}|GEN-B"})) == [{"code": "GEN-A"}]
