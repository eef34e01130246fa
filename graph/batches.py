"""What every student batch shares: row checks that collect every problem, the lookups a
batch refers to (read once per framework version), and the outcome's shape.

A batch is validated whole before anything is written (the embedded engine has no
multi-statement transactions), so the writers write nothing while any error remains.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from graph import bounds
from graph.cypher import Cypher
from graph.store import GraphStore, Record

__all__ = ["MAX_BATCH", "BatchOutcome", "EvidenceCatalog", "RowChecks", "RowError",
           "check_size", "open_evidence_batch", "student_in", "student_of", "student_uid"]

MAX_BATCH = 10_000

STUDENTS_BY_UID = Cypher(
    "UNWIND $uids AS uid MATCH (s:Student {uid: uid}) "
    "RETURN uid, s.fw AS fw, s.college AS college, s.program AS program, "
    "s.classLabel AS classLabel, s.noResults AS noResults, s.noStanding AS noStanding"
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


class RowChecks:
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


async def student_of(check: RowChecks, catalog: EvidenceCatalog, index: int,
                      row: Mapping[str, Any], known: dict[str, Record],
                      allowed: set[str] | None) -> Record | None:
    college = check.text(index, row, "college")
    code = check.text(index, row, "student")
    return student_in(check, index, college, code, known, allowed)


def student_in(check: RowChecks, index: int, college: str | None, code: str | None,
               known: dict[str, Record], allowed: set[str] | None) -> Record | None:
    """The row's student among ``known``, from its checked college and code."""
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


async def open_evidence_batch(
        store: GraphStore, rows: Sequence[Mapping[str, Any]], catalog: EvidenceCatalog | None,
) -> tuple[EvidenceCatalog, RowChecks, dict[str, Record]]:
    """What every evidence batch starts with: its size checked, the lookups, its students."""
    check_size(rows)
    catalog = catalog or EvidenceCatalog(store)
    return catalog, RowChecks(rows), await catalog.students(_student_uids(rows))


def check_size(rows: Sequence[Any]) -> None:
    if len(rows) > MAX_BATCH:
        raise ValueError(f"a batch holds at most {MAX_BATCH} rows, got {len(rows)}")
