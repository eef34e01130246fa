"""Students and their evidence: validated batches, idempotent writes, maintained attainment.

Rules (README "The rules"): a result whose score / maxScore reaches the pass ratio (compared
exactly, in decimal: ``passes``) demonstrates, for every competency its assessment MEASURES,
the proficiency of that edge; a certification held demonstrates the proficiency of its
EVIDENCES edge up to the certification cap (supplementary evidence, 004 指引 二(二): above the
cap only the college's own assessment counts), and a certification recorded again keeps its
earliest date. A student's attained
proficiency per competency is the highest demonstrated, kept on the ``STANDS`` edge together
with the evidence that set it (ties: the earliest evidence, then the smaller code), and
raised on ingest, so reads never recompute it from every result.

A batch is validated whole before anything is written (the embedded engine has no
multi-statement transactions); every write is idempotent, so a re-run after a crash or a
kill completes the work without duplicates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from graph import bounds
from graph.analytics import refresh_summaries
from graph.cypher import Cypher
from graph.evidence import DEFAULT_CERTIFICATION_CAP, counted_proficiency, earliest, passes
from graph.programs import refresh_standing
from graph.store import GraphStore, Record

__all__ = [
    "DEFAULT_CERTIFICATION_CAP", "MAX_BATCH", "BatchOutcome", "EvidenceCatalog", "RowError",
    "passes", "record_certifications", "record_completions", "record_results",
    "record_students", "record_totals", "student_uid",
]

MAX_BATCH = 10_000

STUDENTS_BY_UID = Cypher(
    "UNWIND $uids AS uid MATCH (s:Student {uid: uid}) "
    "RETURN uid, s.fw AS fw, s.college AS college, s.program AS program"
)
COLLEGE_CODES = Cypher("MATCH (c:College) RETURN c.code AS code")
PROGRAMS_OF_FRAMEWORK = Cypher(
    "MATCH (p:Program {fw: $fw}) RETURN p.code AS code, p.uid AS uid, p.college AS college"
)
ASSESSMENTS_OF_FRAMEWORK = Cypher(
    "MATCH (a:Assessment {fw: $fw}) OPTIONAL MATCH (a)-[m:MEASURES]->(c:Competency) "
    "RETURN a.code AS code, a.uid AS uid, a.maxScore AS maxScore, "
    "collect([c.uid, m.proficiency]) AS links"
)
CERTIFICATIONS_OF_FRAMEWORK = Cypher(
    "MATCH (a:Certification {fw: $fw}) OPTIONAL MATCH (a)-[e:EVIDENCES]->(c:Competency) "
    "RETURN a.code AS code, a.uid AS uid, collect([c.uid, e.proficiency]) AS links"
)
COURSES_OF_FRAMEWORK = Cypher("MATCH (c:Course {fw: $fw}) RETURN c.code AS code, c.uid AS uid")

ENROL_STUDENTS = Cypher(
    "UNWIND $rows AS row "
    "MATCH (p:Program {uid: row.program}) "
    "MERGE (s:Student {uid: row.uid}) "
    "SET s.code = row.code, s.college = row.college, s.program = row.program, "
    "s.programCode = p.code, s.fw = p.fw, s.level = p.level, s.major = p.major, "
    "s.classLabel = row.classLabel, s.enrolledOn = row.enrolledOn "
    "WITH s, p "
    "OPTIONAL MATCH (s)-[old:ENROLLED_IN]->(other:Program) WHERE other.uid <> p.uid "
    "DELETE old "
    "WITH DISTINCT s, p "
    "MERGE (s)-[:ENROLLED_IN]->(p) "
    "RETURN count(s) AS written"
)
# Returns each row's pass flag as it was before the write (as text; null for a new
# result), so a correction that flips it makes the student's attainment be re-derived.
# FalkorDB re-evaluates a WITH projection that a later WHERE reads after a SET, so the old
# value is only returned here and compared in Python (tested with corrections).
RECORD_RESULTS = Cypher(
    "UNWIND $rows AS row "
    "MATCH (s:Student {uid: row.student}) "
    "MATCH (a:Assessment {uid: row.assessment}) "
    "MERGE (s)-[r:TOOK {takenAt: row.takenAt}]->(a) "
    "WITH s, r, row, toString(r.passed) AS before "
    "SET r.score = row.score, r.maxScore = row.maxScore, r.ratio = row.ratio, "
    "r.passed = row.passed "
    "RETURN s.uid AS student, before, toString(row.passed) AS now"
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
# Compare-and-set: the candidate wins on a higher proficiency, then earlier evidence, then
# the smaller code, so the outcome does not depend on the order evidence arrives in.
RAISE_ATTAINMENT = Cypher(
    "UNWIND $rows AS row "
    "MATCH (s:Student {uid: row.student}) "
    "MATCH (c:Competency {uid: row.competency}) "
    "MERGE (s)-[a:STANDS]->(c) "
    "ON CREATE SET a.attained = 0, a.required = 0, a.layer = c.layer, "
    "a.eth = 'ETH' IN c.strands, a.inScope = false "
    "WITH a, row, (row.proficiency > a.attained OR (row.proficiency = a.attained AND ("
    "a.evidenceAt IS NULL OR row.at < a.evidenceAt OR (row.at = a.evidenceAt AND ("
    "row.kind + row.code) < (a.evidenceKind + a.evidenceCode))))) AS better "
    "SET a.attained = CASE WHEN better THEN row.proficiency ELSE a.attained END, "
    "a.evidenceKind = CASE WHEN better THEN row.kind ELSE a.evidenceKind END, "
    "a.evidenceCode = CASE WHEN better THEN row.code ELSE a.evidenceCode END, "
    "a.evidenceAt = CASE WHEN better THEN row.at ELSE a.evidenceAt END "
    "RETURN count(a) AS touched"
)
RESET_ATTAINMENT = Cypher(
    "UNWIND $students AS sid MATCH (:Student {uid: sid})-[a:STANDS]->(:Competency) "
    "SET a.attained = 0, a.evidenceKind = null, a.evidenceCode = null, a.evidenceAt = null "
    "RETURN count(a) AS reset"
)
PASSED_EVIDENCE_OF_STUDENTS = Cypher(
    "UNWIND $students AS sid "
    "MATCH (s:Student {uid: sid})-[r:TOOK]->(a:Assessment)-[m:MEASURES]->(c:Competency) "
    "WHERE r.passed "
    "RETURN sid AS student, c.uid AS competency, m.proficiency AS proficiency, "
    "'assessment' AS kind, a.code AS code, r.takenAt AS at "
    "UNION ALL "
    "UNWIND $students AS sid "
    "MATCH (s:Student {uid: sid})-[h:HOLDS]->(e:Certification)-[v:EVIDENCES]->(c:Competency) "
    "RETURN sid AS student, c.uid AS competency, v.proficiency AS proficiency, "
    "'certification' AS kind, e.code AS code, h.heldOn AS at"
)


def student_uid(college: str, code: str) -> str:
    """Student codes are pseudonymous and unique within their college."""
    return f"{college}|{code}"


@dataclass(frozen=True, slots=True)
class RowError:
    index: int  # 0-based position in the batch
    code: str  # stable: MISSING_FIELD, UNKNOWN_STUDENT, SCORE_OUT_OF_RANGE, ...
    message: str
    field: str | None = None
    other: int | None = None  # DUPLICATE_ROW: the 0-based position of the row it repeats


@dataclass
class BatchOutcome:
    written: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Item:
    uid: str
    links: list[tuple[str, int]]
    max_score: int | None = None
    college: str | None = None


class EvidenceCatalog:
    """What a batch refers to, read once per framework version and reused across batches."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._by_fw: dict[tuple[str, str], dict[str, _Item]] = {}
        self._colleges: set[str] | None = None

    async def colleges(self) -> set[str]:
        if self._colleges is None:
            self._colleges = {r["code"] for r in await self._store.read(COLLEGE_CODES)}
        return self._colleges

    async def items(self, kind: str, fw: str) -> dict[str, _Item]:
        key = (kind, fw)
        if key not in self._by_fw:
            query = {"assessment": ASSESSMENTS_OF_FRAMEWORK,
                     "certification": CERTIFICATIONS_OF_FRAMEWORK,
                     "course": COURSES_OF_FRAMEWORK, "program": PROGRAMS_OF_FRAMEWORK}[kind]
            items = {}
            for row in await self._store.read(query, {"fw": fw}):
                links = [(str(c), int(p)) for c, p in row.get("links") or [] if c is not None]
                max_score = row.get("maxScore")
                items[row["code"]] = _Item(row["uid"], links,
                                           int(max_score) if max_score is not None else None,
                                           row.get("college"))
            self._by_fw[key] = items
        return self._by_fw[key]

    async def students(self, uids: Iterable[str]) -> dict[str, Record]:
        wanted = sorted(set(uids))
        found: dict[str, Record] = {}
        for start in range(0, len(wanted), MAX_BATCH):
            rows = await self._store.read(STUDENTS_BY_UID,
                                          {"uids": wanted[start:start + MAX_BATCH]})
            found.update({row["uid"]: row for row in rows})
        return found


