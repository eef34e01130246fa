"""Enrolment: students (pseudonymous codes) and the program each is enrolled in.

Enrolling writes the Student and its ENROLLED_IN edge, nothing else: targets are read from
the program (``graph.scope``) and attainment exists only where evidence does, so a student
costs the same whatever the size of its program's scope.

A batch is checked first (``check_students``: every problem of every row, or the rows to
write) and then written (``write_students``), so the importer can keep the batches its check
pass made and write them without reading the file again. The write creates the students the
store does not hold yet in one ``CREATE`` with their properties inline (a third of the
engine's work of ``MERGE`` + ``SET`` per property, measured on the bench's 20,000), and only
when some already existed runs the update that moves them between programs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.attainment import refresh_groups
from graph.batches import (
    BatchOutcome,
    EvidenceCatalog,
    RowChecks,
    RowError,
    check_size,
    student_uid,
)
from graph.cypher import Cypher
from graph.store import GraphStore

__all__ = ["CREATE_STUDENTS", "ENROL_STUDENTS", "EnrolOutcome", "StudentBatch",
           "check_students", "record_students", "write_students"]

# A row is a list (a third of a map's text to encode and parse): [uid, code, college,
# program uid, class label, enrolled on]. ``groupKey``: the student's (program, class label)
# group, indexed, so a group's members are one index seek. A new student is counted in its
# own group (``cohortProgram``, ``cohortClass``): it has no earlier group to be taken out of.
# ``noResults`` / ``noStanding``: it has no results, no attainment yet, so its first ones can
# be created outright instead of merged (``graph.learners.CREATE_RESULTS``); every write of
# either clears its flag, and a student without the flag (enrolled before it existed, or
# with evidence) is merged with.
CREATE_STUDENTS = Cypher(
    "UNWIND $rows AS row "
    "MATCH (p:Program {uid: row[3]}) "
    "OPTIONAL MATCH (known:Student {uid: row[0]}) "
    "WITH row, p, known WHERE known IS NULL "
    "CREATE (s:Student {uid: row[0], code: row[1], college: row[2], program: row[3], "
    "programCode: p.code, fw: p.fw, level: p.level, major: p.major, classLabel: row[4], "
    "enrolledOn: row[5], groupKey: row[3] + '|' + coalesce(row[4], ''), "
    "cohortProgram: row[3], cohortClass: row[4], noResults: true, noStanding: true})"
    "-[:ENROLLED_IN]->(p) "
    "RETURN count(s) AS created"
)
# Students that exist: updated in place, moved to their new program. Returns how many rows
# were written and the groups the students were last counted in where that is not their own
# (they moved, now or in an earlier write whose refresh did not finish): those groups must be
# rebuilt too.
ENROL_STUDENTS = Cypher(
    "UNWIND $rows AS row "
    "MATCH (p:Program {uid: row[3]}) "
    "MERGE (s:Student {uid: row[0]}) "
    "ON CREATE SET s.cohortProgram = row[3], s.cohortClass = row[4], s.noResults = true, "
    "s.noStanding = true "
    "SET s.code = row[1], s.college = row[2], s.program = row[3], "
    "s.programCode = p.code, s.fw = p.fw, s.level = p.level, s.major = p.major, "
    "s.classLabel = row[4], s.enrolledOn = row[5], "
    "s.groupKey = row[3] + '|' + coalesce(row[4], '') "
    "WITH s, p "
    "OPTIONAL MATCH (s)-[old:ENROLLED_IN]->(other:Program) WHERE other.uid <> p.uid "
    "DELETE old "
    "WITH DISTINCT s, p "
    "MERGE (s)-[:ENROLLED_IN]->(p) "
    "RETURN count(s) AS written, collect(DISTINCT CASE WHEN s.cohortProgram IS NOT NULL AND "
    "(s.cohortProgram <> s.program OR coalesce(s.cohortClass, '') <> "
    "coalesce(s.classLabel, '')) THEN [s.cohortProgram, coalesce(s.cohortClass, '')] END) "
    "AS moved"
)


@dataclass
class StudentBatch:
    """A batch of students checked and ready to write (``CREATE_STUDENTS`` rows), or the
    problems of its rows. Plain lists, so the importer can keep it between its passes."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class EnrolOutcome(BatchOutcome):
    """``groups``: the (program, class label) groups the write touched, the students' own and
    the ones they were last counted in, whose cohort figures are to be rebuilt."""

    groups: set[tuple[str, str]] = field(default_factory=set)


async def check_students(store: GraphStore, rows: Sequence[Mapping[str, Any]], fw: str, *,
                         allowed_colleges: set[str] | None = None,
                         catalog: EvidenceCatalog | None = None) -> StudentBatch:
    """Validate students (code, college, program, classLabel, enrolledOn) without writing."""
    check_size(rows)
    catalog = catalog or EvidenceCatalog(store)
    check = RowChecks(rows)
    colleges = await catalog.colleges()
    programs = await catalog.items("program", fw)
    clean: list[tuple[Any, ...]] = []
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
        clean.append((student_uid(college, code), code, college, program.uid, class_label,
                      enrolled))
    if check.errors:
        return StudentBatch(errors=check.errors)
    return StudentBatch(clean)


async def write_students(store: GraphStore, batch: StudentBatch, *,
                         defer_summaries: bool = False) -> EnrolOutcome:
    """Write a checked batch: the new students created, the known ones updated. A row whose
    program is gone since the check is not written, and is counted out of ``written``.

    ``defer_summaries``: a bulk import rebuilds the ``groups`` of all its batches once at the
    end (a group's students arrive over many batches)."""
    if not batch.rows:
        return EnrolOutcome()
    [created] = await store.write(CREATE_STUDENTS, {"rows": batch.rows})
    written = int(created["created"])
    groups = {(row[3], row[4] or "") for row in batch.rows}
    if written < len(batch.rows):  # some existed (or lost their program): update them
        [summary] = await store.write(ENROL_STUDENTS, {"rows": batch.rows})
        written = int(summary["written"])
        groups |= {(program, label) for program, label in summary["moved"] or []}
    if not defer_summaries:  # nothing per student to derive: the program holds the targets
        await refresh_groups(store, groups)
    return EnrolOutcome(written=written, groups=groups)


async def record_students(store: GraphStore, rows: Sequence[Mapping[str, Any]], fw: str, *,
                          allowed_colleges: set[str] | None = None,
                          catalog: EvidenceCatalog | None = None,
                          dry_run: bool = False,
                          defer_summaries: bool = False) -> BatchOutcome:
    """Create or update students (code, college, program, classLabel, enrolledOn).

    Names and ID numbers are neither needed nor stored: ``code`` is a pseudonym.
    """
    batch = await check_students(store, rows, fw, allowed_colleges=allowed_colleges,
                                 catalog=catalog)
    if batch.errors:
        return BatchOutcome(errors=batch.errors)
    if dry_run:  # validated only: the importer checks a whole file before writing any of it
        return BatchOutcome()
    return await write_students(store, batch, defer_summaries=defer_summaries)
