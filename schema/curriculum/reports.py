"""Audit entries, version diffs and program and pathway reports."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph import curriculum, versions
from graph.store import Record
from schema.context import Context
from schema.curriculum.inputs import (
    _context,
)
from schema.enums import (
    FindingCheck,
    FindingKind,
    RoleName,
    of,
)
from schema.programs import Program
from schema.types import (
    Proficiency,
)


# ---- audit, diff and reports ---------------------------------------------------------------
@strawberry.type(description="One recorded change: who (token subject and role), when "
                             "(ISO-8601 UTC), what (mutation, framework, codes, summary).")
class AuditEntry:
    id: strawberry.ID
    at: datetime
    subject: str
    role: RoleName
    mutation: str = strawberry.field(description="The mutation that made it, e.g. "
                                                 "upsertCompetencies")
    framework: strawberry.ID | None = strawberry.field(
        description="The framework version changed; null for records kept outside versions "
                    "(skills-demand records)")
    codes: list[str] = strawberry.field(description="Codes of the elements it touched")
    summary: JSON = strawberry.field(
        description="What changed: created codes, updated codes with their fields, and so on")

    @staticmethod
    def of(row: Record) -> AuditEntry:
        return AuditEntry(id=strawberry.ID(row["uid"]), at=datetime.fromisoformat(str(row["at"])),
                          subject=row["subject"],
                          role=of(RoleName, row["role"]), mutation=row["mutation"],
                          framework=strawberry.ID(row["fw"]) if row.get("fw") else None,
                          codes=list(row.get("codes") or []),
                          summary=json.loads(row.get("summary") or "{}"))


@strawberry.type(description="One field that differs: its value before and after.")
class FieldChange:
    field: str = strawberry.field(description="The field, e.g. nameEn")
    old_value: JSON | None = strawberry.field(description="Its value in the older version")
    new_value: JSON | None = strawberry.field(description="Its value in the newer version")


@strawberry.type(description="One element changed between two versions, field by field.")
class ElementChange:
    code: str = strawberry.field(description="The element's code")
    changes: list[FieldChange] = strawberry.field(description="The fields that differ")


@strawberry.type(description="Elements matched by code between two versions.")
class ElementDiff:
    added: list[str] = strawberry.field(description="Codes only in the newer version")
    removed: list[str] = strawberry.field(description="Codes only in the older version")
    changed: list[ElementChange] = strawberry.field(description="Codes in both that differ")

    @staticmethod
    def of(diff: versions.ElementDiff) -> ElementDiff:
        return ElementDiff(added=diff.added, removed=diff.removed, changed=[
            ElementChange(code=c.code, changes=[
                FieldChange(field=f.field, old_value=f.old, new_value=f.new) for f in c.changes])
            for c in diff.changed])


@strawberry.type(description="A program whose targets include a competency the diff touches.")
class AffectedProgram:
    code: str = strawberry.field(description="Program code 培养方案")
    frameworks: list[strawberry.ID] = strawberry.field(
        description="The versions (of the two) that hold the program")
    competency_codes: list[str] = strawberry.field(
        description="Its target competencies the diff touches")


@strawberry.type(description="What changed between two framework versions, and whom it "
                             "affects.")
class FrameworkDiff:
    from_framework: strawberry.ID = strawberry.field(name="from",
                                                     description="The older version")
    to_framework: strawberry.ID = strawberry.field(name="to", description="The newer version")
    competencies: ElementDiff
    requirements: ElementDiff = strawberry.field(
        description="Requirements by code, e.g. GEN-01@GZ")
    affected_programs: list[AffectedProgram] = strawberry.field(
        description="Programs whose targets the changes touch")


def _proficiency(value: int | None) -> Proficiency | None:
    return Proficiency.of(value) if value else None


@strawberry.type(description="One problem a check found; which fields are set depends on "
                             "kind.")
class ProgramFinding:
    check: FindingCheck = strawberry.field(description="The check that found it")
    kind: FindingKind = strawberry.field(description="What it found")
    message: str
    competency_code: str | None
    course_code: str | None
    related_code: str | None = strawberry.field(
        description="The prerequisite course or competency, or the assessment")
    semester: int | None
    related_semester: int | None = strawberry.field(
        description="The semester of the related course")
    target: Proficiency | None
    reached: Proficiency | None = strawberry.field(
        description="The proficiency reached (taught or measured)")

    @staticmethod
    def of(finding: curriculum.Finding) -> ProgramFinding:
        return ProgramFinding(
            check=of(FindingCheck, finding.check), kind=of(FindingKind, finding.kind),
            message=finding.message,
            competency_code=finding.competency, course_code=finding.course,
            related_code=finding.related, semester=finding.semester,
            related_semester=finding.related_semester, target=_proficiency(finding.target),
            reached=_proficiency(finding.reached))


@strawberry.type(description="Credits of a layer or a semester.")
class CreditSubtotal:
    key: str = strawberry.field(description="The layer code, or the semester number")
    credits: float
    courses: int = strawberry.field(description="Number of courses 课程数")


@strawberry.type(description="Where a program's credits go.")
class ProgramBalance:
    total_credits: float = strawberry.field(description="All credits 总学分")
    required_credits: float = strawberry.field(description="Credits of required courses 必修")
    elective_credits: float = strawberry.field(description="Credits of electives 选修")
    required_share: float = strawberry.field(
        description="Share of required credits: required / total, 0–1")
    by_layer: list[CreditSubtotal] = strawberry.field(description="Credits per layer")
    by_semester: list[CreditSubtotal] = strawberry.field(description="Credits per semester")


@strawberry.type(description="A program's validation report: coverage, order, assessment, "
                             "balance.")
class ProgramReport:
    program: Program
    framework: strawberry.ID
    coverage: list[ProgramFinding] = strawberry.field(
        description="Targets not taught, taught below target, or taught but not asked")
    order: list[ProgramFinding] = strawberry.field(
        description="Courses or competencies before their prerequisites")
    assessment: list[ProgramFinding] = strawberry.field(
        description="Targets no assessment measures (at the target)")
    balance: ProgramBalance = strawberry.field(description="Where the credits go")
    finding_count: int = strawberry.field(description="All findings 问题数")

    @staticmethod
    def of(fw: str, report: curriculum.ProgramReport) -> ProgramReport:
        balance = report.balance
        assert balance is not None
        return ProgramReport(
            program=Program.of(report.program), framework=strawberry.ID(fw),
            coverage=[ProgramFinding.of(f) for f in report.coverage],
            order=[ProgramFinding.of(f) for f in report.order],
            assessment=[ProgramFinding.of(f) for f in report.assessment],
            balance=ProgramBalance(
                total_credits=balance.total_credits, required_credits=balance.required_credits,
                elective_credits=balance.elective_credits,
                required_share=balance.required_share,
                by_layer=[CreditSubtotal(key=s.key, credits=s.credits, courses=s.courses)
                          for s in balance.by_layer],
                by_semester=[CreditSubtotal(key=s.key, credits=s.credits, courses=s.courses)
                             for s in balance.by_semester]),
            finding_count=report.finding_count)


@strawberry.type(description="From one program of a pathway to the next.")
class PathwayStep:
    from_program: Program = strawberry.field(description="The earlier level's program")
    to_program: Program = strawberry.field(description="The next level's program")
    gaps: list[ProgramFinding] = strawberry.field(
        description="What the next program builds on but the earlier does not teach (enough)")
    repetitions: list[ProgramFinding] = strawberry.field(
        description="Targets repeated without a rise (consolidations are marked as such)")


@strawberry.type(description="Articulation along a pathway ZZ → GZ → BK (中高本贯通).")
class PathwayReport:
    framework: strawberry.ID
    programs: list[Program] = strawberry.field(description="The programs, in the given order")
    steps: list[PathwayStep] = strawberry.field(description="Each program to the next")


async def _framework(info: Info[Context, Any], uid: str | None) -> str:
    return str((await _context(info).resolve_framework(uid))["uid"])


IdArg = Annotated[strawberry.ID | None, strawberry.argument(
    description="Framework version id (CODE@VERSION); default: the latest published")]
