"""Neo4j and the embedded store give the same answers (runs when NEO4J_URI is set).

Both stores get the reference seed and the same small set of students, written through the
GraphQL mutations; then every kind of read the product serves is asked of both and compared:
framework browsing, each student's standing, gaps and learning path, cohorts, program and
pathway reports, and a version diff after the same edits on both. The data is loaded once for
the module (Neo4j is emptied before and after); the version-diff test, which writes, runs last.
"""

from __future__ import annotations

import math
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bench.peer.students import seed_students
from graph.embedded import EmbeddedServer, EmbeddedStore
from graph.migrations import migrate
from graph.neo4j_store import Neo4jStore
from schema import Context, Principal, Role, build_schema
from seed import load_seed

pytestmark = pytest.mark.neo4j

ADMIN = Principal(Role.ADMIN, "admin")
DESIGNER = Principal(Role.DESIGNER, "designer")
COLLEGES = ("COL-DEMO-ZZ", "COL-DEMO-GZ", "COL-DEMO-BK")
STUDENTS = seed_students(24, 9, seed=11, certified_share=0.5)
# A correction that no longer passes: attainment must be lowered the same way on both.
_FIRST = STUDENTS.rows["results"][0]
CORRECTION = {**_FIRST, "score": 10}

Twins = tuple[Neo4jStore, EmbeddedStore]


async def _ask(store: Any, query: str, variables: dict[str, Any] | None = None,
               principal: Principal = ADMIN) -> Any:
    result = await build_schema().execute(query, variable_values=variables,
                                          context_value=Context(store, principal))
    assert result.errors is None, result.errors
    return result.data


async def _load_students(store: Any) -> None:
    for field, kind, rows in (
            ("recordStudents", "StudentInput", STUDENTS.rows["students"]),
            ("recordResults", "ResultInput", STUDENTS.rows["results"]),
            ("recordCompletions", "CompletionInput", STUDENTS.rows["completions"]),
            ("recordCertifications", "CertificationInput", STUDENTS.rows["certifications"]),
            ("recordResults", "ResultInput", [CORRECTION])):
        document = (f"mutation($rows: [{kind}!]!) {{ {field}(rows: $rows) "
                    "{ written errors { code message } } }")
        answer = (await _ask(store, document, {"rows": rows}))[field]
        assert answer["errors"] == [] and answer["written"] == len(rows), answer


@pytest.fixture(scope="module")
async def twins(embedded_server: EmbeddedServer) -> AsyncIterator[Twins]:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        pytest.skip("NEO4J_URI is not set: no Neo4j server to test against")
    neo4j = await Neo4jStore.connect(uri, os.environ.get("NEO4J_USER", "neo4j"),
                                     os.environ.get("NEO4J_PASSWORD", ""),
                                     os.environ.get("NEO4J_DATABASE", "neo4j"))
    embedded = EmbeddedStore(embedded_server.socket_path, graph_name="neo4j-twin")
    await neo4j.drop_all()
    for store in (neo4j, embedded):
        await migrate(store, "2026-01-01T00:00:00+00:00")
        await load_seed(store)
        await _load_students(store)
    yield neo4j, embedded
    await neo4j.drop_all()
    await neo4j.close()
    await embedded.drop_all()
    await embedded.close()


def _same(left: Any, right: Any, path: str = "") -> None:
    """Equal, with floats compared to 9 significant digits (the embedded engine returns 15)."""
    if isinstance(left, float) or isinstance(right, float):
        assert isinstance(left, int | float) and isinstance(right, int | float), path
        assert math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-12), (path, left, right)
    elif isinstance(left, dict) and isinstance(right, dict):
        assert left.keys() == right.keys(), (path, set(left) ^ set(right))
        for key in left:
            _same(left[key], right[key], f"{path}.{key}")
    elif isinstance(left, list) and isinstance(right, list):
        assert len(left) == len(right), (path, len(left), len(right))
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            _same(a, b, f"{path}[{index}]")
    else:
        assert left == right, (path, left, right)


async def _both(twins: Twins, query: str, variables: dict[str, Any] | None = None,
                principal: Principal = ADMIN) -> Any:
    neo4j, embedded = twins
    on_neo4j = await _ask(neo4j, query, variables, principal)
    _same(on_neo4j, await _ask(embedded, query, variables, principal))
    return on_neo4j


