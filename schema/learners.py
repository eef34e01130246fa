"""Students, evidence and gap analysis in GraphQL.

Student data is visible to callers of the student's own college and to admins only; the
field permission admits the roles, and each resolver checks the record's college.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import analytics, learners
from graph.evidence import counted_proficiency
from graph.ids import element_uid
from graph.standing import DimensionReadiness as _Readiness
from graph.standing import Standing
from graph.store import Record
from schema.access import Principal, Role
from schema.context import Context
from schema.enums import (
    EvidenceKind,
    LayerCode,
    LevelCode,
    PathStepReason,
    ReadinessDimension,
    code,
    of,
    of_opt,
    value,
)
from schema.errors import ApiError, UserError
from schema.permissions import CanReadStudents
from schema.relay import Connection, build_connection, decode_cursor, page_size
from schema.types import Competency, Course, Layer, Level, Program, when

__all__ = ["LearnerMutation", "LearnerQuery"]

DIMENSION_NAMES = {"GEN": ("通识素养", "General AI literacy"),
                   "PRO": ("专业技能", "Professional skills"),
                   "IND": ("行业能力", "Industry capability"),
                   "ETH": ("伦理安全意识", "Ethics & safety awareness")}


def _context(info: Info[Context, Any]) -> Context:
    return info.context


def _require_college(principal: Principal, college: str | None) -> str:
    """The college a request is about; a college token defaults to (and is bound to) its own."""
    college = college or principal.college
    if college is None:
        raise ApiError("COLLEGE_REQUIRED", "name the college")
    if not principal.can_see_college(college):
        raise ApiError("FORBIDDEN", f"no access to the students of college {college}",
                       college=college)
    return college


@strawberry.type(description="Evidence that set an attained proficiency.")
class EvidenceRef:
    kind: EvidenceKind = strawberry.field(description="ASSESSMENT or CERTIFICATION")
    code: str
    at: datetime | None


@strawberry.type(description="One piece of evidence about a competency.")
class EvidenceItem:
    competency_code: str
    kind: EvidenceKind
    code: str
    at: datetime
    proficiency: int = strawberry.field(description="What it demonstrates when passed/held")
    counted_proficiency: int = strawberry.field(
        description="What it counts for in attainment: a certification at most the "
                    "certification cap (supplementary evidence); an assessment its proficiency")
    passed: bool = strawberry.field(description="Passed (results) or held (certifications)")
    score: float | None
    max_score: float | None
    _at: strawberry.Private[str]


@strawberry.type(description="A student's standing on one competency.")
class CompetencyStanding:
    competency_code: str
    layer_code: LayerCode
    required: int
    attained: int
    gap: int = strawberry.field(description="The gap: max(0, required − attained)")
    evidence: EvidenceRef | None = strawberry.field(
        description="The evidence behind the attained proficiency (null: none)")
    _uid: strawberry.Private[str]

    @staticmethod
    def of(item: Standing) -> CompetencyStanding:
        evidence = None
        if item.evidence_kind and item.evidence_code:
            evidence = EvidenceRef(kind=of(EvidenceKind, item.evidence_kind),
                                   code=item.evidence_code, at=when(item.evidence_at))
        return CompetencyStanding(competency_code=item.code,
                                  layer_code=of(LayerCode, item.layer),
                                  required=item.required, attained=item.attained,
                                  gap=item.gap, evidence=evidence, _uid=item.uid)

    @strawberry.field
    async def competency(self, info: Info[Context, Any]) -> Competency | None:
        row = await _context(info).nodes["Competency"].load(self._uid)
        return Competency.of(row) if row else None


@strawberry.type(description="Readiness of a layer or of the 伦理安全意识 dimension: "
                             "Σ min(attained, required) / Σ required.")
class DimensionReadiness:
    dimension: ReadinessDimension
    name_zh: str
    name_en: str
    required: int
    attained: int
    ratio: float = strawberry.field(description="Σ min(attained, required) / Σ required, 0–1")

    @staticmethod
    def of(item: _Readiness) -> DimensionReadiness:
        zh, en = DIMENSION_NAMES[item.dimension]
        return DimensionReadiness(dimension=of(ReadinessDimension, item.dimension),
                                  name_zh=zh, name_en=en,
                                  required=item.required, attained=item.attained,
                                  ratio=round(item.ratio, 4))


@strawberry.type(description="The highest level whose every requirement in the layer is met.")
class LayerPlacement:
    layer_code: LayerCode
    level_code: LevelCode | None

    @strawberry.field
    async def layer(self, info: Info[Context, Any]) -> Layer | None:
        row = await _context(info).global_by_code("layers", value(self.layer_code))
        return Layer.of(row) if row else None

    @strawberry.field
    async def level(self, info: Info[Context, Any]) -> Level | None:
        row = await _context(info).global_by_code("levels", code(self.level_code))
        return Level.of(row) if row else None


@strawberry.input(description="Measure gaps against one of: a level, a program or a job role "
                              "(default: the student's own program).")
class GapTarget:
    level: LevelCode | None = None
    program: str | None = None
    job_role: str | None = None


@strawberry.type(description="Gaps against a target: the standing per competency, readiness, the "
                             "total gap.")
class GapReport:
    target: str = strawberry.field(description="What was measured against, e.g. level:BK, "
                                               "program:P-AI-GZ, jobRole:JOB-IT-01")
    items: list[CompetencyStanding] = strawberry.field(
        description="The standing on every competency the target asks")
    readiness: list[DimensionReadiness]
    total_gap: int = strawberry.field(description="Σ gap 总差距")


@strawberry.type(description="One course of a learning path, and why it is there.")
class PathStep:
    position: int = strawberry.field(description="1-based position on the path")
    reason: PathStepReason = strawberry.field(
        description="GAP: closes a gap; PREREQUISITE: needed first")
    credits: float
    closes_codes: list[str] = strawberry.field(description="Competency codes whose gap it closes")
    _course_uid: strawberry.Private[str]

    @strawberry.field
    async def course(self, info: Info[Context, Any]) -> Course | None:
        row = await _context(info).nodes["Course"].load(self._course_uid)
        return Course.of(row) if row else None


@strawberry.type(description="Where the competency order (a course after the courses that "
                             "teach the prerequisites of the gaps it closes) could not be "
                             "kept, and which order won.")
class PathOrderConflict:
    course_code: str
    wanted_after_code: str = strawberry.field(
        description="The course the competency order wanted before courseCode")
    won_by: str = strawberry.field(
        description="Which edge won: course-prerequisite: a course REQUIRES edge puts it "
                    "after courseCode (declared course prerequisites always win); "
                    "competency-order: an "
                    "earlier competency-order edge does")


@strawberry.type(description="Courses to take, in an order that respects prerequisites.")
class LearningPath:
    steps: list[PathStep] = strawberry.field(description="Courses in the order to take them")
    total_credits: float = strawberry.field(description="Credits of all steps 总学分")
    uncovered_codes: list[str] = strawberry.field(description="Gaps no available course closes")
    order_conflicts: list[PathOrderConflict] = strawberry.field(
        description="Competency-order wishes dropped to keep the order acyclic")


@strawberry.type(description="A student: pseudonymous code; no names or ID numbers are kept.")
class Student:
    code: str
    college: str
    class_label: str | None
    enrolled_on: date | None = strawberry.field(description="Day of enrolment 入学日期")
    framework: strawberry.ID
    level_code: LevelCode | None
    program_code: str | None
    _row: strawberry.Private[Record]
    _report: strawberry.Private[dict[str, Any]]

    @staticmethod
    def of(row: Record, standing: Record | None = None) -> Student:
        """``standing``: the row ``student_with_standing`` read with the student, so its
        report needs no second query."""
        return Student(code=row["code"], college=row["college"],
                       class_label=row.get("classLabel"),
                       enrolled_on=_day(row.get("enrolledOn")),
                       framework=row["fw"], level_code=of_opt(LevelCode, row.get("level")),
                       program_code=row.get("programCode"), _row=row,
                       _report={} if standing is None else {"standing": standing})

    async def report(self, info: Info[Context, Any]) -> analytics.StudentReport:
        """Computed once per student per request, whichever fields ask for it."""
        if "task" not in self._report:
            if "standing" in self._report:
                done: asyncio.Future[analytics.StudentReport] = (
                    asyncio.get_running_loop().create_future())
                done.set_result(analytics.report_of(self._row, self._report["standing"]))
                self._report["task"] = done
            else:
                self._report["task"] = asyncio.ensure_future(
                    analytics.student_report(_context(info).store, self._row))
        return await self._report["task"]

    @strawberry.field
    async def program(self, info: Info[Context, Any]) -> Program | None:
        row = await _context(info).nodes["Program"].load(self._row["program"])
        return Program.of(row) if row else None

    @strawberry.field(description="Attained vs required per competency, with evidence.")
    async def standing(self, info: Info[Context, Any], only_gaps: Annotated[
            bool, strawberry.argument(description="Only competencies with a gap")] = False,
                       layer: LayerCode | None = None) -> list[CompetencyStanding]:
        report = await self.report(info)
        return [CompetencyStanding.of(s) for s in report.standings
                if (s.required > 0 or s.attained > 0) and (not only_gaps or s.gap > 0)
                and (layer is None or s.layer == value(layer))]

    @strawberry.field(description="Readiness per layer and for 伦理安全意识.")
    async def readiness(self, info: Info[Context, Any]) -> list[DimensionReadiness]:
        return [DimensionReadiness.of(r) for r in (await self.report(info)).readiness]

    @strawberry.field(description="Level reached in each layer (null: not even ZZ).")
    async def placement(self, info: Info[Context, Any]) -> list[LayerPlacement]:
        placed = (await self.report(info)).placement
        return [LayerPlacement(layer_code=of(LayerCode, layer),
                               level_code=of_opt(LevelCode, level))
                for layer, level in placed.items()]

    async def _target_standings(self, info: Info[Context, Any],
                                target: GapTarget | None) -> tuple[str, list[Standing]]:
        context = _context(info)
        report = await self.report(info)
        if target is None or not (target.level or target.program or target.job_role):
            own = [s for s in report.standings if s.required > 0]
            return f"program:{self.program_code}", own
        chosen = [v for v in (target.level, target.program, target.job_role) if v]
        if len(chosen) != 1:
            raise ApiError("ONE_TARGET", "give exactly one of level, program, jobRole")
        if target.level:
            level = value(target.level)
            if await context.global_by_code("levels", level) is None:
                raise ApiError("UNKNOWN_LEVEL", f"no level {level!r}")
            items = await analytics.gaps_against(context.store, self._row, report.standings,
                                                 level=level)
            return f"level:{level}", items
        label, code = ("Program", target.program) if target.program else (
            "JobRole", target.job_role)
        assert code is not None
        uid = element_uid(self.framework, code)
        if await context.nodes[label].load(uid) is None:
            raise ApiError(f"UNKNOWN_{label.upper()}", f"no {label} {code} in {self.framework}")
        items = await analytics.gaps_against(
            context.store, self._row, report.standings,
            program=uid if target.program else None,
            job_role=uid if target.job_role else None)
        return f"{'program' if target.program else 'jobRole'}:{code}", items

    @strawberry.field(description="Gaps against the own program, or a level/program/job role.")
    async def gaps(self, info: Info[Context, Any],
                   target: GapTarget | None = None) -> GapReport:
        name, items = await self._target_standings(info, target)
        return GapReport(target=name, items=[CompetencyStanding.of(s) for s in items],
                         readiness=[DimensionReadiness.of(r)
                                    for r in analytics.readiness(items)],
                         total_gap=sum(s.gap for s in items))

    @strawberry.field(description="Courses that close the gaps, ordered by prerequisites.")
    async def learning_path(self, info: Info[Context, Any],
                            target: GapTarget | None = None) -> LearningPath:
        _, items = await self._target_standings(info, target)
        report = await self.report(info)
        path = await analytics.learning_path(_context(info).store, self._row, items,
                                             report.standings)
        steps = [PathStep(position=i + 1, reason=of(PathStepReason, s.reason), credits=s.credits,
                          closes_codes=s.closes, _course_uid=s.uid)
                 for i, s in enumerate(path.steps)]
        return LearningPath(steps=steps, total_credits=path.total_credits,
                            uncovered_codes=path.uncovered, order_conflicts=[
                                PathOrderConflict(course_code=c.course,
                                                  wanted_after_code=c.wanted_after,
                                                  won_by=c.won_by) for c in path.conflicts])

    @strawberry.field(description="All evidence behind the standing (results, certificates).")
    async def evidence(self, info: Info[Context, Any],
                       competency: str | None = None) -> list[EvidenceItem]:
        rows = await analytics.student_evidence(_context(info).store, self._row["uid"])
        return sorted(
            (EvidenceItem(competency_code=r["competency"], kind=of(EvidenceKind, r["kind"]),
                          code=r["code"], at=datetime.fromisoformat(str(r["at"])),
                          _at=str(r["at"]), proficiency=int(r["proficiency"]),
                          counted_proficiency=counted_proficiency(
                              str(r["kind"]), int(r["proficiency"]),
                              _context(info).certification_cap),
                          passed=bool(r["passed"]),
                          score=float(r["score"]) if r["score"] is not None else None,
                          max_score=float(r["maxScore"]) if r["maxScore"] is not None else None)
             for r in rows if competency is None or r["competency"] == competency),
            key=lambda e: (e.competency_code, e._at, e.code))


@strawberry.type(description="How many students of a cohort meet one competency their program "
                             "requires.")
class CompetencyShare:
    competency_code: str
    layer_code: LayerCode
    students: int = strawberry.field(description="Students whose program requires it")
    meeting: int
    share: float = strawberry.field(description="Share meeting it: meeting / students")
    gap_total: int
    _uid: strawberry.Private[str]

    @strawberry.field
    async def competency(self, info: Info[Context, Any]) -> Competency | None:
        row = await _context(info).nodes["Competency"].load(self._uid)
        return Competency.of(row) if row else None


@strawberry.type(description="How many students of a cohort reached a level in a layer.")
class PlacementCount:
    layer_code: LayerCode
    level_code: LevelCode | None
    students: int


@strawberry.type(description="How many students' readiness on a dimension falls in a fifth of 0–1.")
class ReadinessBucket:
    dimension: ReadinessDimension
    lower: float = strawberry.field(description="Lower bound of the fifth (inclusive)")
    upper: float = strawberry.field(description="Upper bound (exclusive, 1.0 inclusive)")
    students: int


@strawberry.type(description="A cohort (college, program or class) in one aggregation.")
class CohortReport:
    students: int
    competencies: list[CompetencyShare]
    placement: list[PlacementCount]
    readiness: list[ReadinessBucket]

    @strawberry.field(description="The competencies most students miss.")
    def common_gaps(self, limit: int = 10) -> list[CompetencyShare]:
        missing = [c for c in self.competencies if c.meeting < c.students]
        missing.sort(key=lambda c: (-(c.students - c.meeting), c.competency_code))
        return missing[:max(0, min(limit, 100))]


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
