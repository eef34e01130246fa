"""Root fields of teachers: the standard (public, like the tiers), teachers and a college view
(a college token: its own college; admin: all; nobody else), and the record batches."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.permission import BasePermission

from graph import teacher_standing, teachers
from graph.teacher_standards import standard_of
from schema.access import Principal, Role
from schema.batches import Info, RecordBatchPayload, batch_payload, batch_rows
from schema.context import Context
from schema.enums import LayerCode
from schema.errors import ApiError
from schema.relay import Connection, build_connection, decode_cursor, page_size
from schema.teachers.types import (
    AsOf,
    CollegeTeachingReport,
    CourseCoverageStatus,
    CourseTeachingCoverage,
    FrameworkArg,
    ProjectRole,
    Teacher,
    TeacherEvidenceKind,
    TeacherStandardItem,
    TierCount,
    loaders,
    today,
)
from schema.types import Course

__all__ = ["TeacherMutation", "TeacherQuery"]


class CanReadTeachers(BasePermission):
    """Teacher data, like student data: a college role (its own college, checked per record)
    or admin."""

    message = "teacher data needs a college or admin token"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 - strawberry reads it per instance

    def has_permission(self, source: Any, info: strawberry.Info[Context, Any],
                       **kwargs: Any) -> bool:
        return info.context.principal.role in {Role.ADMIN, Role.COLLEGE}


def _college(principal: Principal, college: str | None) -> str:
    """The college asked about; a college token defaults to (and is bound to) its own."""
    college = college or principal.college
    if college is None:
        raise ApiError("COLLEGE_REQUIRED", "name the college")
    if not principal.can_see_college(college):
        raise ApiError("FORBIDDEN", f"no access to the teachers of college {college}",
                       college=college)
    return college


def _allowed(principal: Principal) -> set[str] | None:
    if principal.role is Role.ADMIN:
        return None
    return {principal.college} if principal.college else set()


College = Annotated[str | None, strawberry.argument(
    description="College code (a college token: its own, the default)")]


@strawberry.input(description="A teacher: pseudonymous code within a college, subjects and "
                              "courses taught (the row is the whole record).")
class TeacherInput:
    code: str = strawberry.field(description="Pseudonymous code (工号 or the college's own)")
    college: str = strawberry.field(description="College code")
    subjects: list[str] | None = strawberry.field(default=None,
                                                  description="Subjects taught (free text)")
    courses: list[str] | None = strawberry.field(default=None,
                                                 description="Course codes taught")


@strawberry.input(description="One piece of teacher evidence; (teacher, kind, title, day) "
                              "identifies it, so sending it again updates it.")
class TeacherEvidenceInput:
    teacher: str = strawberry.field(description="Teacher code")
    college: str = strawberry.field(description="College code")
    kind: TeacherEvidenceKind = strawberry.field(description="What it is")
    layer: LayerCode = strawberry.field(description="The layer it builds")
    title: str = strawberry.field(description="Its title")
    completed_on: date = strawberry.field(description="When it was completed")
    hours: float | None = strawberry.field(
        default=None, description="Hours (required for training and enterprise practice)")
    role: ProjectRole | None = strawberry.field(default=None,
                                                description="Role held (required for projects)")
    provider: str | None = strawberry.field(default=None,
                                            description="Who ran it (a body or company)")


@strawberry.type
class TeacherQuery:
    @strawberry.field(description="The teacher competency standard 教师人工智能教学胜任力标准, "
                                  "item by item (public, like the tiers).")
    async def teacher_standard(
        self, info: Info, framework: FrameworkArg = None,
        tier: Annotated[str | None, strawberry.argument(
            description="Only this tier (TT-1, TT-2, TT-3)")] = None,
    ) -> list[TeacherStandardItem]:
        fw = str((await info.context.resolve_framework(framework))["uid"])
        tiers = await loaders(info.context).standard.load(fw)
        return [TeacherStandardItem.of(item, fw) for t in tiers
                if tier is None or t.code == tier for item in t.items]

    @strawberry.field(description="One teacher of a college.",
                      permission_classes=[CanReadTeachers])
    async def teacher(self, info: Info,
                      code: Annotated[str, strawberry.argument(description="Teacher code")],
                      college: College = None) -> Teacher | None:
        college = _college(info.context.principal, college)
        row = await teachers.teacher(info.context.store, teachers.teacher_uid(college, code))
        return Teacher.of(row) if row else None

    @strawberry.field(description="Teachers of a college, by code.",
                      permission_classes=[CanReadTeachers])
    async def teachers(
        self, info: Info, college: College = None,
        course: Annotated[str | None, strawberry.argument(
            description="Only teachers of this course code")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size")] = None,
        after: Annotated[str | None, strawberry.argument(
            description="Cursor of the last teacher of the previous page")] = None,
    ) -> Connection[Teacher]:
        context = info.context
        college = _college(context.principal, college)
        size = page_size(context, first)
        after_code = decode_cursor(after)
        rows = await teachers.teacher_page(context.store, college, course, after_code, size + 1)

        async def count() -> int:
            return await teachers.teacher_count(context.store, college, course)

        return build_connection(rows, size, after_code, Teacher.of, count)

    @strawberry.field(description="How a college's teachers spread over the tiers, and which "
                                  "courses of its programs lack a teacher at the tier they "
                                  "need.", permission_classes=[CanReadTeachers])
    async def college_teaching(self, info: Info, college: College = None,
                               framework: FrameworkArg = None,
                               as_of: AsOf = None) -> CollegeTeachingReport:
        context = info.context
        college = _college(context.principal, college)
        fw = str((await context.resolve_framework(framework))["uid"])
        day = as_of or today()
        tiers = await standard_of(context.store, fw)
        staff = await teachers.college_evidence(context.store, college)
        placed = {}
        counts: dict[str | None, int] = {None: 0, **{t.code: 0 for t in tiers}}
        for record, evidence in staff:
            tier = teacher_standing.place(tiers, evidence, day).tier
            counts[tier.code if tier else None] += 1
            placed[str(record["code"])] = (list(record.get("courses") or []), tier)
        courses = await teacher_standing.college_courses(context.store, college, fw)
        coverage = [CourseTeachingCoverage(
            course=Course.of(c.course), program_codes=list(c.programs),
            needed_tier_code=c.needed_tier, best_tier_code=c.best_tier,
            teacher_codes=[code for code, _ in c.teachers],
            status=CourseCoverageStatus(c.status))
            for c in teacher_standing.course_coverage(courses, tiers, placed)]
        return CollegeTeachingReport(
            college=college, framework=strawberry.ID(fw), as_of=day, teachers=len(staff),
            tiers=[TierCount(tier_code=code, teachers=n) for code, n in counts.items()],
            _courses=coverage)


@strawberry.type
class TeacherMutation:
    @strawberry.mutation(description="Create or update teachers (a college token: its own "
                                     "college; up to 10,000 a call); a batch with any bad row "
                                     "writes nothing.", permission_classes=[CanReadTeachers])
    async def record_teachers(
        self, info: Info,
        rows: Annotated[list[TeacherInput], strawberry.argument(description="The teachers")],
    ) -> RecordBatchPayload:
        return batch_payload(await teachers.record_teachers(
            info.context.store, batch_rows(rows, {"code": "teacher"}),
            allowed_colleges=_allowed(info.context.principal)))

    @strawberry.mutation(description="Record teacher evidence (a college token: its own "
                                     "college); a batch with any bad row writes nothing.",
                         permission_classes=[CanReadTeachers])
    async def record_teacher_evidence(
        self, info: Info,
        rows: Annotated[list[TeacherEvidenceInput], strawberry.argument(
            description="The evidence")],
    ) -> RecordBatchPayload:
        return batch_payload(await teachers.record_teacher_evidence(
            info.context.store, batch_rows(rows),
            allowed_colleges=_allowed(info.context.principal)))
