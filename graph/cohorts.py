"""Cohorts: a college's, a program's or everyone's standing, from maintained summaries.

A ``Cohort`` node per (program, class label) holds ``TALLY`` edges per competency (how many of
its students the program asks for it, how many meet it, their total gap); each Student node
holds its placement per layer and readiness sums per dimension. So a cohort is one aggregation
over summaries, never a pass over every (student, competency); ``graph.attainment`` keeps them.
Measured on 20,000 students (bench/): the cohort of everyone fell from seconds (an aggregation
over ~1.8 million edges) to a read of 20,000 nodes and the tallies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from graph.cypher import Cypher
from graph.store import GraphStore, Record

__all__ = ["CohortReport", "cohort_report", "cohort_report_by_scan"]

# The reference: a cohort aggregated from every STANDS edge of its students. Too slow to serve
# (seconds for a province), it is what the maintained summaries must always equal.
_COHORT_BODY = (
    "MATCH (s)-[a:STANDS]->(c:Competency) WHERE a.required > 0 "
    "WITH c, count(a) AS students, "
    "sum(CASE WHEN a.attained >= a.required THEN 1 ELSE 0 END) AS meeting, "
    "sum(a.required - CASE WHEN a.attained < a.required THEN a.attained ELSE a.required END) "
    "AS gapTotal "
    "RETURN 'competency' AS kind, c.code AS key, c.layer AS dimension, students AS n, "
    "meeting AS m, gapTotal AS g "
    "UNION ALL {scope} "
    "MATCH (s)-[a:STANDS]->(:Competency) WHERE a.inScope "
    "WITH s, a.layer AS layer, "
    "sum(CASE WHEN a.reqZZ IS NULL THEN 0 ELSE 1 END) AS nZZ, "
    "sum(CASE WHEN a.reqZZ IS NOT NULL AND a.attained >= a.reqZZ THEN 1 ELSE 0 END) AS okZZ, "
    "sum(CASE WHEN a.reqGZ IS NULL THEN 0 ELSE 1 END) AS nGZ, "
    "sum(CASE WHEN a.reqGZ IS NOT NULL AND a.attained >= a.reqGZ THEN 1 ELSE 0 END) AS okGZ, "
    "sum(CASE WHEN a.reqBK IS NULL THEN 0 ELSE 1 END) AS nBK, "
    "sum(CASE WHEN a.reqBK IS NOT NULL AND a.attained >= a.reqBK THEN 1 ELSE 0 END) AS okBK "
    "WITH layer, CASE WHEN nBK > 0 AND okBK = nBK THEN 'BK' "
    "WHEN nGZ > 0 AND okGZ = nGZ THEN 'GZ' WHEN nZZ > 0 AND okZZ = nZZ THEN 'ZZ' "
    "ELSE 'NONE' END AS placed "
    "RETURN 'placement' AS kind, placed AS key, layer AS dimension, count(*) AS n, 0 AS m, "
    "0 AS g "
    "UNION ALL {scope} "
    "MATCH (s)-[a:STANDS]->(:Competency) WHERE a.required > 0 "
    "UNWIND (CASE WHEN a.eth THEN [a.layer, 'ETH'] ELSE [a.layer] END) AS dimension "
    "WITH s, dimension, sum(a.required) AS required, "
    "sum(CASE WHEN a.attained < a.required THEN a.attained ELSE a.required END) AS attained "
    "WITH dimension, CASE WHEN attained >= required THEN 5 "
    "ELSE toInteger(floor(5.0 * attained / required)) END AS bucket "
    "RETURN 'readiness' AS kind, toString(bucket) AS key, dimension, count(*) AS n, 0 AS m, "
    "0 AS g "
    "UNION ALL {scope} "
    "RETURN 'students' AS kind, '' AS key, '' AS dimension, count(s) AS n, 0 AS m, 0 AS g"
)
_COLLEGE_SCOPE = (
    "MATCH (s:Student {college: $college}) "
    "WHERE ($program IS NULL OR s.program = $program) "
    "AND ($classLabel IS NULL OR s.classLabel = $classLabel) "
)
_PROGRAM_SCOPE = (
    "MATCH (s:Student {program: $program}) "
    "WHERE ($classLabel IS NULL OR s.classLabel = $classLabel) "
)
_ALL_SCOPE = "MATCH (s:Student) WHERE ($classLabel IS NULL OR s.classLabel = $classLabel) "
COHORT_SCAN_OF_COLLEGE = Cypher(
    _COLLEGE_SCOPE + _COHORT_BODY.replace("{scope}", _COLLEGE_SCOPE))
COHORT_SCAN_OF_PROGRAM = Cypher(
    _PROGRAM_SCOPE + _COHORT_BODY.replace("{scope}", _PROGRAM_SCOPE))
COHORT_SCAN_OF_ALL = Cypher(_ALL_SCOPE + _COHORT_BODY.replace("{scope}", _ALL_SCOPE))

# What is served: competency shares from the tallies of the cohort's (program, class) groups,
# placement and readiness from the students' summary properties, and the head count.
_SUMMARY_BODY = (
    "MATCH (k)-[t:TALLY]->(c:Competency) "
    "WITH c, sum(t.students) AS students, sum(t.meeting) AS meeting, "
    "sum(t.gapTotal) AS gapTotal WHERE students > 0 "
    "RETURN 'competency' AS kind, c.code AS key, c.layer AS dimension, students AS n, "
    "meeting AS m, gapTotal AS g "
    "UNION ALL {students} "
    "UNWIND [['GEN', s.placeGEN], ['PRO', s.placePRO], ['IND', s.placeIND]] AS placed "
    "WITH placed WHERE placed[1] IS NOT NULL "
    "RETURN 'placement' AS kind, placed[1] AS key, placed[0] AS dimension, count(*) AS n, "
    "0 AS m, 0 AS g "
    "UNION ALL {students} "
    "UNWIND [['GEN', s.reqGEN, s.attGEN], ['PRO', s.reqPRO, s.attPRO], "
    "['IND', s.reqIND, s.attIND], ['ETH', s.reqETH, s.attETH]] AS ready "
    "WITH ready WHERE ready[1] > 0 "
    "WITH ready[0] AS dimension, CASE WHEN ready[2] >= ready[1] THEN 5 "
    "ELSE toInteger(floor(5.0 * ready[2] / ready[1])) END AS bucket "
    "RETURN 'readiness' AS kind, toString(bucket) AS key, dimension, count(*) AS n, 0 AS m, "
    "0 AS g "
    "UNION ALL {students} "
    "RETURN 'students' AS kind, '' AS key, '' AS dimension, count(s) AS n, 0 AS m, 0 AS g"
)
_COLLEGE_GROUPS = (
    "MATCH (k:Cohort {college: $college}) "
    "WHERE ($program IS NULL OR k.program = $program) "
    "AND ($classLabel IS NULL OR k.classLabel = $classLabel) "
)
_PROGRAM_GROUPS = (
    "MATCH (k:Cohort {program: $program}) "
    "WHERE ($classLabel IS NULL OR k.classLabel = $classLabel) "
)
_ALL_GROUPS = "MATCH (k:Cohort) WHERE ($classLabel IS NULL OR k.classLabel = $classLabel) "
COHORT_OF_COLLEGE = Cypher(_COLLEGE_GROUPS + _SUMMARY_BODY.replace("{students}", _COLLEGE_SCOPE))
COHORT_OF_PROGRAM = Cypher(_PROGRAM_GROUPS + _SUMMARY_BODY.replace("{students}", _PROGRAM_SCOPE))
COHORT_OF_ALL = Cypher(_ALL_GROUPS + _SUMMARY_BODY.replace("{students}", _ALL_SCOPE))


@dataclass
class CohortReport:
    students: int
    competencies: list[Record]  # code, layer, students, meeting, gapTotal
    placement: dict[str, dict[str, int]]  # layer -> placed level ('NONE') -> students
    readiness: dict[str, dict[int, int]]  # dimension -> bucket 0..5 -> students


async def cohort_report(store: GraphStore, *, college: str | None = None,
                        program: str | None = None,
                        class_label: str | None = None) -> CohortReport:
    """One store query over the maintained summaries, never a loop over the students."""
    return await _cohort(store, (COHORT_OF_COLLEGE, COHORT_OF_PROGRAM, COHORT_OF_ALL),
                         college, program, class_label)


async def cohort_report_by_scan(store: GraphStore, *, college: str | None = None,
                                program: str | None = None,
                                class_label: str | None = None) -> CohortReport:
    """The same report aggregated from every STANDS edge: the reference ``cohort_report``
    must equal (tests and audits); too slow to serve a province."""
    return await _cohort(store, (COHORT_SCAN_OF_COLLEGE, COHORT_SCAN_OF_PROGRAM,
                                 COHORT_SCAN_OF_ALL), college, program, class_label)


async def _cohort(store: GraphStore, queries: tuple[Cypher, Cypher, Cypher],
                  college: str | None, program: str | None,
                  class_label: str | None) -> CohortReport:
    params = {"college": college, "program": program, "classLabel": class_label}
    of_college, of_program, of_all = queries
    if college is not None:
        rows = await store.read(of_college, params)
    elif program is not None:
        rows = await store.read(of_program, params)
    else:
        rows = await store.read(of_all, params)
    report = CohortReport(students=0, competencies=[], placement=defaultdict(dict),
                          readiness=defaultdict(dict))
    for row in rows:
        kind, count = row["kind"], int(row["n"])
        if kind == "students":
            report.students = count
        elif kind == "competency":
            report.competencies.append({"code": row["key"], "layer": row["dimension"],
                                        "students": count, "meeting": int(row["m"]),
                                        "gapTotal": int(row["g"])})
        elif kind == "placement":
            report.placement[row["dimension"]][row["key"]] = count
        elif kind == "readiness":
            report.readiness[row["dimension"]][int(row["key"])] = count
    report.competencies.sort(key=lambda r: r["code"])
    return report
