"""Student record batches (a college token: its own college; admins: any)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph import learners
from schema.context import Context
from schema.learners.records import (
    BatchPayload,
    CertificationInput,
    CompletionInput,
    ResultInput,
    StudentInput,
    _allowed_colleges,
    _payload,
    _rows,
)
from schema.learners.standing import (
    _context,
)
from schema.permissions import CanReadStudents


@strawberry.type
class LearnerMutation:
    @strawberry.mutation(description="Create or update students (up to 10,000 per call); a "
                                     "batch with any bad row writes nothing.",
                         permission_classes=[CanReadStudents])
    async def record_students(self, info: Info[Context, Any], rows: list[StudentInput],
                              framework: strawberry.ID | None = None) -> BatchPayload:
        context = _context(info)
        fw = (await context.resolve_framework(framework))["uid"]
        return _payload(await learners.record_students(
            context.store, _rows(rows), fw,
            allowed_colleges=_allowed_colleges(context.principal)))

    @strawberry.mutation(description="Record assessment results; (student, assessment, "
                                     "takenAt) identifies a result, so repeats change nothing.",
                         permission_classes=[CanReadStudents])
    async def record_results(self, info: Info[Context, Any],
                             rows: list[ResultInput]) -> BatchPayload:
        context = _context(info)
        return _payload(await learners.record_results(
            context.store, _rows(rows), pass_ratio=context.pass_ratio,
            certification_cap=context.certification_cap,
            allowed_colleges=_allowed_colleges(context.principal)))

    @strawberry.mutation(description="Record course completions.",
                         permission_classes=[CanReadStudents])
    async def record_completions(self, info: Info[Context, Any],
                                 rows: list[CompletionInput]) -> BatchPayload:
        context = _context(info)
        return _payload(await learners.record_completions(
            context.store, _rows(rows), allowed_colleges=_allowed_colleges(context.principal)))

    @strawberry.mutation(description="Record enterprise certifications held.",
                         permission_classes=[CanReadStudents])
    async def record_certifications(self, info: Info[Context, Any],
                                    rows: list[CertificationInput]) -> BatchPayload:
        context = _context(info)
        return _payload(await learners.record_certifications(
            context.store, _rows(rows), certification_cap=context.certification_cap,
            allowed_colleges=_allowed_colleges(context.principal)))
