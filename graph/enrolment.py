"""Enrolment: students (pseudonymous codes) and the program each is enrolled in.

Enrolling writes the Student and its ENROLLED_IN edge, nothing else: targets are read from
the program (``graph.scope``) and attainment exists only where evidence does, so a student
costs the same whatever the size of its program's scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graph.attainment import refresh_summaries
from graph.batches import (
    BatchOutcome,
    EvidenceCatalog,
    RowChecks,
    check_size,
    student_uid,
)
from graph.cypher import Cypher
from graph.store import GraphStore

__all__ = ["ENROL_STUDENTS", "record_students"]

# ``groupKey``: the student's (program, class label) group, indexed, so a group's members are
# one index seek. A new student's group is where it will be counted (``cohortProgram``): it
# has no earlier group to be taken out of, so it needs no mark after the rebuild.
ENROL_STUDENTS = Cypher(
    "UNWIND $rows AS row "
    "MATCH (p:Program {uid: row.program}) "
    "MERGE (s:Student {uid: row.uid}) "
    "ON CREATE SET s.cohortProgram = row.program, s.cohortClass = row.classLabel "
    "SET s.code = row.code, s.college = row.college, s.program = row.program, "
    "s.programCode = p.code, s.fw = p.fw, s.level = p.level, s.major = p.major, "
    "s.classLabel = row.classLabel, s.enrolledOn = row.enrolledOn, "
    "s.groupKey = row.program + '|' + coalesce(row.classLabel, '') "
    "WITH s, p "
    "OPTIONAL MATCH (s)-[old:ENROLLED_IN]->(other:Program) WHERE other.uid <> p.uid "
    "DELETE old "
    "WITH DISTINCT s, p "
    "MERGE (s)-[:ENROLLED_IN]->(p) "
    "RETURN count(s) AS written"
)


async def record_students(store: GraphStore, rows: Sequence[Mapping[str, Any]], fw: str, *,
                          allowed_colleges: set[str] | None = None,
                          catalog: EvidenceCatalog | None = None,
                          dry_run: bool = False,
                defer_summaries: bool = False) -> BatchOutcome:
    """Create or update students (code, college, program, classLabel, enrolledOn).

    ``defer_summaries``: a bulk import skips the per-batch summary refresh and calls
    ``analytics.refresh_summaries`` once for all its students at the end (each student is
    then summarised once, not once per batch it appears in).

    Names and ID numbers are neither needed nor stored: ``code`` is a pseudonym.
    """
    check_size(rows)
    catalog = catalog or EvidenceCatalog(store)
    check = RowChecks(rows)
    colleges = await catalog.colleges()
    programs = await catalog.items("program", fw)
    clean: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        code = check.text(index, row, "code")
        college = check.text(index, row, "college")
        program_code = check.text(index, row, "program")
        class_label = check.text(index, row, "classLabel", required=False)
        enrolled = check.when(index, row, "enrolledOn")
        if college is not None and college not in colleges:
            check.fail(index, "UNKNOWN_COLLEGE", f"no college {college}", "college")
            continue
        if college is not None and allowed_colleges is not None and (
                college not in allowed_colleges):
            check.fail(index, "FORBIDDEN_COLLEGE",
                       f"you may not write records of college {college}", "college")
            continue
        program = programs.get(program_code or "")
        if program_code is not None and program is None:
            check.fail(index, "UNKNOWN_PROGRAM", f"no program {program_code} in {fw}", "program")
        elif program is not None and college is not None and program.college != college:
            check.fail(index, "PROGRAM_OF_OTHER_COLLEGE",
                       f"program {program_code} belongs to college {program.college}", "program")
        if code is None or college is None or program is None or enrolled is None:
            continue
        if check.duplicate(index, (college, code), seen, "student"):
            continue
        clean.append({"uid": student_uid(college, code), "code": code, "college": college,
                      "program": program.uid, "classLabel": class_label,
                      "enrolledOn": enrolled})
    if check.errors:
        return BatchOutcome(errors=check.errors)
    if dry_run:  # validated only: the importer checks a whole file before writing any of it
        return BatchOutcome()
    rows_written = await store.write(ENROL_STUDENTS, {"rows": clean})
    if not defer_summaries:  # nothing per student to derive: the program holds the targets
        await refresh_summaries(store, [row["uid"] for row in clean])
    return BatchOutcome(written=int(rows_written[0]["written"]) if rows_written else 0)
