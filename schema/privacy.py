"""Personal-information requests in GraphQL: export one student's data, erase a student.

Both need the student's own college (a college token of that college) or an admin; the
erasure is audited without the student's code (see ``graph.privacy``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph import privacy
from graph.learners import student_uid
from schema.access import Principal, Role
from schema.context import Context
from schema.enums import RoleName, of
from schema.errors import ApiError
from schema.permissions import CanReadStudents

__all__ = ["PrivacyMutation", "PrivacyQuery"]

CodeArg = Annotated[str, strawberry.argument(description="The student's pseudonymous code")]
CollegeArg = Annotated[str | None, strawberry.argument(
    description="The student's college (a college token: its own, the default)")]


def _college(principal: Principal, college: str | None) -> str:
    college = college or principal.college
    if college is None:
        raise ApiError("COLLEGE_REQUIRED", "name the college")
    if not principal.can_see_college(college):
        raise ApiError("FORBIDDEN", f"no access to the students of college {college}",
                       college=college)
    return college


@strawberry.type(description="The outcome of erasing a student (个人信息删除).")
class ErasurePayload:
    erased: bool = strawberry.field(description="False when no such student was stored")
    relationships: int = strawberry.field(
        description="Evidence, enrolment and standing records removed with the student")
    erasure_id: strawberry.ID | None = strawberry.field(
        description="The audit record of this erasure (it does not name the student)")


@strawberry.type(description="An audited erasure: who, when, which college; never the student.")
class ErasureRecord:
    id: strawberry.ID = strawberry.field(
        description="The record's id, as returned by eraseStudent")
    at: datetime = strawberry.field(description="When (UTC)")
    subject: str = strawberry.field(description="The token subject that asked")
    role: RoleName = strawberry.field(description="The role of that token")
    college: str = strawberry.field(description="The college whose student was erased")
    relationships: int = strawberry.field(description="Records removed with the student")


@strawberry.type
class PrivacyQuery:
    @strawberry.field(description="Everything stored about one student (个人信息查阅/复制): "
                                  "its record and every relationship with its properties.",
                      permission_classes=[CanReadStudents])
    async def student_export(self, info: Info[Context, Any], code: CodeArg,
                             college: CollegeArg = None) -> JSON | None:
        context = info.context
        college = _college(context.principal, college)
        exported = await privacy.export_student(context.store, student_uid(college, code))
        return cast("JSON | None", exported)

    @strawberry.field(description="Audited erasures, newest first (a college token: its own).",
                      permission_classes=[CanReadStudents])
    async def erasures(self, info: Info[Context, Any],
                       college: CollegeArg = None) -> list[ErasureRecord]:
        principal = info.context.principal
        scope = None if principal.role is Role.ADMIN and college is None else _college(
            principal, college)
        rows = await privacy.erasure_records(info.context.store, scope)
        return [ErasureRecord(id=strawberry.ID(r["uid"]), at=datetime.fromisoformat(str(r["at"])),
                              subject=r["subject"], role=of(RoleName, r["role"]),
                              college=r["college"], relationships=int(r["relationships"]))
                for r in rows]


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(description="Erase a student and all its evidence on request "
                                     "(个人信息删除); cohort tallies stay exact; audited.",
                         permission_classes=[CanReadStudents])
    async def erase_student(self, info: Info[Context, Any], code: CodeArg,
                            college: CollegeArg = None) -> ErasurePayload:
        context = info.context
        college = _college(context.principal, college)
        outcome = await privacy.erase_student(
            context.store, student_uid(college, code), college,
            subject=context.principal.subject, role=context.principal.role.value)
        return ErasurePayload(erased=outcome.erased, relationships=outcome.relationships,
                              erasure_id=strawberry.ID(outcome.record_uid)
                              if outcome.record_uid else None)
