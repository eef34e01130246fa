"""GraphQL object types of the framework's elements: content in Chinese first, English beside
it (the reference types they point at: ``schema.reference``, re-exported here; programs and
teacher tiers: ``schema.programs``).

Each type is built from a store record; nested fields go through the request's DataLoaders,
so asking for the prerequisites of 50 competencies is one store query, not 50.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graph.store import Record
from schema.context import Context
from schema.enums import AssessmentKind, CourseKind, LayerCode, LevelCode, of
from schema.enums import code as enum_code
from schema.node import Node
from schema.reference import (
    FRAMEWORK_ID,
    College,
    Framework,
    Industry,
    Layer,
    Level,
    Proficiency,
    Strand,
    _ctx,
    _edges,
    _layer,
    _level,
    _node,
    when,
)

__all__ = [
    "Assessment", "Certification", "College", "Competency", "Course", "Framework", "Industry",
    "JobRole", "Layer", "Level", "Major", "Proficiency", "Requirement", "Strand", "when",
]

@strawberry.type(description="A major 专业, offered at one or more levels.")
class Major(Node):
    code: str
    name_zh: str
    name_en: str
    levels: list[LevelCode] = strawberry.field(description="Levels it is offered at 开设层次")
    catalog_codes: list[str] = strawberry.field(
        description="Official 专业目录 codes as LEVEL:CODE, where known")
    source: str | None
    framework: strawberry.ID = strawberry.field(description=FRAMEWORK_ID)
    _industry: strawberry.Private[str | None]
    _uid: strawberry.Private[str]

    @staticmethod
    def of(row: Record) -> Major:
        return Major(code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"],
                     levels=[of(LevelCode, v) for v in row.get("levels") or []],
                     catalog_codes=list(row.get("catalogCodes") or []),
                     source=row.get("source"), framework=row["fw"],
                     _industry=row.get("industry"), _uid=row["uid"])

    @strawberry.field
    async def industry(self, info: Info[Context, Any]) -> Industry | None:
        row = await _node(info, "Industry", self.framework, self._industry)
        return Industry.of(row) if row else None

    @strawberry.field(description="The major's 专业技能 competencies.")
    async def competencies(self, info: Info[Context, Any]) -> list[Competency]:
        return [Competency.of(r["node"]) for r in await _edges(info, "majorCompetencies",
                                                                self._uid)]


@strawberry.type(description="What a level asks of a competency: descriptor and target.")
class Requirement(Node):
    code: str
    level_code: LevelCode
    competency_code: str
    descriptor_zh: str
    descriptor_en: str
    target: Proficiency
    source: str | None
    framework: strawberry.ID = strawberry.field(description=FRAMEWORK_ID)
    _uid: strawberry.Private[str]

    @staticmethod
    def of(row: Record) -> Requirement:
        target = Proficiency.of(row["proficiency"])
        assert target is not None
        return Requirement(code=row["code"], level_code=of(LevelCode, row["level"]),
                           competency_code=row["competency"],
                           descriptor_zh=row.get("descriptorZh") or "",
                           descriptor_en=row.get("descriptorEn") or "", target=target,
                           source=row.get("source"), framework=row["fw"], _uid=row["uid"])

    @strawberry.field
    async def level(self, info: Info[Context, Any]) -> Level | None:
        return await _level(info, self.level_code)

    @strawberry.field
    async def competency(self, info: Info[Context, Any]) -> Competency | None:
        row = await _node(info, "Competency", self.framework, self.competency_code)
        return Competency.of(row) if row else None

    @strawberry.field(description="The next level's requirements this one grows into (中高本贯通).")
    async def progresses_to(self, info: Info[Context, Any]) -> list[Requirement]:
        return [Requirement.of(r["node"]) for r in await _edges(info, "progressesTo", self._uid)]

    @strawberry.field(description="The earlier level's requirements this one builds on.")
    async def progresses_from(self, info: Info[Context, Any]) -> list[Requirement]:
        return [Requirement.of(r["node"])
                for r in await _edges(info, "progressesFrom", self._uid)]


@strawberry.type(description="A course that teaches a competency, and the proficiency it reaches.")
class CourseTeaching:
    course: Course
    proficiency: Proficiency


@strawberry.type(description="A competency a course teaches, and the proficiency it reaches.")
class CompetencyTeaching:
    competency: Competency
    proficiency: Proficiency


@strawberry.type(description="An assessment that measures a competency: at which proficiency, with "
                             "what weight.")
class AssessmentMeasure:
    assessment: Assessment
    proficiency: Proficiency
    weight: float


@strawberry.type(description="A competency an assessment measures: at which proficiency, with what "
                             "weight.")
class CompetencyMeasure:
    competency: Competency
    proficiency: Proficiency
    weight: float


@strawberry.type(description="A certification that evidences a competency at a proficiency.")
class CertificationEvidence:
    certification: Certification
    proficiency: Proficiency


@strawberry.type(description="A competency a certification evidences, at a proficiency.")
class CompetencyEvidence:
    competency: Competency
    proficiency: Proficiency


@strawberry.type(description="A job role 岗位 that needs a competency: proficiency, and whether "
                             "essential.")
class JobRoleNeed:
    job_role: JobRole
    proficiency: Proficiency
    essential: bool


@strawberry.type(description="A competency a job role needs: proficiency, and whether essential.")
class CompetencyNeed:
    competency: Competency
    proficiency: Proficiency
    essential: bool


def _prof(row: Record) -> Proficiency:
    value = Proficiency.of(row.get("proficiency"))
    assert value is not None
    return value


@strawberry.type(description="A competency 能力 of the framework.")
class Competency(Node):
    code: str
    name_zh: str
    name_en: str
    description_zh: str | None
    description_en: str | None
    source: str | None
    level_codes: list[LevelCode] = strawberry.field(
        description="Levels with a requirement for this competency")
    layer_code: LayerCode
    strand_codes: list[str] = strawberry.field(description="Strands it is on 主线, e.g. ETH")
    framework: strawberry.ID = strawberry.field(description=FRAMEWORK_ID)
    _uid: strawberry.Private[str]
    _major: strawberry.Private[str | None]
    _industry: strawberry.Private[str | None]

    @staticmethod
    def of(row: Record) -> Competency:
        return Competency(code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"],
                          description_zh=row.get("descriptionZh"),
                          description_en=row.get("descriptionEn"), source=row.get("source"),
                          level_codes=[of(LevelCode, v) for v in row.get("levels") or []],
                          layer_code=of(LayerCode, row["layer"]),
                          strand_codes=list(row.get("strands") or []), framework=row["fw"],
                          _uid=row["uid"], _major=row.get("major"),
                          _industry=row.get("industry"))

    @strawberry.field
    async def layer(self, info: Info[Context, Any]) -> Layer | None:
        return await _layer(info, self.layer_code)

    @strawberry.field
    async def strands(self, info: Info[Context, Any]) -> list[Strand]:
        rows = await _ctx(info).global_list("strands")
        return [Strand.of(r) for r in rows if r["code"] in self.strand_codes]

    @strawberry.field(description="The major, for a 专业技能 competency.")
    async def major(self, info: Info[Context, Any]) -> Major | None:
        row = await _node(info, "Major", self.framework, self._major)
        return Major.of(row) if row else None

    @strawberry.field(description="The industry, for a 行业能力 competency.")
    async def industry(self, info: Info[Context, Any]) -> Industry | None:
        row = await _node(info, "Industry", self.framework, self._industry)
        return Industry.of(row) if row else None

    @strawberry.field(description="Per-level requirements, ZZ → GZ → BK (the progression).")
    async def requirements(self, info: Info[Context, Any]) -> list[Requirement]:
        return [Requirement.of(r["node"]) for r in await _edges(info, "requirements", self._uid)]

    @strawberry.field(description="The requirement at one level, if the level has one.")
    async def requirement(self, info: Info[Context, Any],
                          level: LevelCode) -> Requirement | None:
        for row in await _edges(info, "requirements", self._uid):
            if row["node"]["level"] == enum_code(level):
                return Requirement.of(row["node"])
        return None

    @strawberry.field(description="Prerequisites: direct, or all of them with transitive: true.")
    async def prerequisites(self, info: Info[Context, Any],
                            transitive: bool = False) -> list[Competency]:
        name = "allPrerequisites" if transitive else "prerequisites"
        return [Competency.of(r["node"]) for r in await _edges(info, name, self._uid)]

    @strawberry.field(description="Competencies that require this one (direct or transitive).")
    async def dependents(self, info: Info[Context, Any],
                         transitive: bool = False) -> list[Competency]:
        name = "allDependents" if transitive else "dependents"
        return [Competency.of(r["node"]) for r in await _edges(info, name, self._uid)]

    @strawberry.field(description="Courses that teach it, with the proficiency they reach.")
    async def taught_by(self, info: Info[Context, Any]) -> list[CourseTeaching]:
        return [CourseTeaching(course=Course.of(r["node"]), proficiency=_prof(r))
                for r in await _edges(info, "taughtBy", self._uid)]

    @strawberry.field(description="Assessments that measure it.")
    async def measured_by(self, info: Info[Context, Any]) -> list[AssessmentMeasure]:
        return [AssessmentMeasure(assessment=Assessment.of(r["node"]), proficiency=_prof(r),
                                  weight=float(r["weight"]))
                for r in await _edges(info, "measuredBy", self._uid)]

    @strawberry.field(description="Enterprise certifications that evidence it (企业认证).")
    async def evidenced_by(self, info: Info[Context, Any]) -> list[CertificationEvidence]:
        return [CertificationEvidence(certification=Certification.of(r["node"]),
                                      proficiency=_prof(r))
                for r in await _edges(info, "evidencedBy", self._uid)]

    @strawberry.field(description="Typical jobs 岗位 that need it.")
    async def needed_by(self, info: Info[Context, Any]) -> list[JobRoleNeed]:
        return [JobRoleNeed(job_role=JobRole.of(r["node"]), proficiency=_prof(r),
                            essential=bool(r["essential"]))
                for r in await _edges(info, "neededBy", self._uid)]


@strawberry.type(description="A course 课程 of the three-layer course system.")
class Course(Node):
    code: str
    name_zh: str
    name_en: str
    level_code: LevelCode
    layer_code: LayerCode
    kind: CourseKind = strawberry.field(description="REQUIRED 必修 or ELECTIVE 选修")
    credits: float
    hours: int
    major_code: str | None
    industry_code: str | None
    source: str | None
    framework: strawberry.ID = strawberry.field(description=FRAMEWORK_ID)
    _uid: strawberry.Private[str]

    @staticmethod
    def of(row: Record) -> Course:
        return Course(code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"],
                      level_code=of(LevelCode, row["level"]),
                      layer_code=of(LayerCode, row["layer"]), kind=of(CourseKind, row["kind"]),
                      credits=float(row["credits"]), hours=int(row["hours"]),
                      major_code=row.get("major"), industry_code=row.get("industry"),
                      source=row.get("source"), framework=row["fw"], _uid=row["uid"])

    @strawberry.field
    async def level(self, info: Info[Context, Any]) -> Level | None:
        return await _level(info, self.level_code)

    @strawberry.field
    async def layer(self, info: Info[Context, Any]) -> Layer | None:
        return await _layer(info, self.layer_code)

    @strawberry.field
    async def teaches(self, info: Info[Context, Any]) -> list[CompetencyTeaching]:
        return [CompetencyTeaching(competency=Competency.of(r["node"]), proficiency=_prof(r))
                for r in await _edges(info, "courseTeaches", self._uid)]

    @strawberry.field(description="Courses to take before this one.")
    async def prerequisites(self, info: Info[Context, Any]) -> list[Course]:
        return [Course.of(r["node"]) for r in await _edges(info, "coursePrerequisites",
                                                            self._uid)]


@strawberry.type(description="An assessment 评价工具 of one level (梯度化).")
class Assessment(Node):
    code: str
    name_zh: str
    name_en: str
    level_code: LevelCode
    kind: AssessmentKind
    max_score: int
    source: str | None
    framework: strawberry.ID = strawberry.field(description=FRAMEWORK_ID)
    _uid: strawberry.Private[str]

    @staticmethod
    def of(row: Record) -> Assessment:
        return Assessment(code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"],
                          level_code=of(LevelCode, row["level"]),
                          kind=of(AssessmentKind, row["kind"]),
                          max_score=int(row["maxScore"]), source=row.get("source"),
                          framework=row["fw"], _uid=row["uid"])

    @strawberry.field
    async def measures(self, info: Info[Context, Any]) -> list[CompetencyMeasure]:
        return [CompetencyMeasure(competency=Competency.of(r["node"]), proficiency=_prof(r),
                                  weight=float(r["weight"]))
                for r in await _edges(info, "assessmentMeasures", self._uid)]


@strawberry.type(description="An enterprise certification 企业认证 (supplementary evidence).")
class Certification(Node):
    code: str
    name_zh: str
    name_en: str
    issuer_zh: str | None
    issuer_en: str | None
    source: str | None
    framework: strawberry.ID = strawberry.field(description=FRAMEWORK_ID)
    _uid: strawberry.Private[str]

    @staticmethod
    def of(row: Record) -> Certification:
        return Certification(code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"],
                             issuer_zh=row.get("issuerZh"), issuer_en=row.get("issuerEn"),
                             source=row.get("source"), framework=row["fw"], _uid=row["uid"])

    @strawberry.field(description="Competencies it evidences, with the proficiency")
    async def evidences(self, info: Info[Context, Any]) -> list[CompetencyEvidence]:
        return [CompetencyEvidence(competency=Competency.of(r["node"]), proficiency=_prof(r))
                for r in await _edges(info, "certificationEvidences", self._uid)]


@strawberry.type(description="A typical job 岗位 and the competencies it needs.")
class JobRole(Node):
    code: str
    name_zh: str
    name_en: str
    level_code: LevelCode
    industry_code: str
    source: str | None
    framework: strawberry.ID = strawberry.field(description=FRAMEWORK_ID)
    _uid: strawberry.Private[str]

    @staticmethod
    def of(row: Record) -> JobRole:
        return JobRole(code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"],
                       level_code=of(LevelCode, row["level"]), industry_code=row["industry"],
                       source=row.get("source"), framework=row["fw"], _uid=row["uid"])

    @strawberry.field
    async def industry(self, info: Info[Context, Any]) -> Industry | None:
        row = await _node(info, "Industry", self.framework, self.industry_code)
        return Industry.of(row) if row else None

    @strawberry.field
    async def needs(self, info: Info[Context, Any]) -> list[CompetencyNeed]:
        return [CompetencyNeed(competency=Competency.of(r["node"]), proficiency=_prof(r),
                               essential=bool(r["essential"]))
                for r in await _edges(info, "jobRoleNeeds", self._uid)]
