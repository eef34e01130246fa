"""The learner data model (schema version 3): targets live on the program, attainment only
where evidence is, a cohort group's figures on its Cohort node — and the migration that
converts a version-2 store (a STANDS edge per target, summaries on students, TALLY edges)."""

from __future__ import annotations

import asyncio
from typing import Any

from graph import analytics, learners
from graph.cypher import Cypher
from graph.embedded import EmbeddedStore
from graph.ids import element_uid
from graph.migrations import SCHEMA_VERSION, current_version, migrate
from seed import load_seed
from tests.learner_data import COLLEGE, FW, GZ_ASSESSMENTS, result, student

COUNT_STANDING = Cypher(
    "MATCH (:Student)-[a:STANDS]->(:Competency) "
    "RETURN count(a) AS edges, sum(CASE WHEN a.evidenceKind IS NULL THEN 1 ELSE 0 END) AS bare, "
    "sum(CASE WHEN a.required IS NULL THEN 0 ELSE 1 END) AS withTargets"
)
STANDING_KEYS = Cypher(
    "MATCH (:Student)-[a:STANDS]->(:Competency) UNWIND keys(a) AS key "
    "RETURN collect(DISTINCT key) AS keys"
)
STUDENT_KEYS = Cypher(
    "MATCH (s:Student) UNWIND keys(s) AS key RETURN collect(DISTINCT key) AS keys"
)
LEFTOVERS = Cypher(
    "OPTIONAL MATCH (:Cohort)-[t:TALLY]->() WITH count(t) AS tallies "
    "OPTIONAL MATCH (s:Student) WHERE s.reqGEN IS NOT NULL "
    "WITH tallies, count(s) AS summaries "
    "OPTIONAL MATCH (p:Program) WHERE p.scope IS NULL "
    "RETURN tallies, summaries, count(p) AS unscoped"
)
# What version 2 stored, written here by hand as its code did.
V2_STANDING = Cypher(
    "MATCH (s:Student)-[:ENROLLED_IN]->(p:Program)-[sc:IN_SCOPE]->(c:Competency) "
    "OPTIONAL MATCH (p)-[t:TARGETS]->(c) "
    "MERGE (s)-[a:STANDS]->(c) "
    "ON CREATE SET a.attained = 0 "
    "SET a.required = coalesce(t.proficiency, 0), a.reqZZ = sc.reqZZ, a.reqGZ = sc.reqGZ, "
    "a.reqBK = sc.reqBK, a.layer = c.layer, a.eth = 'ETH' IN c.strands, a.inScope = true, "
    "a.tKey = s.program + '|' + s.classLabel, a.tMeet = 0, a.tGap = 1 "
    "RETURN count(a) AS n"
)
V2_SUMMARIES = Cypher(
    "MATCH (s:Student) SET s.placeGEN = 'NONE', s.reqGEN = 10, s.attGEN = 0, s.reqETH = 2, "
    "s.attETH = 0 REMOVE s.groupKey WITH s REMOVE s.cohortClass WITH s REMOVE s.cohortProgram "
    "RETURN count(s) AS n"
)
V2_COHORTS = Cypher(
    "MATCH (k:Cohort) MATCH (c:Competency {uid: $competency}) "
    "MERGE (k)-[t:TALLY]->(c) SET t.students = 99, t.meeting = 1, t.gapTotal = 7 "
    "REMOVE k.students, k.figures, k.rev "
    "RETURN count(t) AS n"
)
V2_PROGRAMS = Cypher("MATCH (p:Program) REMOVE p.scope RETURN count(p) AS n")
V2_VERSION = Cypher("MATCH (s:SchemaInfo {key: 'schema'}) SET s.version = 2 RETURN s.version AS v")


def _comparable(report: analytics.CohortReport) -> dict[str, Any]:
    return {"students": report.students,
            "competencies": sorted((c["code"], c["layer"], c["students"], c["meeting"],
                                    c["gapTotal"]) for c in report.competencies),
            "placement": {k: dict(v) for k, v in report.placement.items() if v},
            "readiness": {k: dict(v) for k, v in report.readiness.items() if v}}


async def _cohort_pair(store: EmbeddedStore) -> tuple[dict[str, Any], dict[str, Any]]:
    served = await analytics.cohort_report(store, college=COLLEGE)
    scanned = await analytics.cohort_report_by_scan(store, college=COLLEGE)
    return _comparable(served), _comparable(scanned)


async def _enrol_with_results(store: EmbeddedStore, codes: list[str]) -> None:
    await load_seed(store)
    rows = [student(code, class_label="A" if i % 2 else "B") for i, code in enumerate(codes)]
    assert (await learners.record_students(store, rows, FW)).ok
    results = [result(code, assessment, (40 + 9 * i) % 101, "2025-01-0" + str(1 + i % 7))
               for i, (code, assessment) in enumerate(
                   (code, assessment) for code in codes for assessment in GZ_ASSESSMENTS[:5])]
    assert (await learners.record_results(store, results)).ok


