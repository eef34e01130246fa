"""Curriculum writes for designers and admins: edits to drafts, versions."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import editing, versions
from schema.context import Context
from schema.curriculum.inputs import (
    MAX_BATCH,
    AssessmentInput,
    CompetencyInput,
    CourseInput,
    JobRoleInput,
    MajorInput,
    ProgramInput,
    _actor,
    _context,
    _rows,
)
from schema.curriculum.payloads import (
    AssessmentsPayload,
    CompetenciesPayload,
    CoursesPayload,
    EditPayload,
    FrameworkPayload,
    JobRolesPayload,
    MajorsPayload,
    ProgramsPayload,
    _edit,
    _forget,
    _framework_payload,
)
from schema.errors import ApiError
from schema.permissions import CanEditFrameworks

FrameworkArg = Annotated[strawberry.ID, strawberry.argument(
    description="The draft framework version to edit (CODE@VERSION)")]


@strawberry.type
class CurriculumMutation:
    @strawberry.mutation(description="Create or update competencies with their per-level "
                                     "requirements, prerequisites and progressions.",
                         permission_classes=[CanEditFrameworks])
    async def upsert_competencies(self, info: Info[Context, Any], framework: FrameworkArg,
                                  input: list[CompetencyInput]) -> CompetenciesPayload:
        rows = _rows(input)
        return await _edit(info, CompetenciesPayload, framework, lambda actor: (
            editing.upsert_competencies(_context(info).store, framework, rows, actor)))

    @strawberry.mutation(description="Delete competencies (and their requirements) from a "
                                     "draft; refused while anything else still uses them.",
                         permission_classes=[CanEditFrameworks])
    async def remove_competencies(self, info: Info[Context, Any], framework: FrameworkArg,
                                  codes: list[str]) -> EditPayload:
        if len(codes) > MAX_BATCH:
            raise ApiError("BATCH_TOO_LARGE", f"at most {MAX_BATCH} codes per call")
        return await _edit(info, EditPayload, framework, lambda actor: (
            editing.remove_competencies(_context(info).store, framework, codes, actor)))

    @strawberry.mutation(description="Create or update courses, what they teach and their "
                                     "prerequisite courses.",
                         permission_classes=[CanEditFrameworks])
    async def upsert_courses(self, info: Info[Context, Any], framework: FrameworkArg,
                             input: list[CourseInput]) -> CoursesPayload:
        rows = _rows(input)
        return await _edit(info, CoursesPayload, framework, lambda actor: (
            editing.upsert_courses(_context(info).store, framework, rows, actor)))

    @strawberry.mutation(description="Create or update assessments and what they measure.",
                         permission_classes=[CanEditFrameworks])
    async def upsert_assessments(self, info: Info[Context, Any], framework: FrameworkArg,
                                 input: list[AssessmentInput]) -> AssessmentsPayload:
        rows = _rows(input)
        return await _edit(info, AssessmentsPayload, framework, lambda actor: (
            editing.upsert_assessments(_context(info).store, framework, rows, actor)))

    @strawberry.mutation(description="Create or update typical jobs and what they need.",
                         permission_classes=[CanEditFrameworks])
    async def upsert_job_roles(self, info: Info[Context, Any], framework: FrameworkArg,
                               input: list[JobRoleInput]) -> JobRolesPayload:
        rows = _rows(input)
        return await _edit(info, JobRolesPayload, framework, lambda actor: (
            editing.upsert_job_roles(_context(info).store, framework, rows, actor)))

    @strawberry.mutation(description="Create or update majors.",
                         permission_classes=[CanEditFrameworks])
    async def upsert_majors(self, info: Info[Context, Any], framework: FrameworkArg,
                            input: list[MajorInput]) -> MajorsPayload:
        rows = _rows(input)
        return await _edit(info, MajorsPayload, framework, lambda actor: (
            editing.upsert_majors(_context(info).store, framework, rows, actor)))

    @strawberry.mutation(description="Create or update programs: courses by semester, "
                                     "required or elective, and target overrides.",
                         permission_classes=[CanEditFrameworks])
    async def upsert_programs(self, info: Info[Context, Any], framework: FrameworkArg,
                              input: list[ProgramInput]) -> ProgramsPayload:
        rows = _rows(input)
        return await _edit(info, ProgramsPayload, framework, lambda actor: (
            editing.upsert_programs(_context(info).store, framework, rows, actor)))

    @strawberry.mutation(description="Copy a framework version whole into a new draft "
                                     "CODE@version; each element links to its predecessor.",
                         permission_classes=[CanEditFrameworks])
    async def create_framework_version(
        self, info: Info[Context, Any],
        from_framework: Annotated[strawberry.ID, strawberry.argument(
            name="from", description="The version to copy (CODE@VERSION)")],
        version: Annotated[str, strawberry.argument(description="The new version label")],
    ) -> FrameworkPayload:
        result = await versions.create_version(_context(info).store, from_framework, version,
                                               _actor(info))
        return _framework_payload(result)

    @strawberry.mutation(description="Publish a draft: it is frozen from now on.",
                         permission_classes=[CanEditFrameworks])
    async def publish_framework(self, info: Info[Context, Any],
                                id: strawberry.ID) -> FrameworkPayload:
        result = await versions.publish_framework(_context(info).store, id, _actor(info))
        _forget(_context(info))
        return _framework_payload(result)

    @strawberry.mutation(description="Deprecate a published version (it stays readable).",
                         permission_classes=[CanEditFrameworks])
    async def deprecate_framework(self, info: Info[Context, Any],
                                  id: strawberry.ID) -> FrameworkPayload:
        result = await versions.deprecate_framework(_context(info).store, id, _actor(info))
        return _framework_payload(result)