REQUIREMENT = ("code levelCode competencyCode descriptorZh descriptorEn target { value nameZh } "
               "source framework level { code } competency { code } progressesTo { code } "
               "progressesFrom { code }")
COMPETENCY = ("code nameZh nameEn descriptionZh descriptionEn source levelCodes layerCode "
              "strandCodes framework layer { code } strands { code } major { code } "
              f"industry {{ code }} requirements {{ {REQUIREMENT} }} prerequisites {{ code }}")
BROWSING = [
    "{ levels { code nameZh nameEn maxProficiency } layers { code nameZh nameEn } "
    "strands { code nameZh } colleges { code nameZh nameEn } "
    "frameworks { id code version status nameZh previousVersion } framework { id } }",
    "{ competencies(first: 100) { totalCount pageInfo { hasNextPage endCursor } "
    f"edges {{ cursor node {{ {COMPETENCY} }} }} }} }}",
    "{ competencies(level: ZZ, layer: PRO, major: \"M-AI\") { totalCount "
    "nodes { code prerequisites(transitive: true) { code } } } }",
    "{ competencies(strand: \"ETH\", first: 50) { totalCount nodes { code dependents { code } "
    "dependents2: dependents(transitive: true) { code } } } }",
    "{ competencies(search: \"数据\", first: 50) { totalCount nodes { code nameZh } } "
    "byIndustry: competencies(industry: \"IT\", level: BK) { totalCount nodes { code } } }",
    "{ competency(code: \"GEN-28\") { code prerequisites(transitive: true) { code } "
    "dependents(transitive: true) { code } requirement(level: GZ) { code target { value } } "
    "taughtBy { course { code credits } proficiency { value } } "
    "measuredBy { assessment { code maxScore } proficiency { value } weight } "
    "evidencedBy { certification { code } proficiency { value } } "
    "neededBy { jobRole { code } proficiency { value } essential } } }",
    "{ levelRequirements(level: GZ, major: \"M-AI\") { layer { code } requirements { code "
    "target { value } progressesFrom { code target { value } } } } }",
    "{ courses(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { code nameZh "
    "levelCode layerCode kind credits hours majorCode industryCode teaches { competency { code } "
    "proficiency { value } } prerequisites { code } } } }",
    "{ courses(level: GZ, layer: IND) { totalCount nodes { code } } "
    "course(code: \"C-GEN-GZ-01\") { code teaches { competency { code } } } }",
    "{ majors { totalCount nodes { code levels catalogCodes industry { code } "
    "competencies { code } } } industries { totalCount nodes { code nameZh } } "
    "major(code: \"M-AI\") { code } }",
    "{ assessments(first: 100) { totalCount nodes { code levelCode kind maxScore "
    "measures { competency { code } proficiency { value } weight } } } "
    "assessment(code: \"A-GEN-GZ-01\") { code } }",
    "{ certifications(first: 50) { totalCount nodes { code issuerZh evidences { competency "
    "{ code } proficiency { value } } } } }",
    "{ jobRoles(first: 100) { totalCount nodes { code levelCode industryCode needs { competency "
    "{ code } proficiency { value } essential } } } jobRole(code: \"JOB-IT-01\") { code } }",
    "{ programs(first: 50) { totalCount nodes { code levelCode majorCode collegeCode "
    "major { code } courses { course { code } semester required } } } "
    "teacherTiers { totalCount nodes { code rank competencies { code } } } }",
]


@pytest.mark.parametrize("query", BROWSING)
async def test_framework_browsing_matches(twins: Twins, query: str) -> None:
    await _both(twins, query, principal=Principal(Role.ANONYMOUS))


async def test_the_next_page_matches(twins: Twins) -> None:
    first = await _both(twins, "{ competencies(first: 40) { pageInfo { endCursor } } }")
    cursor = first["competencies"]["pageInfo"]["endCursor"]
    page = await _both(twins, "query($after: String) { competencies(first: 40, after: $after) "
                              "{ pageInfo { hasNextPage } nodes { code } } }", {"after": cursor})
    assert len(page["competencies"]["nodes"]) == 40


