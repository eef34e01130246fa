"""Student reads: one student, a page of students, a cohort (own college or admin)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import analytics, learners
from graph.ids import element_uid
from schema.access import Role
from schema.context import Context
from schema.enums import (
    LayerCode,
    LevelCode,
    ReadinessDimension,
    of,
)
from schema.errors import ApiError
from schema.learners.cohort import (
    CohortReport,
    CompetencyShare,
    PlacementCount,
    ReadinessBucket,
)
from schema.learners.standing import (
    _context,
    _require_college,
)
from schema.learners.student import (
    Student,
)
from schema.permissions import CanReadStudents
from schema.relay import Connection, build_connection, decode_cursor, page_size


@strawberry.type
class LearnerQuery:
    @strawberry.field(description="One student of a college (a college token: its own).",
                      permission_classes=[CanReadStudents])
    async def student(self, info: Info[Context, Any], code: str,
                      college: str | None = None) -> Student | None:
        context = _context(info)
        college = _require_college(context.principal, college)
        found = await analytics.student_with_standing(context.store,
                                                      learners.student_uid(college, code))
        return Student.of(found["student"], standing=found) if found else None

    @strawberry.field(description="Students of a college, by code.",
                      permission_classes=[CanReadStudents])
    async def students(
        self, info: Info[Context, Any], college: str | None = None,
        program: str | None = None, class_label: str | None = None,
        framework: strawberry.ID | None = None,
        first: Annotated[int | None, strawberry.argument(description="Page size")] = None,
        after: str | None = None,
    ) -> Connection[Student]:
        context = _context(info)
        college = _require_college(context.principal, college)
        program_uid = await _program_uid(context, program, framework)
        size = page_size(context, first)
        after_code = decode_cursor(after)
        rows = await learners.student_page(context.store, college, program_uid, class_label,
                                           after_code, size + 1)

        async def count() -> int:
            return await learners.student_count(context.store, college, program_uid,
                                                class_label)

        return build_connection(rows, size, after_code, Student.of, count)

    @strawberry.field(description="Cohort analytics of a college, a program or a class; "
                                  "admins may omit the college for all students.",
                      permission_classes=[CanReadStudents])
    async def cohort(self, info: Info[Context, Any], college: str | None = None,
                     program: str | None = None, class_label: str | None = None,
                     framework: strawberry.ID | None = None) -> CohortReport:
        context = _context(info)
        principal = context.principal
        if college is None and principal.role is not Role.ADMIN:
            college = _require_college(principal, None)
        elif college is not None:
            college = _require_college(principal, college)
        program_uid = await _program_uid(context, program, framework)
        report = await analytics.cohort_report(context.store, college=college,
                                               program=program_uid, class_label=class_label)
        fw_of = (await context.resolve_framework(framework))["uid"]
        competencies = [CompetencyShare(
            competency_code=c["code"], layer_code=of(LayerCode, c["layer"]),
            students=c["students"],
            meeting=c["meeting"], share=round(c["meeting"] / c["students"], 4)
            if c["students"] else 0.0, gap_total=c["gapTotal"],
            _uid=element_uid(fw_of, c["code"])) for c in report.competencies]
        placement = [PlacementCount(layer_code=of(LayerCode, layer),
                                    level_code=None if level == "NONE"
                                    else of(LevelCode, level), students=count)
                     for layer, levels in sorted(report.placement.items())
                     for level, count in sorted(levels.items())]
        readiness = [ReadinessBucket(dimension=of(ReadinessDimension, dimension), lower=bucket / 5,
                                     upper=min(1.0, (bucket + 1) / 5) if bucket < 5 else 1.0,
                                     students=count)
                     for dimension, buckets in sorted(report.readiness.items())
                     for bucket, count in sorted(buckets.items())]
        return CohortReport(students=report.students, competencies=competencies,
                            placement=placement, readiness=readiness)


async def _program_uid(context: Context, program: str | None,
                       framework: str | None) -> str | None:
    if program is None:
        return None
    fw = (await context.resolve_framework(framework))["uid"]
    row = await context.nodes["Program"].load(element_uid(fw, program))
    if row is None:
        raise ApiError("UNKNOWN_PROGRAM", f"no program {program} in {fw}", program=program)
    if not context.principal.can_see_college(row["college"]):
        raise ApiError("FORBIDDEN", f"no access to the students of program {program}")
    return str(row["uid"])