async def test_enrolment_writes_no_standing_yet_the_report_lists_every_target(
        store: EmbeddedStore) -> None:
    await load_seed(store)
    assert (await learners.record_students(store, [student("M-1")], FW)).ok
    [counts] = await store.read(COUNT_STANDING)
    assert counts["edges"] == 0
    record = await analytics.student_record(store, learners.student_uid(COLLEGE, "M-1"))
    assert record is not None
    report = await analytics.student_report(store, record)
    required = [s for s in report.standings if s.required > 0]
    assert len(required) > 20 and all(s.in_scope and s.gap == s.required for s in required)
    assert {r.dimension for r in report.readiness} >= {"GEN", "PRO", "IND", "ETH"}
    served, scanned = await _cohort_pair(store)
    assert served == scanned and served["students"] == 1


async def test_concurrent_writes_to_one_group_leave_exact_figures(store: EmbeddedStore) -> None:
    """Each write rebuilds the group from a snapshot; the revision guard makes a rebuild from
    a snapshot that another one replaced start again, so the last figures are the latest."""
    await load_seed(store)
    codes = [f"R-{i}" for i in range(8)]
    assert (await learners.record_students(store, [student(c, class_label="A")
                                                   for c in codes], FW)).ok
    outcomes = await asyncio.gather(*(
        learners.record_results(store, [result(code, assessment, 95, "2025-03-01")])
        for code in codes for assessment in GZ_ASSESSMENTS[:3]))
    assert all(outcome.ok for outcome in outcomes)
    served, scanned = await _cohort_pair(store)
    assert served == scanned and served["students"] == 8
    assert any(meeting == 8 for _, _, _, meeting, _ in served["competencies"])


async def test_migration_converts_a_version_2_store(store: EmbeddedStore) -> None:
    codes = [f"V-{i}" for i in range(5)]
    await _enrol_with_results(store, codes)
    uid = learners.student_uid(COLLEGE, codes[1])
    record = await analytics.student_record(store, uid)
    assert record is not None
    before_report = await analytics.student_report(store, record)
    before_cohort, _ = await _cohort_pair(store)

    competency = element_uid(FW, "GEN-01")
    for query, params in ((V2_STANDING, {}), (V2_SUMMARIES, {}),
                          (V2_COHORTS, {"competency": competency}), (V2_PROGRAMS, {}),
                          (V2_VERSION, {})):
        assert (await store.write(query, params))[0]
    [old] = await store.read(COUNT_STANDING)
    assert old["bare"] > 0 and old["withTargets"] > 0

    assert await migrate(store, "2026-02-01T00:00:00+00:00") == SCHEMA_VERSION == 4
    assert await current_version(store) == 4
    [counts] = await store.read(COUNT_STANDING)
    assert counts["bare"] == 0 and counts["withTargets"] == 0 and counts["edges"] > 0
    assert (await store.read(LEFTOVERS))[0] == {"tallies": 0, "summaries": 0, "unscoped": 0}
    [edge_keys] = await store.read(STANDING_KEYS)
    assert set(edge_keys["keys"]) == {"attained", "evidenceKind", "evidenceCode", "evidenceAt"}
    [node_keys] = await store.read(STUDENT_KEYS)
    assert "groupKey" in node_keys["keys"] and not {
        "placeGEN", "reqGEN", "attGEN", "reqETH", "attETH"} & set(node_keys["keys"])
    after_report = await analytics.student_report(store, record)
    assert after_report.standings == before_report.standings
    assert after_report.placement == before_report.placement
    served, scanned = await _cohort_pair(store)
    assert served == scanned == before_cohort
    assert await migrate(store, "2026-02-02T00:00:00+00:00") == 4  # nothing left to convert


SOME_STUDENTS = Cypher(
    "MATCH (s:Student)-[:STANDS]->() RETURN DISTINCT s.uid AS uid, s.code AS code, "
    "s.college AS college ORDER BY uid LIMIT 5"
)
REPORT_QUERY = """
query Report($code: String!, $college: String) {
  student(code: $code, college: $college) {
    code
    standing { competencyCode required attained gap evidence { kind code } }
    readiness { dimension ratio }
    placement { layerCode levelCode }
  }
}
"""


async def test_a_student_report_over_graphql_is_one_store_query(demo_store: EmbeddedStore,
                                                                schema: Any) -> None:
    """The student and its standing come back together; the answer is the report's."""
    from schema import Context, Principal, Role

    admin = Principal(Role.ADMIN, "admin")
    for row in await demo_store.read(SOME_STUDENTS):
        before = demo_store.round_trips
        result = await schema.execute(
            REPORT_QUERY, variable_values={"code": row["code"], "college": row["college"]},
            context_value=Context(demo_store, admin))
        assert result.errors is None and demo_store.round_trips - before == 1
        record = await analytics.student_record(demo_store, row["uid"])
        assert record is not None
        report = await analytics.student_report(demo_store, record)
        answer = result.data["student"]
        assert [(s["competencyCode"], s["required"], s["attained"], s["gap"])
                for s in answer["standing"]] == [
            (s.code, s.required, s.attained, s.gap) for s in report.standings]
        assert {p["layerCode"]: p["levelCode"] for p in answer["placement"]} == {
            layer: level for layer, level in report.placement.items()}