class _Rows:
    """Field checks that collect every problem of every row."""

    def __init__(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.rows = rows
        self.errors: list[RowError] = []

    def fail(self, index: int, code: str, message: str, field_name: str | None = None,
             other: int | None = None) -> None:
        self.errors.append(RowError(index, code, message, field_name, other))

    def text(self, index: int, row: Mapping[str, Any], name: str,
             required: bool = True) -> str | None:
        value = row.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(index, "MISSING_FIELD", f"{name} is required", name)
            return None
        text = str(value).strip()
        try:  # the engine dies on over-long keys, and NUL breaks its query text
            bounds.check_text(bounds.KINDS["label"], text)
        except bounds.BoundViolation as exc:
            self.fail(index, exc.code, f"{name}: {exc}", name)
            return None
        return text

    def when(self, index: int, row: Mapping[str, Any], name: str) -> str | None:
        """An ISO date or date-time, returned normalised (dates stay dates)."""
        raw = self.text(index, row, name)
        if raw is None:
            return None
        try:
            if len(raw) == 10:
                return date.fromisoformat(raw).isoformat()
            return datetime.fromisoformat(raw).isoformat()
        except ValueError:
            self.fail(index, "BAD_DATE", f"{name} {raw!r} is not an ISO date (YYYY-MM-DD)", name)
            return None

    def number(self, index: int, row: Mapping[str, Any], name: str,
               required: bool = True) -> float | None:
        value = row.get(name)
        if value is None or value == "":
            if required:
                self.fail(index, "MISSING_FIELD", f"{name} is required", name)
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(index, "NOT_A_NUMBER", f"{name} {value!r} is not a number", name)
            return None
        if not math.isfinite(number):
            self.fail(index, "NOT_A_NUMBER", f"{name} must be finite", name)
            return None
        return number

    def duplicate(self, index: int, key: tuple[Any, ...], seen: dict[tuple[Any, ...], int],
                  what: str) -> bool:
        if key in seen:
            self.fail(index, "DUPLICATE_ROW", f"same {what} as row {seen[key]}",
                      other=seen[key])
            return True
        seen[key] = index
        return False


async def _student_of(check: _Rows, catalog: EvidenceCatalog, index: int,
                      row: Mapping[str, Any], known: dict[str, Record],
                      allowed: set[str] | None) -> Record | None:
    college = check.text(index, row, "college")
    code = check.text(index, row, "student")
    if college is None or code is None:
        return None
    if allowed is not None and college not in allowed:
        check.fail(index, "FORBIDDEN_COLLEGE", f"you may not write records of college {college}",
                   "college")
        return None
    student = known.get(student_uid(college, code))
    if student is None:
        check.fail(index, "UNKNOWN_STUDENT", f"no student {code} at college {college}",
                   "student")
    return student


def _student_uids(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return [student_uid(str(r.get("college", "")).strip(), str(r.get("student", "")).strip())
            for r in rows]


async def _open_evidence_batch(
        store: GraphStore, rows: Sequence[Mapping[str, Any]], catalog: EvidenceCatalog | None,
) -> tuple[EvidenceCatalog, _Rows, dict[str, Record]]:
    """What every evidence batch starts with: its size checked, the lookups, its students."""
    _check_size(rows)
    catalog = catalog or EvidenceCatalog(store)
    return catalog, _Rows(rows), await catalog.students(_student_uids(rows))


def _check_size(rows: Sequence[Any]) -> None:
    if len(rows) > MAX_BATCH:
        raise ValueError(f"a batch holds at most {MAX_BATCH} rows, got {len(rows)}")


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
    _check_size(rows)
    catalog = catalog or EvidenceCatalog(store)
    check = _Rows(rows)
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
    await refresh_standing(store, [row["uid"] for row in clean], summaries=not defer_summaries)
    return BatchOutcome(written=int(rows_written[0]["written"]) if rows_written else 0)


def _better(candidate: tuple[int, str, str, str], current: tuple[int, str, str, str]) -> bool:
    """Higher proficiency wins; then the earlier evidence; then the smaller kind+code."""
    proficiency, at, kind, code = candidate
    best_p, best_at, best_kind, best_code = current
    if proficiency != best_p:
        return proficiency > best_p
    if at != best_at:
        return at < best_at
    return kind + code < best_kind + best_code


def best_evidence(candidates: Iterable[Mapping[str, Any]],
                  certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> list[dict[str, Any]]:
    """The best candidate per (student, competency), as RAISE_ATTAINMENT rows."""
    best: dict[tuple[str, str], tuple[int, str, str, str]] = {}
    for row in candidates:
        key = (row["student"], row["competency"])
        counted = counted_proficiency(str(row["kind"]), int(row["proficiency"]),
                                      certification_cap)
        value = (counted, str(row["at"]), str(row["kind"]), str(row["code"]))
        if key not in best or _better(value, best[key]):
            best[key] = value
    return [{"student": s, "competency": c, "proficiency": p, "at": at, "kind": kind,
             "code": code} for (s, c), (p, at, kind, code) in best.items()]


async def _raise(store: GraphStore, candidates: list[dict[str, Any]],
                 certification_cap: int) -> None:
    rows = best_evidence(candidates, certification_cap)
    for start in range(0, len(rows), MAX_BATCH):
        await store.write(RAISE_ATTAINMENT, {"rows": rows[start:start + MAX_BATCH]})


async def _apply_evidence(store: GraphStore, candidates: list[dict[str, Any]],
                          written: Sequence[Record], defer_summaries: bool,
                          certification_cap: int) -> None:
    """After evidence is stored: raise attainment with the new candidates, re-derive it for
    students whose earlier evidence was changed (a correction can lower it), then refresh
    the summaries and cohort tallies of every student the batch touched."""
    changed = sorted({r["student"] for r in written
                      if r["before"] is not None and r["before"] != r["now"]})
    await _raise(store, candidates, certification_cap)
    await recompute_attainment(store, changed, certification_cap=certification_cap)
    if not defer_summaries:
        await refresh_summaries(store, [row["student"] for row in candidates] + changed)


async def recompute_attainment(store: GraphStore, students: Sequence[str], *,
                               certification_cap: int = DEFAULT_CERTIFICATION_CAP) -> None:
    """Re-derive attainment from all evidence: used when a correction lowered a result."""
    if not students:
        return
    await store.write(RESET_ATTAINMENT, {"students": list(students)})
    evidence = await store.read(PASSED_EVIDENCE_OF_STUDENTS, {"students": list(students)})
    await _raise(store, evidence, certification_cap)


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
    catalog, check, known = await _open_evidence_batch(store, rows, catalog)
    clean: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        student = await _student_of(check, catalog, index, row, known, allowed_colleges)
        code = check.text(index, row, "assessment")
        taken_at = check.when(index, row, "takenAt")
        score = check.number(index, row, "score")
        given_max = check.number(index, row, "maxScore", required=False)
        if student is None or code is None:
            continue
        assessment = (await catalog.items("assessment", student["fw"])).get(code)
        if assessment is None:
            check.fail(index, "UNKNOWN_ASSESSMENT", f"no assessment {code} in {student['fw']}",
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
        if check.duplicate(index, (student["uid"], code, taken_at), seen, "result"):
            continue
        ratio = round(score / max_score, 6)  # kept for display; the decision is exact
        passed = passes(row["score"], row.get("maxScore") if given_max is not None
                        else max_score, pass_ratio)
        clean.append({"student": student["uid"], "assessment": assessment.uid,
                      "takenAt": taken_at, "score": score, "maxScore": max_score,
                      "ratio": ratio, "passed": passed})
        if passed:
            candidates += [{"student": student["uid"], "competency": competency,
                            "proficiency": proficiency, "at": taken_at, "kind": "assessment",
                            "code": code} for competency, proficiency in assessment.links]
    if check.errors:
        return BatchOutcome(errors=check.errors)
    if dry_run:  # validated only: the importer checks a whole file before writing any of it
        return BatchOutcome()
    written = await store.write(RECORD_RESULTS, {"rows": clean})
    await _apply_evidence(store, candidates, written, defer_summaries, certification_cap)
    return BatchOutcome(written=len(clean))


async def record_certifications(store: GraphStore, rows: Sequence[Mapping[str, Any]], *,
                                allowed_colleges: set[str] | None = None,
                                catalog: EvidenceCatalog | None = None,
        dry_run: bool = False, defer_summaries: bool = False,
        certification_cap: int = DEFAULT_CERTIFICATION_CAP,
) -> BatchOutcome:
    """Certifications held (college, student, certification, heldOn). A certificate recorded
    again keeps its earliest date; it counts for at most ``certification_cap``."""
    catalog, check, known = await _open_evidence_batch(store, rows, catalog)
    clean: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        student = await _student_of(check, catalog, index, row, known, allowed_colleges)
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
    written = [{"student": r["student"], "before": r["before"],
                "now": earliest(r["before"], r["given"])}
               for r in stored]
    await _apply_evidence(store, candidates, written, defer_summaries, certification_cap)
    return BatchOutcome(written=len(clean))


async def record_completions(store: GraphStore, rows: Sequence[Mapping[str, Any]], *,
                             allowed_colleges: set[str] | None = None,
                             catalog: EvidenceCatalog | None = None,
        dry_run: bool = False, defer_summaries: bool = False,
) -> BatchOutcome:
    """Course completions (college, student, course, term, grade?). Completions change no
    attainment, so ``defer_summaries`` has nothing to defer here."""
    catalog, check, known = await _open_evidence_batch(store, rows, catalog)
    clean: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        student = await _student_of(check, catalog, index, row, known, allowed_colleges)
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


RECORD_TOTALS = Cypher(
    "MATCH (s:Student) RETURN 'students' AS kind, count(s) AS n "
    "UNION ALL MATCH (:Student)-[r:TOOK]->(:Assessment) RETURN 'results' AS kind, count(r) AS n "
    "UNION ALL MATCH (:Student)-[d:COMPLETED]->(:Course) "
    "RETURN 'completions' AS kind, count(d) AS n "
    "UNION ALL MATCH (:Student)-[h:HOLDS]->(:Certification) "
    "RETURN 'certifications' AS kind, count(h) AS n"
)


async def record_totals(store: GraphStore) -> dict[str, int]:
    """How many students, results, completions and certifications the store holds."""
    return {row["kind"]: int(row["n"]) for row in await store.read(RECORD_TOTALS)}


STUDENT_PAGE = Cypher(
    "MATCH (s:Student {college: $college}) "
    "WHERE ($program IS NULL OR s.program = $program) "
    "AND ($classLabel IS NULL OR s.classLabel = $classLabel) "
    "AND ($after IS NULL OR s.code > $after) "
    "RETURN s {.uid, .code, .college, .program, .programCode, .fw, .level, .major, "
    ".classLabel, .enrolledOn} AS node ORDER BY s.code LIMIT $limit"
)
STUDENT_COUNT = Cypher(
    "MATCH (s:Student {college: $college}) "
    "WHERE ($program IS NULL OR s.program = $program) "
    "AND ($classLabel IS NULL OR s.classLabel = $classLabel) "
    "RETURN count(s) AS total"
)


async def student_page(store: GraphStore, college: str, program: str | None,
                       class_label: str | None, after: str | None, limit: int) -> list[Record]:
    rows = await store.read(STUDENT_PAGE, {"college": college, "program": program,
                                           "classLabel": class_label, "after": after,
                                           "limit": limit})
    return [row["node"] for row in rows]


async def student_count(store: GraphStore, college: str, program: str | None,
                        class_label: str | None) -> int:
    rows = await store.read(STUDENT_COUNT, {"college": college, "program": program,
                                            "classLabel": class_label})
    return int(rows[0]["total"]) if rows else 0