STUDENT = """
query($code: String!, $college: String) { student(code: $code, college: $college) {
  code college classLabel enrolledOn framework levelCode programCode program { code }
  standing { competencyCode layerCode required attained gap evidence { kind code at } }
  gapsOnly: standing(onlyGaps: true, layer: GEN) { competencyCode gap }
  readiness { dimension nameZh required attained ratio }
  placement { layerCode levelCode }
  gaps { target totalGap items { competencyCode required attained gap } readiness { ratio } }
  jobGaps: gaps(target: {jobRole: "JOB-IT-01"}) { target totalGap items { competencyCode gap } }
  levelGaps: gaps(target: {level: BK}) { target totalGap items { competencyCode gap } }
  learningPath { totalCredits uncoveredCodes steps { position reason credits closesCodes
    course { code } } }
  jobPath: learningPath(target: {jobRole: "JOB-MFG-01"}) { totalCredits uncoveredCodes
    steps { course { code } } }
  evidence { competencyCode kind code at proficiency passed score maxScore }
} }"""


@pytest.mark.parametrize("row", STUDENTS.rows["students"], ids=lambda row: row["code"])
async def test_a_students_report_gaps_and_path_match(twins: Twins, row: dict[str, Any]) -> None:
    answer = await _both(twins, STUDENT, {"code": row["code"], "college": row["college"]})
    assert answer["student"]["standing"], "every seeded student has targets"


async def test_the_corrected_result_lowered_attainment_on_both(twins: Twins) -> None:
    answer = await _both(twins, "query($code: String!, $college: String) { student(code: $code, "
                                "college: $college) { evidence { code at passed score } } }",
                         {"code": CORRECTION["student"], "college": CORRECTION["college"]})
    corrected = [e for e in answer["student"]["evidence"]
                 if e["code"] == CORRECTION["assessment"]
                 and e["at"][:10] == CORRECTION["takenAt"]]  # a DateTime; the row gave a day
    assert corrected and all(not e["passed"] and e["score"] == 10 for e in corrected)


COHORT = """
query($college: String, $program: String, $classLabel: String) {
  cohort(college: $college, program: $program, classLabel: $classLabel) {
    students competencies { competencyCode layerCode students meeting share gapTotal }
    placement { layerCode levelCode students } readiness { dimension lower upper students }
    commonGaps(limit: 5) { competencyCode share }
  }
}"""
COHORTS = [
    *({"college": college} for college in COLLEGES),
    {"college": "COL-DEMO-GZ", "program": "P-AI-GZ"},
    {"program": "P-NUR-BK"},
    {"college": "COL-DEMO-ZZ", "classLabel": STUDENTS.rows["students"][2]["classLabel"]},
    {},
]


@pytest.mark.parametrize("scope", COHORTS, ids=repr)
async def test_cohorts_match(twins: Twins, scope: dict[str, str]) -> None:
    answer = await _both(twins, COHORT, scope)
    assert answer["cohort"]["students"] > 0


async def test_student_lists_match(twins: Twins) -> None:
    for college in COLLEGES:
        await _both(twins, "query($college: String) { students(college: $college, first: 5) { "
                           "totalCount pageInfo { hasNextPage endCursor } nodes { code "
                           "programCode classLabel } } }", {"college": college})


NEEDS = "needs { competencyCode required attained gap essential met evidence { kind code at } }"
JOB_MATCHES = """
query($code: String!, $college: String) { jobMatches(student: $code, college: $college,
  first: 50) { totalCount edges { cursor node { rank essentialMet essentialMissing coverage
  jobRole { code } NEEDS } } } }""".replace("NEEDS", NEEDS)
CANDIDATES = """
query($job: String!, $college: String, $program: String, $classLabel: String, $after: String) {
  candidates(jobRole: $job, college: $college, program: $program, classLabel: $classLabel,
    first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { rank essentialMet essentialMissing coverage student { code }
      needsMet { competencyCode } gaps { competencyCode gap } NEEDS } } } }""".replace(
    "NEEDS", NEEDS)
CANDIDATE_SCOPES = [
    *({"job": job} for job in ("JOB-IT-02", "JOB-MFG-01", "JOB-HLTH-01")),
    *({"job": "JOB-IT-02", "college": college} for college in COLLEGES),
    {"job": "JOB-IT-01", "college": "COL-DEMO-GZ", "program": "P-AI-GZ"},
    {"job": "JOB-IT-01", "college": "COL-DEMO-ZZ",
     "classLabel": STUDENTS.rows["students"][2]["classLabel"]},
]


