"""GraphQL types of the skills-demand database (行业-企业-院校三方联动技能需求动态数据库)."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from fractions import Fraction

import strawberry

from graph import demand_analysis as analysis
from graph.demand_program import AppliedNeed, DemandGap
from graph.ids import element_uid
from graph.store import Record
from schema.batches import Info
from schema.enums import SkipReason
from schema.errors import UserError
from schema.types import Competency, JobRole, Proficiency

__all__ = [
    "AppliedDemandNeed", "ApplyDemandPayload", "CompetencyTrend", "DemandGrouping",
    "DemandNeed", "DemandPoint", "DemandReason", "DemandRecord", "DemandRecordInput",
    "DemandSourceKind", "JobDemand", "ProgramDemandGap", "ProgramDemandReport",
    "SkippedDemandNeed", "TrendDirection",
    "TrendPeriod", "TrendPoint", "value_of",
]


@strawberry.enum(description="Who observed a demand (三方联动): 行业 an industry body, 企业 an "
                             "enterprise, 院校 a college.")
class DemandSourceKind(Enum):
    INDUSTRY = strawberry.enum_value("industry", description="行业: an industry association "
                                                             "or body")
    ENTERPRISE = strawberry.enum_value("enterprise", description="企业: a company")
    COLLEGE = strawberry.enum_value("college", description="院校: a vocational college")


@strawberry.enum(description="The length of an observation period of a trend.")
class TrendPeriod(Enum):
    YEAR = strawberry.enum_value("year", description="Calendar years")
    HALF_YEAR = strawberry.enum_value("half", description="Half years (H1, H2)")
    QUARTER = strawberry.enum_value("quarter", description="Quarters (Q1–Q4)")


@strawberry.enum(description="Which way a competency's required proficiency moves.")
class TrendDirection(Enum):
    RISING = strawberry.enum_value("rising", description="slope ≥ minSlope")
    FALLING = strawberry.enum_value("falling", description="slope ≤ −minSlope")
    STEADY = strawberry.enum_value("steady", description="in between")


@strawberry.enum(description="What trends are computed per, besides the competency.")
class DemandGrouping(Enum):
    INDUSTRY = strawberry.enum_value("industry", description="per industry 行业 of the job")
    REGION = strawberry.enum_value("region", description="per region 地区 of the source")


@strawberry.enum(description="Why a need counts as rising for the next framework version.")
class DemandReason(Enum):
    RISING_TREND = strawberry.enum_value(
        "RISING_TREND", description="Its records' slope over periods reaches minSlope")
    ABOVE_FRAMEWORK = strawberry.enum_value(
        "ABOVE_FRAMEWORK", description="The current aggregate asks more than the version's "
                                       "NEEDS edge")
    NEW_NEED = strawberry.enum_value(
        "NEW_NEED", description="The version's job role does not list the competency at all")


def value_of(member: Enum) -> str:
    """An enum member's stored value (typed here once: the members are declared with
    ``strawberry.enum_value`` for their descriptions)."""
    return str(member.value)


def _ratio(value: Fraction, digits: int = 4) -> float:
    return round(float(value), digits)


@strawberry.input(description="One observation: a source says a job role needs a "
                              "competency at a proficiency, with an importance, on a day.")
class DemandRecordInput:
    job_role: str = strawberry.field(description="Job-role code (JOB-…), stable across "
                                                 "framework versions")
    competency: str = strawberry.field(description="Competency code (GEN-…, PRO-…, IND-…)")
    proficiency: int = strawberry.field(description="Required proficiency 1 了解 · 2 运用 · "
                                                    "3 设计 · 4 创新")
    importance: int = strawberry.field(description="1 (nice to have) … 5 (indispensable)")
    source_kind: DemandSourceKind = strawberry.field(description="行业, 企业 or 院校")
    source_name: str = strawberry.field(description="The observing body, e.g. a company's "
                                                    "name (no personal names)")
    region: str = strawberry.field(description="Where it was observed, e.g. 云帆市 or 全国")
    observed_on: date = strawberry.field(description="The day of the observation (not in "
                                                     "the future)")


@strawberry.type(description="One skills-demand observation 技能需求记录.")
class DemandRecord:
    id: strawberry.ID = strawberry.field(description="Stable id (observation day first)")
    job_role_code: str = strawberry.field(description="The job role observed")
    competency_code: str = strawberry.field(description="The competency it needs")
    industry_code: str = strawberry.field(description="The job role's industry 行业")
    proficiency: Proficiency = strawberry.field(description="The proficiency required")
    importance: int = strawberry.field(description="1 … 5")
    source_kind: DemandSourceKind = strawberry.field(description="行业, 企业 or 院校")
    source_name: str = strawberry.field(description="The observing body")
    region: str = strawberry.field(description="Where it was observed")
    observed_on: date = strawberry.field(description="The day of the observation")
    recorded_at: datetime | None = strawberry.field(description="When it was recorded (UTC)")

    @staticmethod
    def of(row: Record) -> DemandRecord:
        proficiency = Proficiency.of(row["proficiency"])
        assert proficiency is not None
        recorded = row.get("recordedAt")
        return DemandRecord(
            id=strawberry.ID(row["uid"]), job_role_code=row["jobRole"],
            competency_code=row["competency"], industry_code=row["industry"],
            proficiency=proficiency, importance=int(row["importance"]),
            source_kind=DemandSourceKind(row["sourceKind"]), source_name=row["sourceName"],
            region=row["region"], observed_on=date.fromisoformat(row["observedOn"]),
            recorded_at=datetime.fromisoformat(recorded) if recorded else None)


@strawberry.type(description="The aggregate of one (job role, competency) as of a day.")
class DemandPoint:
    on: date = strawberry.field(description="The day")
    proficiency: int = strawberry.field(description="The aggregate proficiency that day")
    importance: float = strawberry.field(description="The mean importance that day")
    essential: bool = strawberry.field(description="Mean importance ≥ 4 that day")
    sources: int = strawberry.field(description="Sources counted that day")

    @staticmethod
    def of(point: analysis.HistoryPoint) -> DemandPoint:
        return DemandPoint(on=date.fromisoformat(point.on), proficiency=point.proficiency,
                           importance=_ratio(point.importance), essential=point.essential,
                           sources=point.sources)


@strawberry.type(description="What the records say a job role needs of one competency now: "
                             "each source's latest observation, importance-weighted, rounded "
                             "half up; essential when the mean importance is ≥ 4.")
class DemandNeed:
    job_role_code: str = strawberry.field(description="The job role")
    competency_code: str = strawberry.field(description="The competency")
    proficiency: Proficiency = strawberry.field(description="The aggregate proficiency")
    mean_proficiency: float = strawberry.field(
        description="Σ importance·proficiency / Σ importance, before rounding")
    importance: float = strawberry.field(description="Mean importance of the sources counted")
    essential: bool = strawberry.field(description="Mean importance ≥ 4 (of 5)")
    sources: int = strawberry.field(description="Sources counted (latest observation each)")
    source_kinds: list[DemandSourceKind] = strawberry.field(
        description="Which of 行业/企业/院校 are among them (三方联动 coverage)")
    latest_observed_on: date = strawberry.field(description="The newest observation counted")
    framework_proficiency: int | None = strawberry.field(
        description="What the framework version's NEEDS edge says (null: no such need)")
    framework_essential: bool | None = strawberry.field(
        description="Whether the version marks the need essential (null: no such need)")
    records: list[DemandRecord] = strawberry.field(description="The observations counted")
    history: list[DemandPoint] = strawberry.field(
        description="The aggregate as of every day an observation was made, oldest first")
    _competency_uid: strawberry.Private[str]

    @strawberry.field(description="The competency in the framework version asked about "
                                  "(null when that version lacks it).")
    async def competency(self, info: Info) -> Competency | None:
        row = await info.context.nodes["Competency"].load(self._competency_uid)
        return Competency.of(row) if row else None


@strawberry.type(description="A job role's current demand, need by need, beside what a "
                             "framework version says.")
class JobDemand:
    job_role_code: str = strawberry.field(description="The job role")
    as_of: date = strawberry.field(description="Observations up to this day are counted")
    region: str | None = strawberry.field(description="Only this region's sources (null: all)")
    framework: strawberry.ID = strawberry.field(description="The version compared against")
    needs: list[DemandNeed] = strawberry.field(description="One per competency observed")
    _uid: strawberry.Private[str]

    @strawberry.field(description="The job role in the framework version (null if absent).")
    async def job_role(self, info: Info) -> JobRole | None:
        row = await info.context.nodes["JobRole"].load(self._uid)
        return JobRole.of(row) if row else None


@strawberry.type(description="One observation period of a trend.")
class TrendPoint:
    period: str = strawberry.field(description="2024, 2024-H2 or 2024-Q3")
    mean_proficiency: float = strawberry.field(
        description="Importance-weighted mean proficiency of the period's records, all job "
                    "roles together")
    mean_importance: float = strawberry.field(description="Mean importance of its records")
    records: int = strawberry.field(description="Records observed in the period")


@strawberry.type(description="How a competency's required proficiency moves over periods: "
                             "the least-squares slope per period, measured within each job "
                             "role and pooled.")
class CompetencyTrend:
    competency_code: str = strawberry.field(description="The competency")
    industry_code: str | None = strawberry.field(description="The industry (when grouped)")
    region: str | None = strawberry.field(description="The region (when grouped)")
    slope: float = strawberry.field(description="Proficiency points per period")
    change: float = strawberry.field(description="Last period's mean minus the first's")
    direction: TrendDirection = strawberry.field(description="Rising, falling or steady")
    job_roles: int = strawberry.field(description="Job roles with two periods or more")
    points: list[TrendPoint] = strawberry.field(description="The periods, oldest first")
    _uid: strawberry.Private[str]

    @staticmethod
    def of(trend: analysis.Trend, fw: str) -> CompetencyTrend:
        return CompetencyTrend(
            competency_code=trend.competency, industry_code=trend.industry,
            region=trend.region, slope=_ratio(trend.slope), change=_ratio(trend.change),
            direction=TrendDirection(trend.direction), job_roles=trend.job_roles,
            points=[TrendPoint(period=p.period, mean_proficiency=_ratio(p.mean_proficiency),
                               mean_importance=_ratio(p.mean_importance), records=p.records)
                    for p in trend.points],
            _uid=element_uid(fw, trend.competency))

    @strawberry.field(description="The competency in the framework version asked about.")
    async def competency(self, info: Info) -> Competency | None:
        row = await info.context.nodes["Competency"].load(self._uid)
        return Competency.of(row) if row else None


@strawberry.type(description="A rising need of one of the program's jobs that no course of "
                             "the program teaches at the demanded proficiency.")
class ProgramDemandGap:
    job_role_code: str = strawberry.field(description="The job role")
    competency_code: str = strawberry.field(description="The competency")
    demanded: Proficiency = strawberry.field(description="The current aggregate proficiency")
    importance: float = strawberry.field(description="Mean importance of its sources")
    essential: bool = strawberry.field(description="Mean importance ≥ 4")
    slope: float | None = strawberry.field(
        description="Proficiency points per period of its records (null: one period only)")
    reasons: list[DemandReason] = strawberry.field(description="Why it counts as rising")
    framework_proficiency: int | None = strawberry.field(
        description="The version's NEEDS proficiency (null: the version lacks the need)")
    taught_proficiency: int = strawberry.field(
        description="The highest proficiency a course of the program teaches it at (0: none)")
    teaching_course_codes: list[str] = strawberry.field(
        description="Courses of the program that teach it, below the demand")
    in_framework: bool = strawberry.field(
        description="The competency exists in the program's version (else: a new one is due)")
    sources: int = strawberry.field(description="Sources behind the aggregate")
    latest_observed_on: date = strawberry.field(description="The newest observation counted")

    @staticmethod
    def of(gap: DemandGap) -> ProgramDemandGap:
        demanded = Proficiency.of(gap.demand.proficiency)
        assert demanded is not None
        return ProgramDemandGap(
            job_role_code=gap.job_role, competency_code=gap.competency, demanded=demanded,
            importance=_ratio(gap.demand.importance), essential=gap.demand.essential,
            slope=_ratio(gap.slope) if gap.slope is not None else None,
            reasons=[DemandReason(r) for r in gap.reasons],
            framework_proficiency=gap.framework_proficiency,
            taught_proficiency=gap.taught_proficiency,
            teaching_course_codes=list(gap.teaching_courses), in_framework=gap.in_framework,
            sources=gap.demand.sources,
            latest_observed_on=date.fromisoformat(gap.demand.latest))


@strawberry.type(description="One NEEDS edge a demand application changed.")
class AppliedDemandNeed:
    job_role_code: str = strawberry.field(description="The job role")
    competency_code: str = strawberry.field(description="The competency")
    before: int | None = strawberry.field(description="Proficiency before (null: new need)")
    before_essential: bool | None = strawberry.field(description="Essential before")
    after: int = strawberry.field(description="Proficiency now")
    essential: bool = strawberry.field(description="Essential now")
    capped: bool = strawberry.field(
        description="The aggregate exceeded the job level's maximum and was capped to it")

    @staticmethod
    def of(change: AppliedNeed) -> AppliedDemandNeed:
        before = change.before
        return AppliedDemandNeed(
            job_role_code=change.job_role, competency_code=change.competency,
            before=before[0] if before else None,
            before_essential=before[1] if before else None, after=change.after[0],
            essential=change.after[1], capped=change.capped)


@strawberry.type(description="A need the application left out, and why.")
class SkippedDemandNeed:
    job_role_code: str = strawberry.field(description="The job role")
    competency_code: str = strawberry.field(description="The competency")
    reason: SkipReason = strawberry.field(
        description="NOT_IN_FRAMEWORK: the draft has no such competency (add it first); "
                    "ABOVE_LEVEL_MAX: the demand exceeds the job level's maximum and the need "
                    "already stands at it (raise the job's level to follow the demand)")


@strawberry.type(description="The outcome of applying demand to a draft: errors (then "
                             "nothing was written) or the needs changed and the audit entry.")
class ApplyDemandPayload:
    errors: list[UserError] = strawberry.field(description="Why nothing was written")
    changes: list[AppliedDemandNeed] = strawberry.field(description="NEEDS edges changed")
    skipped: list[SkippedDemandNeed] = strawberry.field(description="Needs left out")
    audit_entry_id: strawberry.ID | None = strawberry.field(description="The audit entry")
    framework: strawberry.ID = strawberry.field(description="The draft edited")


@strawberry.type(description="Rising needs of a program's jobs that no course of the program "
                             "teaches at the demanded proficiency: the input to the next "
                             "framework version (动态迭代).")
class ProgramDemandReport:
    program_code: str = strawberry.field(description="The program 人才培养方案")
    framework: strawberry.ID = strawberry.field(description="The program's framework version")
    as_of: date = strawberry.field(description="Observations up to this day are counted")
    job_role_codes: list[str] = strawberry.field(
        description="The program's jobs: its version's job roles in the major's industry at "
                    "the program's level")
    needs_considered: int = strawberry.field(description="(job role, competency) pairs with "
                                                         "records")
    gaps: list[ProgramDemandGap] = strawberry.field(
        description="Essential first, then the largest shortfall, then the steepest rise")
