"""Curriculum design in GraphQL: edit drafts, version frameworks, diff them, check programs.

Edits are for designers and admins (``CanEditFrameworks``); every edit mutation answers
with a payload whose ``errors`` list the refusals (nothing is written when there is one).
Omitted input fields keep the stored value; a list that is given replaces the stored list.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON
from strawberry.types import Info

from graph import curriculum, editing, versions
from graph.ids import element_uid
from graph.store import Record
from schema.context import Context
from schema.enums import (
    AssessmentKind,
    CourseKind,
    FindingCheck,
    FindingKind,
    LayerCode,
    LevelCode,
    RoleName,
    of,
)
from schema.errors import ApiError, UserError
from schema.permissions import CanEditFrameworks
from schema.relay import Connection, build_connection, decode_cursor, page_size
from schema.types import (
    Assessment,
    Competency,
    Course,
    Framework,
    JobRole,
    Major,
    Proficiency,
    Program,
)

__all__ = ["CurriculumMutation", "CurriculumQuery"]

MAX_BATCH = 1000
NodeT = TypeVar("NodeT")


def _context(info: Info[Context, Any]) -> Context:
    return info.context


def _actor(info: Info[Context, Any]) -> editing.Actor:
    principal = _context(info).principal
    return editing.Actor(subject=principal.subject, role=principal.role.value)


# ---- inputs --------------------------------------------------------------------------------
@strawberry.input(description="What one level asks of a competency.")
class RequirementInput:
    level: LevelCode
    proficiency: int = strawberry.field(description="1 了解 · 2 运用 · 3 设计 · 4 创新, at most "
                                                    "the level's maxProficiency")
    descriptor_zh: str
    descriptor_en: str
    source: str | None = strawberry.field(
        default=None, description="Default: the competency's source")


@strawberry.input(description="An extra progression from this competency's requirement at "
                              "one level to another competency's requirement at a higher "
                              "level (the chain ZZ → GZ → BK within a competency is implied).")
class ProgressionInput:
    from_level: LevelCode = strawberry.field(
        name="from", description="The level of this competency's requirement that progresses")
    competency: str
    level: LevelCode


@strawberry.input(description="A competency 能力; omitted fields keep their stored value, a "
                              "given list replaces the stored one.")
class CompetencyInput:
    code: str
    layer: LayerCode | None = UNSET
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET
    strands: list[str] | None = UNSET
    major: str | None = strawberry.field(default=UNSET,
                                         description="Required for a PRO competency")
    industry: str | None = strawberry.field(default=UNSET,
                                            description="Required for an IND competency")
    requires: list[str] | None = strawberry.field(default=UNSET,
                                                  description="Prerequisite competencies")
    requirements: list[RequirementInput] | None = UNSET
    progresses_to: list[ProgressionInput] | None = UNSET


@strawberry.input(description="A competency a course teaches, at a proficiency.")
class TeachingInput:
    competency: str
    proficiency: int


@strawberry.input(description="A course 课程; omitted fields keep their stored value.")
class CourseInput:
    code: str
    level: LevelCode | None = UNSET
    layer: LayerCode | None = UNSET
    kind: CourseKind | None = strawberry.field(default=UNSET, description="required or elective")
    credits: float | None = UNSET
    hours: int | None = UNSET
    major: str | None = UNSET
    industry: str | None = UNSET
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET
    teaches: list[TeachingInput] | None = UNSET
    requires: list[str] | None = strawberry.field(default=UNSET,
                                                  description="Prerequisite courses")


@strawberry.input(description="A competency an assessment measures, at a proficiency, with a "
                              "weight (0–1].")
class MeasureInput:
    competency: str
    proficiency: int
    weight: float


@strawberry.input(description="An assessment 评价工具 of one level.")
class AssessmentInput:
    code: str
    level: LevelCode | None = UNSET
    kind: AssessmentKind | None = strawberry.field(
        default=UNSET, description="written, practical, project or portfolio")
    max_score: int | None = UNSET
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET
    measures: list[MeasureInput] | None = UNSET


@strawberry.input(description="A competency a job role needs, at a proficiency.")
class NeedInput:
    competency: str
    proficiency: int
    essential: bool = False


@strawberry.input(description="A typical job 岗位.")
class JobRoleInput:
    code: str
    industry: str | None = UNSET
    level: LevelCode | None = UNSET
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET
    needs: list[NeedInput] | None = UNSET


@strawberry.input(description="A major 专业.")
class MajorInput:
    code: str
    industry: str | None = UNSET
    levels: list[LevelCode] | None = strawberry.field(
        default=UNSET, description="Levels it is offered at 开设层次")
    catalog_codes: list[str] | None = strawberry.field(
        default=UNSET, description="Official 专业目录 codes as LEVEL:CODE")
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET


@strawberry.input(description="A course of a program, in a semester.")
class ProgramCourseInput:
    course: str
    semester: int
    required: bool = True


@strawberry.input(description="A program's own target for a competency, instead of the level's.")
class OverrideInput:
    competency: str
    proficiency: int


@strawberry.input(description="A program 人才培养方案: courses by semester and target "
                              "overrides.")
class ProgramInput:
    code: str
    college: str | None = UNSET
    major: str | None = UNSET
    level: LevelCode | None = UNSET
    name_zh: str | None = UNSET
    name_en: str | None = UNSET
    description_zh: str | None = UNSET
    description_en: str | None = UNSET
    source: str | None = UNSET
    courses: list[ProgramCourseInput] | None = UNSET
    overrides: list[OverrideInput] | None = UNSET


_KEYS = {"from_level": "from"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _plain(value: Any) -> Any:
    """An input object as the dict graph/ validates: omitted (UNSET) fields are left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {_KEYS.get(f.name, _camel(f.name)): _plain(getattr(value, f.name))
                for f in dataclasses.fields(value) if getattr(value, f.name) is not UNSET}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value


def _rows(items: Sequence[Any]) -> list[dict[str, Any]]:
    if len(items) > MAX_BATCH:
        raise ApiError("BATCH_TOO_LARGE", f"at most {MAX_BATCH} rows per call", max=MAX_BATCH)
    return [_plain(item) for item in items]


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
