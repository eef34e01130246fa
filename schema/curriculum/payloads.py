"""Payloads of the curriculum edits and version changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from graph import editing, versions
from graph.ids import element_uid
from graph.store import Record
from schema.context import Context
from schema.curriculum.inputs import (
    NodeT,
    _actor,
    _context,
)
from schema.errors import UserError
from schema.programs import Program
from schema.types import (
    Assessment,
    Competency,
    Course,
    Framework,
    JobRole,
    Major,
)


# ---- payloads ------------------------------------------------------------------------------
def _errors(errors: Sequence[editing.EditError]) -> list[UserError]:
    return [UserError(code=e.code, message=e.message, index=e.index, field=e.field)
            for e in errors]


def _forget(context: Context) -> None:
    """Loaders of this request may hold what the mutation just changed."""
    for node_loader in context.nodes.values():
        node_loader.clear_all()
    for edge_loader in context.edges.values():
        edge_loader.clear_all()


async def _load(info: Info[Context, Any], label: str, fw: str, codes: Sequence[str],
                make: Callable[[Record], NodeT]) -> list[NodeT]:
    rows = await _context(info).nodes[label].load_many([element_uid(fw, c) for c in codes])
    return [make(row) for row in rows if row is not None]


@strawberry.type(description="The outcome of an edit: errors (then nothing was written) or "
                             "the codes written and the audit entry recorded.")
class EditPayload:
    errors: list[UserError]
    codes: list[str]
    audit_entry_id: strawberry.ID | None
    framework: strawberry.ID = strawberry.field(description="The draft edited")


@strawberry.type(description="The outcome of upsertCompetencies, with the competencies as stored "
                             "now.")
class CompetenciesPayload(EditPayload):
    @strawberry.field(description="The elements written, as stored now")
    async def competencies(self, info: Info[Context, Any]) -> list[Competency]:
        return await _load(info, "Competency", self.framework, self.codes, Competency.of)


@strawberry.type(description="The outcome of upsertCourses, with the courses as stored now.")
class CoursesPayload(EditPayload):
    @strawberry.field(description="The elements written, as stored now")
    async def courses(self, info: Info[Context, Any]) -> list[Course]:
        return await _load(info, "Course", self.framework, self.codes, Course.of)


@strawberry.type(description="The outcome of upsertAssessments, with the assessments as stored "
                             "now.")
class AssessmentsPayload(EditPayload):
    @strawberry.field(description="The elements written, as stored now")
    async def assessments(self, info: Info[Context, Any]) -> list[Assessment]:
        return await _load(info, "Assessment", self.framework, self.codes, Assessment.of)


@strawberry.type(description="The outcome of upsertJobRoles, with the job roles as stored now.")
class JobRolesPayload(EditPayload):
    @strawberry.field(description="The elements written, as stored now")
    async def job_roles(self, info: Info[Context, Any]) -> list[JobRole]:
        return await _load(info, "JobRole", self.framework, self.codes, JobRole.of)


@strawberry.type(description="The outcome of upsertMajors, with the majors as stored now.")
class MajorsPayload(EditPayload):
    @strawberry.field(description="The elements written, as stored now")
    async def majors(self, info: Info[Context, Any]) -> list[Major]:
        return await _load(info, "Major", self.framework, self.codes, Major.of)


@strawberry.type(description="The outcome of upsertPrograms, with the programs as stored now.")
class ProgramsPayload(EditPayload):
    @strawberry.field(description="The elements written, as stored now")
    async def programs(self, info: Info[Context, Any]) -> list[Program]:
        return await _load(info, "Program", self.framework, self.codes, Program.of)


PayloadT = TypeVar("PayloadT", bound=EditPayload)


async def _edit(info: Info[Context, Any], payload: type[PayloadT], framework: str,
                run: Callable[[editing.Actor], Awaitable[editing.EditResult]]) -> PayloadT:
    result = await run(_actor(info))
    if result.ok:
        _forget(_context(info))
    return payload(errors=_errors(result.errors), codes=result.codes,
                   audit_entry_id=strawberry.ID(result.audit) if result.audit else None,
                   framework=strawberry.ID(framework))


@strawberry.type(description="The outcome of a version change: errors, or the framework.")
class FrameworkPayload:
    errors: list[UserError]
    framework: Framework | None
    audit_entry_id: strawberry.ID | None


def _framework_payload(result: versions.VersionResult) -> FrameworkPayload:
    return FrameworkPayload(
        errors=_errors(result.errors),
        framework=Framework.of(result.framework) if result.framework else None,
        audit_entry_id=strawberry.ID(result.audit) if result.audit else None)
