"""Teachers (教师) and their evidence, with the same tenancy as students.

A ``(:Teacher)`` is a pseudonymous code within a college (工号 or any code the college picks;
no names), the subjects it teaches (free text, e.g. 人工智能技术应用) and the course codes it
teaches. Course codes are stable across framework versions, so teachers are not pinned to a
version: the tier they reach and the courses they cover are judged against the version a
query names. ``(:TeacherEvidence)`` is one training, enterprise practice, project or teaching
case (kind, layer, title, day, hours, project role), identified by (teacher, kind, title, day),
so recording it again updates it.

Batches are validated whole first; nothing is written while any row is bad.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from graph.cypher import Cypher
from graph.rowcheck import BatchOutcome, RowCheck, check_size, split_codes
from graph.store import GraphStore, Record
from graph.teacher_standards import EVIDENCE_KINDS, PROJECT_ROLES

__all__ = [
    "EVIDENCE_KIND_NAMES", "HOURS_KINDS", "LAYER_NAMES", "ROLE_NAMES", "college_evidence",
    "evidence_of", "record_teacher_evidence", "record_teachers", "teacher", "teacher_count",
    "teacher_page", "teacher_uid",
]

EVIDENCE_KIND_NAMES: dict[str, str] = {
    **{kind: kind for kind in EVIDENCE_KINDS},
    "enterprise_practice": "enterprisePractice", "teaching_case": "teachingCase",
    "培训": "training", "研修": "training", "企业实践": "enterprisePractice",
    "项目": "project", "企业项目": "project", "研发项目": "project", "教学案例": "teachingCase",
}
HOURS_KINDS = frozenset({"training", "enterprisePractice"})  # hours are required for these
ROLE_NAMES: dict[str, str] = {
    **{role: role for role in PROJECT_ROLES},
    "负责人": "lead", "主持": "lead", "核心成员": "core", "骨干": "core", "成员": "member",
    "参与成员": "member", "参与": "member",
}
LAYER_NAMES: dict[str, str] = {
    "GEN": "GEN", "PRO": "PRO", "IND": "IND",
    "通识素养": "GEN", "通识": "GEN", "专业技能": "PRO", "专业": "PRO", "行业能力": "IND",
    "行业": "IND",
}

COLLEGE_CODES = Cypher("MATCH (c:College) RETURN c.code AS code")
COURSE_CODES = Cypher("MATCH (c:Course) RETURN DISTINCT c.code AS code")
TEACHERS_BY_UID = Cypher(
    "UNWIND $uids AS uid MATCH (t:Teacher {uid: uid}) RETURN t {.*} AS node"
)
UPSERT_TEACHERS = Cypher(
    "UNWIND $rows AS row MERGE (t:Teacher {uid: row.uid}) SET t += row.props "
    "RETURN count(t) AS written"
)
RECORD_EVIDENCE = Cypher(
    "UNWIND $rows AS row MATCH (t:Teacher {uid: row.teacher}) "
    "MERGE (e:TeacherEvidence {uid: row.uid}) SET e += row.props "
    "MERGE (t)-[:HAS_EVIDENCE]->(e) RETURN count(e) AS written"
)
TEACHER_PAGE = Cypher(
    "MATCH (t:Teacher {college: $college}) "
    "WHERE ($after IS NULL OR t.code > $after) AND ($course IS NULL OR $course IN t.courses) "
    "RETURN t {.*} AS node ORDER BY t.code LIMIT $limit"
)
TEACHER_COUNT = Cypher(
    "MATCH (t:Teacher {college: $college}) WHERE ($course IS NULL OR $course IN t.courses) "
    "RETURN count(t) AS total"
)
EVIDENCE_OF_TEACHERS = Cypher(
    "UNWIND $uids AS uid MATCH (:Teacher {uid: uid})-[:HAS_EVIDENCE]->(e:TeacherEvidence) "
    "RETURN uid, e {.*} AS node ORDER BY e.completedOn, e.uid"
)
COLLEGE_EVIDENCE = Cypher(
    "MATCH (t:Teacher {college: $college}) "
    "OPTIONAL MATCH (t)-[:HAS_EVIDENCE]->(e:TeacherEvidence) "
    "RETURN t {.*} AS teacher, t.code AS code, collect(e {.*}) AS evidence ORDER BY code"
)


def teacher_uid(college: str, code: str) -> str:
    """Teacher codes are pseudonymous and unique within their college, like students'."""
    return f"{college}|{code}"


def _evidence_uid(teacher: str, kind: str, title: str, day: str) -> str:
    key = json.dumps([teacher, kind, title, day], ensure_ascii=False)
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _college(check: RowCheck, index: int, row: Mapping[str, Any], colleges: set[str],
             allowed: set[str] | None) -> str | None:
    college = check.text(index, row, "college")
    if college is None:
        return None
    if college not in colleges:
        check.fail(index, "UNKNOWN_COLLEGE", f"no college {college}", "college")
        return None
    if allowed is not None and college not in allowed:
        check.fail(index, "FORBIDDEN_COLLEGE", f"you may not write records of college {college}",
                   "college")
        return None
    return college


