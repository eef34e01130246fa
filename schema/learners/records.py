"""Record batches of students and their evidence: inputs, payload, row conversion."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import strawberry

from graph import learners
from schema.access import Principal, Role
from schema.errors import ApiError, UserError


@strawberry.type(description="The outcome of a record batch: rows written, or every bad row's "
                             "error.")
class BatchPayload:
    written: int = strawberry.field(description="Rows written (0 when there are errors)")
    errors: list[UserError]


@strawberry.input(description="A student 学生: pseudonymous code, college, program and day of "
                              "enrolment.")
class StudentInput:
    code: str
    college: str
    program: str
    enrolled_on: date = strawberry.field(description="Day of enrolment 入学日期")
    class_label: str | None = None


@strawberry.input(description="An assessment result 测评成绩; (student, assessment, takenAt) "
                              "identifies it.")
class ResultInput:
    student: str
    college: str
    assessment: str
    score: float
    taken_at: datetime = strawberry.field(
        description="When it was taken; a date alone is that day (stored as the date)")
    max_score: float | None = None


@strawberry.input(description="A course completion 课程修读 in a term.")
class CompletionInput:
    student: str
    college: str
    course: str
    term: str
    grade: float | None = None


@strawberry.input(description="An enterprise certification 企业认证 a student holds.")
class CertificationInput:
    student: str
    college: str
    certification: str
    held_on: date


def _allowed_colleges(principal: Principal) -> set[str] | None:
    if principal.role is Role.ADMIN:
        return None
    if principal.role is Role.COLLEGE and principal.college:
        return {principal.college}
    return set()


def _payload(outcome: learners.BatchOutcome) -> BatchPayload:
    return BatchPayload(written=outcome.written, errors=[
        UserError(code=e.code, message=e.message, index=e.index, field=e.field)
        for e in outcome.errors])


def _rows(items: list[Any]) -> list[dict[str, Any]]:
    if len(items) > learners.MAX_BATCH:
        raise ApiError("BATCH_TOO_LARGE", f"at most {learners.MAX_BATCH} rows per call",
                       max=learners.MAX_BATCH)
    return [{_camel(k): _text(v) for k, v in vars(item).items()} for item in items]


def _text(value: Any) -> Any:
    """Dates and times as the ISO text graph/ validates and stores; a ``takenAt`` at UTC
    midnight (what a bare day parses to) stays a date, as the CSV import stores it, so a
    result keeps its identity."""
    if isinstance(value, datetime):
        if value.time() == time() and value.utcoffset() in (None, timedelta(0)):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
