"""A student's standing in GraphQL: evidence, per-competency standing, readiness,
placement, gaps and the learning path."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from graph.standing import DimensionReadiness as _Readiness
from graph.standing import Standing
from schema.access import Principal
from schema.context import Context
from schema.enums import (
    EvidenceKind,
    LayerCode,
    LevelCode,
    PathStepReason,
    ReadinessDimension,
    code,
    of,
    value,
)
from schema.errors import ApiError
from schema.types import Competency, Course, Layer, Level, when

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
