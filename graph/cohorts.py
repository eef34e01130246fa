"""Cohorts: a college's, a program's or everyone's standing, from maintained summaries.

A ``Cohort`` node per (program, class label) group holds the group's figures, rebuilt whole by
``graph.attainment`` after every write that touches the group: head count, per required
competency how many meet it and the total gap, placement counts per layer and readiness buckets
per dimension (one JSON text, ``figures``). A cohort is any union of groups (a college, a
program, a class label), so a report reads one row per group (~1,300 for the bench's 20,000
students) and sums them here, never a pass over the students.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from graph.cypher import Cypher
from graph.standing import DIMENSIONS, LAYERS, PLACES
from graph.store import GraphStore, Record

__all__ = ["CohortReport", "cohort_report", "cohort_report_by_scan"]


# The reference: a cohort aggregated from every (student, in-scope competency) pair, reading
# targets from the program's TARGETS and IN_SCOPE edges and attainment from STANDS. Too slow
# to serve a province, it is what the maintained Cohort nodes must always equal.
_PER_TARGET = (
    "MATCH (s)-[:ENROLLED_IN]->(p:Program)-[sc:IN_SCOPE]->(c:Competency) "
    "OPTIONAL MATCH (p)-[t:TARGETS]->(c) "
    "OPTIONAL MATCH (s)-[a:STANDS]->(c) "
    "WITH s, c, sc, coalesce(t.proficiency, 0) AS required, coalesce(a.attained, 0) AS attained "
)
_COHORT_BODY = (
    _PER_TARGET + "WHERE required > 0 "
    "WITH c, count(*) AS students, "
    "sum(CASE WHEN attained >= required THEN 1 ELSE 0 END) AS meeting, "
    "sum(required - CASE WHEN attained < required THEN attained ELSE required END) "
    "AS gapTotal "
    "RETURN 'competency' AS kind, c.code AS key, c.layer AS dimension, students AS n, "
    "meeting AS m, gapTotal AS g "
    "UNION ALL {scope} " + _PER_TARGET +
    "WITH s, c.layer AS layer, "
    "sum(CASE WHEN sc.reqZZ IS NULL THEN 0 ELSE 1 END) AS nZZ, "
    "sum(CASE WHEN sc.reqZZ IS NOT NULL AND attained >= sc.reqZZ THEN 1 ELSE 0 END) AS okZZ, "
    "sum(CASE WHEN sc.reqGZ IS NULL THEN 0 ELSE 1 END) AS nGZ, "
    "sum(CASE WHEN sc.reqGZ IS NOT NULL AND attained >= sc.reqGZ THEN 1 ELSE 0 END) AS okGZ, "
    "sum(CASE WHEN sc.reqBK IS NULL THEN 0 ELSE 1 END) AS nBK, "
    "sum(CASE WHEN sc.reqBK IS NOT NULL AND attained >= sc.reqBK THEN 1 ELSE 0 END) AS okBK "
    "WITH layer, CASE WHEN nBK > 0 AND okBK = nBK THEN 'BK' "
    "WHEN nGZ > 0 AND okGZ = nGZ THEN 'GZ' WHEN nZZ > 0 AND okZZ = nZZ THEN 'ZZ' "
    "ELSE 'NONE' END AS placed "
    "RETURN 'placement' AS kind, placed AS key, layer AS dimension, count(*) AS n, 0 AS m, "
    "0 AS g "
    "UNION ALL {scope} " + _PER_TARGET + "WHERE required > 0 "
    "UNWIND (CASE WHEN 'ETH' IN c.strands THEN [c.layer, 'ETH'] ELSE [c.layer] END) "
    "AS dimension "
    "WITH s, dimension, sum(required) AS required, "
    "sum(CASE WHEN attained < required THEN attained ELSE required END) AS attained "
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

# What is served: the Cohort nodes of the (program, class label) groups in the cohort, one row
# each (graph.attainment rebuilds them), summed here.
_GROUP_FIELDS = (
    "RETURN k.students AS students, k.figures AS figures"
)
COHORT_OF_COLLEGE = Cypher(
    "MATCH (k:Cohort {college: $college}) "
    "WHERE ($program IS NULL OR k.program = $program) "
    "AND ($classLabel IS NULL OR k.classLabel = $classLabel) " + _GROUP_FIELDS
)
COHORT_OF_PROGRAM = Cypher(
    "MATCH (k:Cohort {program: $program}) "
    "WHERE ($classLabel IS NULL OR k.classLabel = $classLabel) " + _GROUP_FIELDS
)
COHORT_OF_ALL = Cypher(
    "MATCH (k:Cohort) WHERE ($classLabel IS NULL OR k.classLabel = $classLabel) "
    + _GROUP_FIELDS
)


@dataclass
class CohortReport:
    students: int
    competencies: list[Record]  # code, layer, students, meeting, gapTotal
    placement: dict[str, dict[str, int]]  # layer -> placed level ('NONE') -> students
    readiness: dict[str, dict[int, int]]  # dimension -> bucket 0..5 -> students


async def cohort_report(store: GraphStore, *, college: str | None = None,
                        program: str | None = None,
                        class_label: str | None = None) -> CohortReport:
    """One store query over the maintained groups (a row per group), never a loop over the
    students."""
    params = {"college": college, "program": program, "classLabel": class_label}
    query = (COHORT_OF_COLLEGE if college is not None else
             COHORT_OF_PROGRAM if program is not None else COHORT_OF_ALL)
    students = 0
    placement = [0] * (len(LAYERS) * len(PLACES))
    readiness = [0] * (len(DIMENSIONS) * 6)
    # groups of one program share its required competencies: sum their vectors per list
    sums: dict[tuple[str, str], list[list[int]]] = {}
    for row in await store.read(query, params):
        n = int(row["students"] or 0)
        if n == 0 or not row["figures"]:
            continue
        figures = json.loads(row["figures"])
        students += n
        placement = [a + b for a, b in zip(placement, figures["placement"], strict=True)]
        readiness = [a + b for a, b in zip(readiness, figures["readiness"], strict=True)]
        key = (figures["codes"], figures["layers"])
        meeting, gaps = figures["meeting"], figures["gapTotal"]
        found = sums.get(key)
        if found is None:
            sums[key] = [[n] * len(meeting), list(meeting), list(gaps)]
        else:
            found[0] = [a + n for a in found[0]]
            found[1] = [a + b for a, b in zip(found[1], meeting, strict=True)]
            found[2] = [a + b for a, b in zip(found[2], gaps, strict=True)]
    competencies: dict[str, list[Any]] = {}
    for (codes, layers), (counts, meeting, gaps) in sums.items():
        for code, layer, n, met, gap in zip(codes.split(), layers.split(), counts, meeting,
                                            gaps, strict=True):
            tally = competencies.setdefault(code, [layer, 0, 0, 0])
            tally[1] += n
            tally[2] += met
            tally[3] += gap
    report = CohortReport(
        students=students,
        competencies=[{"code": code, "layer": t[0], "students": t[1], "meeting": t[2],
                       "gapTotal": t[3]} for code, t in sorted(competencies.items())],
        placement=defaultdict(dict), readiness=defaultdict(dict))
    for i, count in enumerate(placement):
        if count:
            at_layer, place = divmod(i, len(PLACES))
            report.placement[LAYERS[at_layer]][PLACES[place]] = count
    for i, count in enumerate(readiness):
        if count:
            dimension, bucket = divmod(i, 6)
            report.readiness[DIMENSIONS[dimension]][bucket] = count
    return report


async def cohort_report_by_scan(store: GraphStore, *, college: str | None = None,
                                program: str | None = None,
                                class_label: str | None = None) -> CohortReport:
    """The same report aggregated from every (student, in-scope competency): the reference
    ``cohort_report`` must equal (tests and audits); too slow to serve a province."""
    params = {"college": college, "program": program, "classLabel": class_label}
    if college is not None:
        rows = await store.read(COHORT_SCAN_OF_COLLEGE, params)
    elif program is not None:
        rows = await store.read(COHORT_SCAN_OF_PROGRAM, params)
    else:
        rows = await store.read(COHORT_SCAN_OF_ALL, params)
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
