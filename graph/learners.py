"""Students and their evidence: validated batches, idempotent writes, maintained attainment.

Rules (README "规则 · The rules", graph/evidence.py): a result whose score / maxScore reaches
the pass ratio (compared exactly, in decimal) demonstrates, for every competency its assessment
MEASURES, the proficiency of that edge; a certification held demonstrates the proficiency of
its EVIDENCES edge up to the certification cap (supplementary evidence), and a certification
recorded again keeps its earliest date. A student's attained
proficiency per competency is the highest demonstrated, kept on the ``STANDS`` edge together
with the evidence that set it (ties: the earliest evidence, then the smaller code), and
raised on ingest, so reads never recompute it from every result.

A batch is validated whole before anything is written (the embedded engine has no
multi-statement transactions); every write is idempotent, so a re-run after a crash or a
kill completes the work without duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.attainment import (
    Grouped,
    apply_evidence,
    best_evidence,
    better_evidence,
    grouped_raises,
    recompute_attainment,
)
from graph.batches import (
    MAX_BATCH,
    BatchOutcome,
    EvidenceCatalog,
    RowError,
    open_evidence_batch,
    student_in,
    student_of,
    student_uid,
)
from graph.cypher import Cypher
from graph.enrolment import record_students
from graph.evidence import DEFAULT_CERTIFICATION_CAP, earliest, passes
from graph.roster import record_totals, student_count, student_page
from graph.store import GraphStore, Record

__all__ = [
    "MAX_BATCH", "BatchOutcome", "EvidenceCatalog", "ResultBatch", "RowError", "best_evidence",
    "check_results", "recompute_attainment", "record_certifications", "record_completions",
    "record_results", "record_students", "record_totals", "student_count", "student_page",
    "student_uid", "write_results",
]

# Rows come grouped by student (``attainment.Grouped``): $assessments are [position, uid] of
# the assessments the rows name by position, $students is [[student uid, [[assessment
# position, takenAt, score, maxScore, passed], …]], …] (see RAISE_ATTAINMENT for why,
# and for the ORDER BY). Returns one row: how many were written and the students a correction
# flipped a pass flag of, whose attainment is then re-derived. The flag before the write is
# read into ``before`` ahead of the SET and compared only in the aggregation: FalkorDB
# re-evaluates a projection that a WHERE reads after a SET (tested with corrections on both
# engines).
RECORD_RESULTS = Cypher(
    "UNWIND $assessments AS node "
    "OPTIONAL MATCH (a:Assessment {uid: node[1]}) "
    "WITH node, a ORDER BY node[0] "
    "WITH collect([a]) AS assessments "
    "UNWIND $students AS student "
    "MATCH (s:Student {uid: student[0]}) "
    "UNWIND student[1] AS row "
    "WITH s, row, assessments[row[0]][0] AS a WHERE a IS NOT NULL "
    "MERGE (s)-[r:TOOK {takenAt: row[1]}]->(a) "
    "ON CREATE SET s.noResults = null "
    "WITH s, r, row, toString(r.passed) AS before "
    "SET r.score = row[2], r.maxScore = row[3], r.passed = row[4] "
    "WITH s, before, toString(row[4]) AS now "
    "RETURN count(*) AS written, "
    "[u IN collect(DISTINCT CASE WHEN before <> now THEN s.uid ELSE '' END) WHERE u <> ''] "
    "AS changed"
)
# The first results of students that have none (``noResults``, see graph.enrolment), in the
# RECORD_RESULTS rows: created outright, half the engine's work of a MERGE (the flag is
# cleared after the creates: a SET ahead of them cost as much again). Only where a
# write runs alone (``GraphStore.isolated_writes``), so the flag read is still true when the
# edges are created; a student whose flag is gone by then is left out, and its rows go
# through RECORD_RESULTS (``written`` falls short of the rows sent).
CREATE_RESULTS = Cypher(
    "UNWIND $assessments AS node "
    "OPTIONAL MATCH (a:Assessment {uid: node[1]}) "
    "WITH node, a ORDER BY node[0] "
    "WITH collect([a]) AS assessments "
    "UNWIND $students AS student "
    "MATCH (s:Student {uid: student[0]}) WHERE s.noResults = true "
    "UNWIND student[1] AS row "
    "WITH s, row, assessments[row[0]][0] AS a WHERE a IS NOT NULL "
    "CREATE (s)-[:TOOK {takenAt: row[1], score: row[2], maxScore: row[3], passed: row[4]}]->(a) "
    "WITH s, count(*) AS created "
    "SET s.noResults = null "
    "RETURN sum(created) AS written"
)
RECORD_COMPLETIONS = Cypher(
    "UNWIND $rows AS row "
    "MATCH (s:Student {uid: row.student}) "
    "MATCH (c:Course {uid: row.course}) "
    "MERGE (s)-[d:COMPLETED]->(c) "
    "SET d.term = row.term, d.grade = row.grade "
    "RETURN count(d) AS written"
)
# A certification recorded again keeps the earliest date it was recorded with, whatever the
# order the rows arrive in (the holder held it from then on). Returns each row's date as it
# was before the write (null for a new certificate) and the date given; the date kept is
# worked out from those two in Python (see RECORD_RESULTS on reading back after a SET).
RECORD_CERTIFICATIONS = Cypher(
    "UNWIND $rows AS row "
    "MATCH (s:Student {uid: row.student}) "
    "MATCH (c:Certification {uid: row.certification}) "
    "MERGE (s)-[h:HOLDS]->(c) "
    "WITH s, h, row, toString(h.heldOn) AS before "
    "SET h.heldOn = CASE WHEN h.heldOn IS NULL OR row.heldOn < h.heldOn THEN row.heldOn "
    "ELSE h.heldOn END "
    "RETURN s.uid AS student, before, row.heldOn AS given"
)


@dataclass
class ResultBatch:
    """A batch of results checked and ready to write: the write query's rows and the best
    attainment evidence among them, both grouped by student. Plain lists, so the importer
    can keep the batches its check pass made and write them without reading the file
    again."""

    results: Grouped = field(default_factory=Grouped)
    raises: Grouped = field(default_factory=Grouped)
    errors: list[RowError] = field(default_factory=list)
    # students that had no results / no attainment when checked (see CREATE_RESULTS)
    first_results: list[str] = field(default_factory=list)
    first_standing: list[str] = field(default_factory=list)
    # the (program, class label) group of each of ``first_standing``, in the same order
    first_groups: list[list[str]] = field(default_factory=list)


def _remembered(memo: dict[str, str], check: Callable[[int, Mapping[str, Any], str], str | None],
                index: int, row: Mapping[str, Any], name: str) -> str | None:
    """``check`` of the row's text, remembered by the text when it passed."""
    raw = row.get(name)
    found = memo.get(raw) if type(raw) is str else None
    if found is None:
        found = check(index, row, name)
        if found is not None and type(raw) is str:
            memo[raw] = found
    return found