async def record_teachers(store: GraphStore, rows: Sequence[Mapping[str, Any]], *,
                          allowed_colleges: set[str] | None = None, dry_run: bool = False,
                          **_: Any) -> BatchOutcome:
    """Create or update teachers (teacher code, college, subjects?, courses?). A row is the
    whole record: subjects and courses it leaves out are cleared."""
    check_size(rows)
    check = RowCheck(rows)
    colleges = {r["code"] for r in await store.read(COLLEGE_CODES)}
    courses = {r["code"] for r in await store.read(COURSE_CODES)}
    clean: list[Record] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        code = check.text(index, row, "teacher", limit=64)
        college = _college(check, index, row, colleges, allowed_colleges)
        subjects = split_codes(row.get("subjects"), texts=True)
        taught = split_codes(row.get("courses"))
        for course in taught:
            if course not in courses:
                check.fail(index, "UNKNOWN_COURSE",
                           f"no course {course} in any framework version", "courses")
        if code is None or college is None or any(c not in courses for c in taught):
            continue
        if check.duplicate(index, (college, code), seen, "teacher"):
            continue
        uid = teacher_uid(college, code)
        clean.append({"uid": uid, "props": {
            "uid": uid, "code": code, "college": college, "subjects": subjects,
            "courses": sorted(set(taught)),
            "updatedAt": datetime.now(UTC).isoformat(timespec="seconds")}})
    if check.errors:
        return check.outcome()
    if dry_run or not clean:
        return BatchOutcome()
    written = await store.write(UPSERT_TEACHERS, {"rows": clean})
    return BatchOutcome(written=int(written[0]["written"]) if written else 0)


async def record_teacher_evidence(store: GraphStore, rows: Sequence[Mapping[str, Any]], *,
                                  allowed_colleges: set[str] | None = None,
                                  dry_run: bool = False, today: date | None = None,
                                  **_: Any) -> BatchOutcome:
    """Record evidence rows (teacher, college, kind, layer, title, completedOn, hours?, role?,
    provider?): hours are required for training and enterprise practice, a role for projects
    (and only for them)."""
    check_size(rows)
    check = RowCheck(rows)
    colleges = {r["code"] for r in await store.read(COLLEGE_CODES)}
    uids = sorted({teacher_uid(str(r.get("college") or "").strip(),
                               str(r.get("teacher") or "").strip()) for r in rows})
    known = {r["node"]["uid"] for r in await store.read(TEACHERS_BY_UID, {"uids": uids})}
    clean: list[Record] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, row in enumerate(rows):
        code = check.text(index, row, "teacher", limit=64)
        college = _college(check, index, row, colleges, allowed_colleges)
        kind = check.choice(index, row, "kind", EVIDENCE_KIND_NAMES, "BAD_EVIDENCE_KIND")
        layer = check.choice(index, row, "layer", LAYER_NAMES, "BAD_LAYER")
        title = check.text(index, row, "title")
        provider = check.text(index, row, "provider", required=False)
        day = check.day(index, row, "completedOn", not_after=today or datetime.now(UTC).date())
        hours = check.hours(index, row, "hours", required=kind in HOURS_KINDS)
        role = check.choice(index, row, "role", ROLE_NAMES, "BAD_ROLE", required=False)
        if kind == "project" and role is None and row.get("role") in (None, ""):
            check.fail(index, "MISSING_FIELD", "a project needs the teacher's role", "role")
        elif kind not in (None, "project") and role is not None:
            check.fail(index, "ROLE_NOT_APPLICABLE", "a role applies to projects only", "role")
        if code is not None and college is not None and (
                teacher_uid(college, code) not in known):
            check.fail(index, "UNKNOWN_TEACHER", f"no teacher {code} at college {college}",
                       "teacher")
            continue
        if None in (code, college, kind, layer, title, day):
            continue
        assert code and college and kind and title and day
        owner = teacher_uid(college, code)
        uid = _evidence_uid(owner, kind, title, day)
        if check.duplicate(index, (uid,), seen, "teacher, kind, title and day"):
            continue
        clean.append({"uid": uid, "teacher": owner, "props": {
            "uid": uid, "teacher": owner, "college": college, "kind": kind, "layer": layer,
            "title": title, "provider": provider, "completedOn": day,
            "hours": float(hours) if hours is not None else None, "role": role}})
    if check.errors:
        return check.outcome()
    if dry_run or not clean:
        return BatchOutcome()
    written = await store.write(RECORD_EVIDENCE, {"rows": clean})
    return BatchOutcome(written=int(written[0]["written"]) if written else 0)


async def teacher(store: GraphStore, uid: str) -> Record | None:
    rows = await store.read(TEACHERS_BY_UID, {"uids": [uid]})
    return rows[0]["node"] if rows else None


async def teacher_page(store: GraphStore, college: str, course: str | None,
                       after: str | None, limit: int) -> list[Record]:
    rows = await store.read(TEACHER_PAGE, {"college": college, "course": course,
                                           "after": after, "limit": limit})
    return [row["node"] for row in rows]


async def teacher_count(store: GraphStore, college: str, course: str | None) -> int:
    rows = await store.read(TEACHER_COUNT, {"college": college, "course": course})
    return int(rows[0]["total"]) if rows else 0


async def evidence_of(store: GraphStore, uids: Sequence[str]) -> list[list[Record]]:
    """Each teacher's evidence, oldest first, aligned to ``uids`` (one query for all)."""
    found: dict[str, list[Record]] = {uid: [] for uid in uids}
    for row in await store.read(EVIDENCE_OF_TEACHERS, {"uids": list(uids)}):
        found[row["uid"]].append(row["node"])
    return [found[uid] for uid in uids]


async def college_evidence(store: GraphStore, college: str) -> list[tuple[Record, list[Record]]]:
    """Every teacher of ``college`` with all its evidence, in one query."""
    rows = await store.read(COLLEGE_EVIDENCE, {"college": college})
    return [(row["teacher"], [e for e in row["evidence"] if e]) for row in rows]
