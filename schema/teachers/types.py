"""GraphQL types of teachers and the teacher competency standard (教师人工智能教学胜任力)."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader

from graph import teacher_standing, teachers
from graph.ids import element_uid
from graph.store import Record
from graph.teacher_standards import StandardItem, TierInfo, standard_of
from schema.batches import Info
from schema.context import Context
from schema.enums import LayerCode
from schema.errors import ApiError
from schema.programs import TeacherTier
from schema.types import Course

__all__ = [
    "CollegeTeachingReport", "CourseCoverageStatus", "CourseTeachingCoverage",
    "ProjectRole", "StandardProgress", "Teacher", "TeacherEvidence", "TeacherEvidenceKind",
    "TeacherPlacement", "TeacherStandardItem", "ThresholdUnit", "TierCount", "loaders",
]


@strawberry.enum(description="What a piece of teacher evidence is.")
class TeacherEvidenceKind(Enum):
    TRAINING = strawberry.enum_value("training", description="培训/研修: training, in hours")
    ENTERPRISE_PRACTICE = strawberry.enum_value(
        "enterprisePractice", description="企业实践: practice at a company, in hours")
    PROJECT = strawberry.enum_value(
        "project", description="项目: an enterprise AI project or R&D, with the role held")
    TEACHING_CASE = strawberry.enum_value(
        "teachingCase", description="教学案例: an enterprise project turned into a teaching case")


@strawberry.enum(description="A teacher's role in a project.")
class ProjectRole(Enum):
    LEAD = strawberry.enum_value("lead", description="负责人 leads it")
    CORE = strawberry.enum_value("core", description="核心成员 core member")
    MEMBER = strawberry.enum_value("member", description="参与成员 member")


@strawberry.enum(description="What a standard item's threshold counts.")
class ThresholdUnit(Enum):
    HOURS = strawberry.enum_value("hours", description="Total hours of the evidence")
    PIECES = strawberry.enum_value("pieces", description="Number of pieces of evidence")


@strawberry.enum(description="Whether a course has a teacher at the tier it needs.")
class CourseCoverageStatus(Enum):
    COVERED = strawberry.enum_value("covered", description="A teacher at the tier teaches it")
    BELOW_TIER = strawberry.enum_value(
        "belowTier", description="Taught, but by no teacher at the tier it needs")
    NO_TEACHER = strawberry.enum_value("noTeacher", description="No teacher teaches it")


class _Loaders:
    """Per-request loaders: a teacher's evidence (one query per field level) and a version's
    standard (once per version)."""

    def __init__(self, context: Context) -> None:
        store = context.store

        async def evidence(uids: Sequence[str]) -> list[list[Record]]:
            return await teachers.evidence_of(store, uids)

        async def standards(fws: Sequence[str]) -> list[list[TierInfo]]:
            return [await standard_of(store, fw) for fw in fws]

        async def frameworks(uids: Sequence[str | None]) -> list[Any]:
            found: list[Any] = []
            for uid in uids:
                try:
                    found.append(str((await context.resolve_framework(uid))["uid"]))
                except ApiError as refused:  # this key's error, not the whole batch's
                    found.append(refused)
            return found

        self.evidence: DataLoader[str, list[Record]] = DataLoader(load_fn=evidence)
        self.standard: DataLoader[str, list[TierInfo]] = DataLoader(load_fn=standards)
        # fields of many teachers ask for the same version at once: resolved once
        self.framework: DataLoader[str | None, str] = DataLoader(load_fn=frameworks)


_PER_REQUEST: weakref.WeakKeyDictionary[Context, _Loaders] = weakref.WeakKeyDictionary()


def loaders(context: Context) -> _Loaders:
    if context not in _PER_REQUEST:
        _PER_REQUEST[context] = _Loaders(context)
    return _PER_REQUEST[context]


@strawberry.type(description="An item of the teacher competency standard: what a teacher of "
                             "a tier can do in one layer, and the evidence that shows it.")
class TeacherStandardItem:
    code: str = strawberry.field(description="Item code, e.g. TS-2-PRO")
    tier_code: str = strawberry.field(description="TT-1 普及层, TT-2 深化层, TT-3 研发层")
    layer: LayerCode = strawberry.field(description="通识素养, 专业技能 or 行业能力")
    name_zh: str = strawberry.field(description="名称")
    name_en: str = strawberry.field(description="Name")
    description_zh: str | None = strawberry.field(description="说明")
    description_en: str | None = strawberry.field(description="Description")
    evidence_kind: TeacherEvidenceKind = strawberry.field(description="Evidence counted")
    unit: ThresholdUnit = strawberry.field(description="Hours or pieces")
    threshold: int = strawberry.field(description="Total hours or pieces needed")
    roles: list[ProjectRole] = strawberry.field(description="Project roles that count "
                                                            "(empty: any)")
    within_years: int | None = strawberry.field(
        description="Evidence counts this many years back (null: forever)")
    source: str | None = strawberry.field(description="Where the 指引 asks for it")
    framework: strawberry.ID = strawberry.field(description="Framework version")

    @staticmethod
    def of(item: StandardItem, fw: str) -> TeacherStandardItem:
        props = item.props
        return TeacherStandardItem(
            code=item.code, tier_code=item.tier, layer=LayerCode(item.layer),
            name_zh=props["nameZh"], name_en=props["nameEn"],
            description_zh=props.get("descriptionZh"),
            description_en=props.get("descriptionEn"),
            evidence_kind=TeacherEvidenceKind(item.evidence_kind),
            unit=ThresholdUnit.HOURS if item.min_hours is not None else ThresholdUnit.PIECES,
            threshold=int(item.min_hours or item.min_count or 0),
            roles=[ProjectRole(r) for r in item.roles], within_years=item.within_years,
            source=props.get("source"), framework=strawberry.ID(fw))

    @strawberry.field(description="The tier it belongs to.")
    async def tier(self, info: Info) -> TeacherTier | None:
        row = await info.context.nodes["TeacherTier"].load(
            element_uid(self.framework, self.tier_code))
        return TeacherTier.of(row) if row else None


@strawberry.type(description="One piece of teacher evidence: a training, enterprise practice, "
                             "project or teaching case.")
class TeacherEvidence:
    id: strawberry.ID = strawberry.field(description="Stable id")
    kind: TeacherEvidenceKind = strawberry.field(description="What it is")
    layer: LayerCode = strawberry.field(description="The layer it builds")
    title: str = strawberry.field(description="Its title")
    provider: str | None = strawberry.field(description="Who ran it (a body or company)")
    completed_on: date = strawberry.field(description="When it was completed")
    hours: float | None = strawberry.field(description="Hours (training, practice)")
    role: ProjectRole | None = strawberry.field(description="The role held (projects)")

    @staticmethod
    def of(row: Record) -> TeacherEvidence:
        return TeacherEvidence(
            id=strawberry.ID(row["uid"]), kind=TeacherEvidenceKind(row["kind"]),
            layer=LayerCode(row["layer"]), title=row["title"], provider=row.get("provider"),
            completed_on=date.fromisoformat(row["completedOn"]),
            hours=float(row["hours"]) if row.get("hours") is not None else None,
            role=ProjectRole(row["role"]) if row.get("role") else None)


@strawberry.type(description="Progress on one standard item.")
class StandardProgress:
    item: TeacherStandardItem = strawberry.field(description="The item")
    have: float = strawberry.field(description="Hours or pieces counted")
    need: int = strawberry.field(description="Hours or pieces needed")
    met: bool = strawberry.field(description="Met: have ≥ need")
    evidence_ids: list[strawberry.ID] = strawberry.field(description="The evidence counted")

    @staticmethod
    def of(progress: teacher_standing.ItemProgress, fw: str) -> StandardProgress:
        return StandardProgress(item=TeacherStandardItem.of(progress.item, fw),
                                have=float(progress.have), need=progress.need, met=progress.met,
                                evidence_ids=[strawberry.ID(e) for e in progress.evidence])


@strawberry.type(description="A teacher's tier: the highest all of whose items (and those of "
                             "the tiers below) are met; and the gaps to the next tier.")
class TeacherPlacement:
    tier_code: str | None = strawberry.field(description="Tier reached (null: not even TT-1)")
    next_tier_code: str | None = strawberry.field(description="The tier above (null: top)")
    framework: strawberry.ID = strawberry.field(description="The standard's version")
    as_of: date = strawberry.field(description="The day evidence is counted up to")
    items: list[StandardProgress] = strawberry.field(description="Every item, by tier")
    gaps: list[StandardProgress] = strawberry.field(
        description="Unmet items up to the next tier: what stands between the teacher and it")

    @strawberry.field(description="The tier reached.")
    async def tier(self, info: Info) -> TeacherTier | None:
        if self.tier_code is None:
            return None
        row = await info.context.nodes["TeacherTier"].load(
            element_uid(self.framework, self.tier_code))
        return TeacherTier.of(row) if row else None


FrameworkArg = Annotated[strawberry.ID | None, strawberry.argument(
    description="Framework version of the standard and courses (default: latest published)")]
AsOf = Annotated[date | None, strawberry.argument(
    description="Count evidence up to this day (default: today, UTC)")]


def today() -> date:
    return datetime.now(UTC).date()


@strawberry.type(description="A teacher 教师: a pseudonymous code within a college (no names "
                             "are kept), the subjects and courses taught.")
class Teacher:
    code: str = strawberry.field(description="Pseudonymous code, unique in the college")
    college: str = strawberry.field(description="College code")
    subjects: list[str] = strawberry.field(description="Subjects taught (free text)")
    course_codes: list[str] = strawberry.field(description="Codes of the courses taught")
    _uid: strawberry.Private[str]

    @staticmethod
    def of(row: Record) -> Teacher:
        return Teacher(code=row["code"], college=row["college"],
                       subjects=list(row.get("subjects") or []),
                       course_codes=list(row.get("courses") or []), _uid=row["uid"])

    @strawberry.field(description="The courses taught, as the framework version holds them.")
    async def courses(self, info: Info, framework: FrameworkArg = None) -> list[Course]:
        fw = await loaders(info.context).framework.load(framework)
        rows = await info.context.nodes["Course"].load_many(
            [element_uid(fw, code) for code in self.course_codes])
        return [Course.of(row) for row in rows if row is not None]

    @strawberry.field(description="All evidence, oldest first.")
    async def evidence(self, info: Info) -> list[TeacherEvidence]:
        rows = await loaders(info.context).evidence.load(self._uid)
        return [TeacherEvidence.of(row) for row in rows]

    @strawberry.field(description="Tier reached and gaps, against the version's standard.")
    async def placement(self, info: Info, framework: FrameworkArg = None,
                        as_of: AsOf = None) -> TeacherPlacement:
        holder = loaders(info.context)
        fw = await holder.framework.load(framework)
        day = as_of or today()
        tiers, evidence = await holder.standard.load(fw), await holder.evidence.load(self._uid)
        placed = teacher_standing.place(tiers, evidence, day)
        return TeacherPlacement(
            tier_code=placed.tier.code if placed.tier else None,
            next_tier_code=placed.next_tier.code if placed.next_tier else None,
            framework=strawberry.ID(fw), as_of=day,
            items=[StandardProgress.of(p, fw) for p in placed.items],
            gaps=[StandardProgress.of(p, fw) for p in placed.gaps])


@strawberry.type(description="How many of a college's teachers reached a tier.")
class TierCount:
    tier_code: str | None = strawberry.field(description="The tier (null: none reached)")
    teachers: int = strawberry.field(description="Teachers whose tier it is")


@strawberry.type(description="Whether a course of the college's programs has a teacher at the "
                             "tier it needs (GEN → TT-1; PRO, IND → TT-2; BK IND → TT-3).")
class CourseTeachingCoverage:
    course: Course = strawberry.field(description="The course")
    program_codes: list[str] = strawberry.field(description="The college's programs with it")
    needed_tier_code: str = strawberry.field(description="The tier the course needs")
    best_tier_code: str | None = strawberry.field(
        description="The highest tier among its teachers (null: none placed)")
    teacher_codes: list[str] = strawberry.field(description="Teachers who teach it")
    status: CourseCoverageStatus = strawberry.field(description="Covered or not, and why")


@strawberry.type(description="A college's teaching force: how its teachers spread over the "
                             "tiers, and which courses lack a teacher at the tier they need.")
class CollegeTeachingReport:
    college: str = strawberry.field(description="College code")
    framework: strawberry.ID = strawberry.field(description="The version judged against")
    as_of: date = strawberry.field(description="The day evidence is counted up to")
    teachers: int = strawberry.field(description="Teachers of the college")
    tiers: list[TierCount] = strawberry.field(description="None first, then tier by tier")
    _courses: strawberry.Private[list[CourseTeachingCoverage]]

    @strawberry.field(description="The courses of the college's programs in the version.")
    def courses(self, only_lacking: Annotated[bool, strawberry.argument(
            description="Only courses without a teacher at their tier")] = True,
                ) -> list[CourseTeachingCoverage]:
        return [c for c in self._courses
                if not only_lacking or c.status is not CourseCoverageStatus.COVERED]