async def check_results(store: GraphStore, rows: Sequence[Mapping[str, Any]], *,
                        pass_ratio: float = 0.6, allowed_colleges: set[str] | None = None,
                        catalog: EvidenceCatalog | None = None,
                        certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> ResultBatch:
    """Validate assessment results (college, student, assessment, score, maxScore?,
    takenAt) without writing: every problem of every row, or the batch to write.

    The bulk of every import goes through here, so the loop keeps its lookups local and
    remembers what it checked: a file repeats its students (40 rows each), assessment codes,
    dates and scores thousands of times, and each check is a pure function of its text. Only
    what passed is remembered, so a bad value goes through the generic check, and its
    error, every time; the rules are those of the generic checks."""
    catalog, check, known = await open_evidence_batch(store, rows, catalog)
    texts: dict[str, str] = {}
    dates: dict[str, str] = {}
    scored: dict[tuple[Any, Any], bool] = {}  # the pass decision by score and maximum
    students: dict[tuple[Any, Any], Record] = {}
    assessments_of: dict[str, dict[str, Any]] = {}
    seen: dict[tuple[Any, ...], int] = {}
    node_index: dict[str, int] = {}
    by_student: dict[str, list[list[Any]]] = {}
    best: dict[str, dict[str, tuple[int, str, str, str]]] = {}
    first_results: list[str] = []
    first_standing: list[str] = []
    first_groups: list[list[str]] = []
    for index, row in enumerate(rows):
        key = (row.get("college"), row.get("student"))
        student = students.get(key)
        if student is None:
            college = check.text(index, row, "college")
            code = check.text(index, row, "student")
            student = student_in(check, index, college, code, known, allowed_colleges)
            if student is not None:
                students[key] = student
                if student.get("noResults"):
                    first_results.append(student["uid"])
                if student.get("noStanding"):
                    first_standing.append(student["uid"])
                    first_groups.append([student.get("program") or "",
                                         student.get("classLabel") or ""])
        code = _remembered(texts, check.text, index, row, "assessment")
        taken_at = _remembered(dates, check.when, index, row, "takenAt")
        score = check.number(index, row, "score")
        given_max = check.number(index, row, "maxScore", required=False)
        if student is None or code is None:
            continue
        fw = student["fw"]
        items = assessments_of.get(fw)
        if items is None:
            items = assessments_of[fw] = await catalog.items("assessment", fw)
        assessment = items.get(code)
        if assessment is None:
            check.fail(index, "UNKNOWN_ASSESSMENT", f"no assessment {code} in {fw}",
                       "assessment")
            continue
        max_score = given_max if given_max is not None else assessment.max_score
        if max_score is None or max_score <= 0:
            check.fail(index, "BAD_MAX_SCORE", "maxScore must be positive", "maxScore")
            continue
        if score is not None and not 0 <= score <= max_score:
            check.fail(index, "SCORE_OUT_OF_RANGE", f"score {score:g} is outside 0..{max_score:g}",
                       "score")
            continue
        if score is None or taken_at is None:
            continue
        uid = student["uid"]
        if check.duplicate(index, (uid, code, taken_at), seen, "result"):
            continue
        exact = (row["score"], row.get("maxScore") if given_max is not None else max_score)
        passed = scored.get(exact)
        if passed is None:  # exact, in decimal
            passed = scored[exact] = passes(exact[0], exact[1], pass_ratio)
        position = node_index.get(assessment.uid)
        if position is None:
            position = node_index[assessment.uid] = len(node_index)
        taken = by_student.get(uid)
        if taken is None:
            taken = by_student[uid] = []
        taken.append([position, taken_at, score, max_score, passed])
        if passed:
            mine = best.get(uid)
            if mine is None:
                mine = best[uid] = {}
            for competency, proficiency in assessment.links:
                current = mine.get(competency)
                if current is None or proficiency > current[0] or (
                        proficiency == current[0] and better_evidence(
                            (proficiency, taken_at, "assessment", code), current)):
                    mine[competency] = (proficiency, taken_at, "assessment", code)
    if check.errors:
        return ResultBatch(errors=check.errors)
    results = Grouped(list(node_index), [[uid, taken] for uid, taken in by_student.items()])
    return ResultBatch(results, grouped_raises(best), first_results=first_results,
                       first_standing=first_standing, first_groups=first_groups)


async def write_results(store: GraphStore, batch: ResultBatch, *,
                        defer_summaries: bool = False,
                        certification_cap: int = DEFAULT_CERTIFICATION_CAP,
                        earlier: set[str] | None = None,
                        token: str | None = None) -> BatchOutcome:
    """Write a checked batch. A row whose student or assessment is gone since the check is
    not written, and is counted out of ``written``. ``token``: the import whose cohort
    figures count the students it gives their first attainment (graph.cohort_tallies).

    ``earlier``: the students earlier batches of the same import wrote (updated here, before
    the first write): their flags were read before those writes, so they are merged with."""
    if not batch.results.students:
        return BatchOutcome()
    first_results, first_standing = set(), set()
    if getattr(store, "isolated_writes", False):
        first_results = set(batch.first_results)
        first_standing = set(batch.first_standing)
        if earlier:
            first_results -= earlier
            first_standing -= earlier
    if earlier is not None:
        earlier.update(uid for uid, _ in batch.results.students)
    new, known = batch.results.split(first_results)
    written = 0
    changed: list[str] = []
    for part in new.chunks(MAX_BATCH):
        [created] = await store.write(CREATE_RESULTS, part.params("assessments"))
        if int(created["written"]) == part.rows:
            written += part.rows
        else:  # a flag went since the check (another writer): merge them all (idempotent)
            known.students += part.students
    for part in known.chunks(MAX_BATCH):
        [summary] = await store.write(RECORD_RESULTS, part.params("assessments"))
        written += int(summary["written"])
        changed += summary["changed"]
    await apply_evidence(store, batch.raises, changed, defer_summaries, certification_cap,
                         first=first_standing, token=token)
    return BatchOutcome(written=written)


async def record_results(store: GraphStore, rows: Sequence[Mapping[str, Any]], *,
                         pass_ratio: float = 0.6, allowed_colleges: set[str] | None = None,
                         catalog: EvidenceCatalog | None = None,
        dry_run: bool = False, defer_summaries: bool = False,
        certification_cap: int = DEFAULT_CERTIFICATION_CAP,
) -> BatchOutcome:
    """Assessment results (college, student, assessment, score, maxScore?, takenAt).

    A result is identified by (student, assessment, takenAt): recording it again updates it
    in place and never duplicates it.
    """
    batch = await check_results(store, rows, pass_ratio=pass_ratio,
                                allowed_colleges=allowed_colleges, catalog=catalog,
                                certification_cap=certification_cap)
    if batch.errors:
        return BatchOutcome(errors=batch.errors)
    if dry_run:  # validated only: the importer checks a whole file before writing any of it
        return BatchOutcome()
    return await write_results(store, batch, defer_summaries=defer_summaries,
                               certification_cap=certification_cap)


async def record_certifications(store: GraphStore, rows: Sequence[Mapping[str, Any]], *,
                                allowed_colleges: set[str] | None = None,
                                catalog: EvidenceCatalog | None = None,
        dry_run: bool = False, defer_summaries: bool = False,
        certification_cap: int = DEFAULT_CERTIFICATION_CAP,
) -> BatchOutcome:
    """Certifications held (college, student, certification, heldOn). A certificate recorded
    again keeps its earliest date; it counts for at most ``certification_cap``."""
    catalog, check, known = await open_evidence_batch(store, rows, catalog)
    clean: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        student = await student_of(check, catalog, index, row, known, allowed_colleges)
        code = check.text(index, row, "certification")
        held_on = check.when(index, row, "heldOn")
        if student is None or code is None:
            continue
        certification = (await catalog.items("certification", student["fw"])).get(code)
        if certification is None:
            check.fail(index, "UNKNOWN_CERTIFICATION",
                       f"no certification {code} in {student['fw']}", "certification")
            continue
        if held_on is None or check.duplicate(index, (student["uid"], code), seen,
                                              "certification"):
            continue
        clean.append({"student": student["uid"], "certification": certification.uid,
                      "heldOn": held_on})
        candidates += [{"student": student["uid"], "competency": competency,
                        "proficiency": proficiency, "at": held_on, "kind": "certification",
                        "code": code} for competency, proficiency in certification.links]
    if check.errors:
        return BatchOutcome(errors=check.errors)
    if dry_run:  # validated only: the importer checks a whole file before writing any of it
        return BatchOutcome()
    stored = await store.write(RECORD_CERTIFICATIONS, {"rows": clean})
    changed = [r["student"] for r in stored
               if r["before"] is not None and r["before"] != earliest(r["before"], r["given"])]
    await apply_evidence(store, best_evidence(candidates, certification_cap), changed,
                         defer_summaries, certification_cap)
    return BatchOutcome(written=len(clean))


async def record_completions(store: GraphStore, rows: Sequence[Mapping[str, Any]], *,
                             allowed_colleges: set[str] | None = None,
                             catalog: EvidenceCatalog | None = None,
        dry_run: bool = False, defer_summaries: bool = False,
) -> BatchOutcome:
    """Course completions (college, student, course, term, grade?). Completions change no
    attainment, so ``defer_summaries`` has nothing to defer here."""
    catalog, check, known = await open_evidence_batch(store, rows, catalog)
    clean: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        student = await student_of(check, catalog, index, row, known, allowed_colleges)
        code = check.text(index, row, "course")
        term = check.text(index, row, "term")
        grade = check.number(index, row, "grade", required=False)
        if grade is not None and not 0 <= grade <= 100:
            check.fail(index, "GRADE_OUT_OF_RANGE", "grade must be within 0..100", "grade")
        if student is None or code is None:
            continue
        course = (await catalog.items("course", student["fw"])).get(code)
        if course is None:
            check.fail(index, "UNKNOWN_COURSE", f"no course {code} in {student['fw']}", "course")
            continue
        if term is None or check.duplicate(index, (student["uid"], code), seen, "completion"):
            continue
        clean.append({"student": student["uid"], "course": course.uid, "term": term,
                      "grade": grade})
    if check.errors:
        return BatchOutcome(errors=check.errors)
    if dry_run:  # validated only: the importer checks a whole file before writing any of it
        return BatchOutcome()
    await store.write(RECORD_COMPLETIONS, {"rows": clean})
    return BatchOutcome(written=len(clean))