@pytest.mark.parametrize("row", STUDENTS.rows["students"][:6], ids=lambda row: row["code"])
async def test_job_matches_match(twins: Twins, row: dict[str, Any]) -> None:
    answer = await _both(twins, JOB_MATCHES, {"code": row["code"], "college": row["college"]})
    assert answer["jobMatches"]["totalCount"] > 0


@pytest.mark.parametrize("scope", CANDIDATE_SCOPES, ids=repr)
async def test_candidates_match_page_by_page(twins: Twins, scope: dict[str, str]) -> None:
    after, ranked = None, 0
    while True:
        page = (await _both(twins, CANDIDATES, {**scope, "after": after}))["candidates"]
        ranked += len(page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert ranked == page["totalCount"]
    assert ranked > 0 or "classLabel" in scope  # a small class may hold no candidate


PROGRAM_REPORT = """
query($code: String!) { programReport(code: $code) {
  program { code } framework findingCount
  coverage { ...finding } order { ...finding } assessment { ...finding }
  balance { totalCredits requiredCredits electiveCredits requiredShare
            byLayer { key credits courses } bySemester { key credits courses } } } }
fragment finding on ProgramFinding {
  check kind message competencyCode courseCode relatedCode semester relatedSemester
  target { value } reached { value } }"""
PATHWAY = """
query($programs: [String!]!) { pathwayReport(programs: $programs) {
  framework programs { code levelCode }
  steps { fromProgram { code } toProgram { code }
          gaps { kind competencyCode relatedCode target { value } reached { value } message }
          repetitions { kind competencyCode courseCode target { value } reached { value } } } } }"""


async def test_program_and_pathway_reports_match(twins: Twins) -> None:
    programs = sorted({row["program"] for row in STUDENTS.rows["students"]})
    for code in programs:
        await _both(twins, PROGRAM_REPORT, {"code": code}, DESIGNER)
    for major in ("AI", "MFG", "NUR"):
        await _both(twins, PATHWAY, {"programs": [f"P-{major}-{level}"
                                                  for level in ("ZZ", "GZ", "BK")]}, DESIGNER)


OLD, NEW = "AIL@2025.1", "AIL@2026.1"
EDITS = [
    ("mutation { createFrameworkVersion(from: \"AIL@2025.1\", version: \"2026.1\") "
     "{ errors { code } framework { id status } } }", None),
    ("mutation($input: [CompetencyInput!]!) { upsertCompetencies(framework: \"AIL@2026.1\", "
     "input: $input) { errors { code message } codes } }",
     {"input": [
         {"code": "GEN-01", "nameEn": "What AI is"},
         {"code": "GEN-02", "requirements": [
             {"level": "ZZ", "proficiency": 2, "descriptorZh": "能说明常见技术的工作方式",
              "descriptorEn": "Explains how common technologies work"},
             {"level": "GZ", "proficiency": 2, "descriptorZh": "描述", "descriptorEn": "d"}]},
         {"code": "GEN-99", "layer": "GEN", "nameZh": "新能力", "nameEn": "New competency",
          "source": "design: added in 2026.1", "requires": ["GEN-01"], "requirements": [
              {"level": "GZ", "proficiency": 2, "descriptorZh": "描述", "descriptorEn": "d"}]}]}),
]
DIFF = """
query($from: ID!, $to: ID!) { frameworkDiff(from: $from, to: $to) {
  from to
  competencies { added removed changed { code changes { field oldValue newValue } } }
  requirements { added removed changed { code changes { field oldValue newValue } } }
  affectedPrograms { code frameworks competencyCodes } } }"""


async def test_a_version_diff_matches(twins: Twins) -> None:
    """Writes (a new draft version): keep it the last test of the module."""
    for document, variables in EDITS:
        await _both(twins, document, variables, DESIGNER)
    diff = await _both(twins, DIFF, {"from": OLD, "to": NEW}, DESIGNER)
    assert diff["frameworkDiff"]["competencies"]["added"] == ["GEN-99"]
    await _both(twins, "{ competencies(framework: \"AIL@2026.1\", first: 100) { totalCount "
                       f"nodes {{ {COMPETENCY} }} }} }}", principal=DESIGNER)
    await _both(twins, PROGRAM_REPORT.replace("programReport(code: $code)",
                                              "programReport(code: $code, "
                                              "framework: \"AIL@2026.1\")"),
                {"code": "P-AI-GZ"}, DESIGNER)
