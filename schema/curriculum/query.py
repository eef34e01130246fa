"""Curriculum reads: the audit trail, version diffs, program and pathway reports."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import curriculum, editing, versions
from schema.context import Context
from schema.curriculum.inputs import (
    _context,
)
from schema.curriculum.reports import (
    AffectedProgram,
    AuditEntry,
    ElementDiff,
    FrameworkDiff,
    IdArg,
    PathwayReport,
    PathwayStep,
    ProgramFinding,
    ProgramReport,
    _framework,
)
from schema.errors import ApiError
from schema.permissions import CanEditFrameworks
from schema.programs import Program
from schema.relay import Connection, build_connection, decode_cursor, page_size


@strawberry.type
class CurriculumQuery:
    @strawberry.field(description="Recorded changes, newest first (designers and admins).",
                      permission_classes=[CanEditFrameworks])
    async def audit_trail(self, info: Info[Context, Any],
                          framework: strawberry.ID | None = None, first: int | None = None,
                          after: str | None = None) -> Connection[AuditEntry]:
        context = _context(info)
        size = page_size(context, first)
        after_uid = decode_cursor(after)
        nodes = await editing.audit_page(context.store, framework, after_uid, size + 1)
        rows: list[dict[str, object]] = [{**node, "code": node["uid"]} for node in nodes]

        async def count() -> int:
            return await editing.audit_count(context.store, framework)

        return build_connection(rows, size, after_uid, AuditEntry.of, count)

    @strawberry.field(description="What changed from one framework version to another: "
                                  "competencies and requirements added, removed and changed "
                                  "field by field, and the programs affected.")
    async def framework_diff(
        self, info: Info[Context, Any],
        from_framework: Annotated[strawberry.ID, strawberry.argument(
            name="from", description="The older version (CODE@VERSION)")],
        to_framework: Annotated[strawberry.ID, strawberry.argument(
            name="to", description="The newer version (CODE@VERSION)")],
    ) -> FrameworkDiff:
        source = await _framework(info, from_framework)
        target = await _framework(info, to_framework)
        diff = await versions.diff_frameworks(_context(info).store, source, target)
        return FrameworkDiff(
            from_framework=strawberry.ID(source), to_framework=strawberry.ID(target),
            competencies=ElementDiff.of(diff.competencies),
            requirements=ElementDiff.of(diff.requirements),
            affected_programs=[AffectedProgram(
                code=p.code, frameworks=[strawberry.ID(f) for f in p.frameworks],
                competency_codes=p.competencies) for p in diff.programs])

    @strawberry.field(description="Validate a program: coverage of its targets, course and "
                                  "competency order, assessment of its targets, credit "
                                  "balance.")
    async def program_report(self, info: Info[Context, Any], code: str,
                             framework: IdArg = None) -> ProgramReport:
        fw = await _framework(info, framework)
        try:
            report = await curriculum.program_report(_context(info).store, fw, code)
        except curriculum.ReportError as exc:
            raise ApiError(exc.code, str(exc), program=code) from None
        return ProgramReport.of(fw, report)

    @strawberry.field(description="Articulation (中高本贯通) along programs of successive "
                                  "levels: gaps and repetitions between each and the next.")
    async def pathway_report(self, info: Info[Context, Any], programs: Annotated[
            list[str], strawberry.argument(description="Program codes, ZZ → GZ → BK")],
                             framework: IdArg = None) -> PathwayReport:
        fw = await _framework(info, framework)
        try:
            report = await curriculum.pathway_report(_context(info).store, fw, programs)
        except curriculum.ReportError as exc:
            raise ApiError(exc.code, str(exc), programs=programs) from None
        return PathwayReport(
            framework=strawberry.ID(fw), programs=[Program.of(p) for p in report.programs],
            steps=[PathwayStep(from_program=Program.of(s.source), to_program=Program.of(s.target),
                               gaps=[ProgramFinding.of(f) for f in s.gaps],
                               repetitions=[ProgramFinding.of(f) for f in s.repetitions])
                   for s in report.steps])
