"""Types of the evaluation side: the indicator system (评价指标体系), sample items,
crosswalks to UNESCO frameworks, major offerings, job classifications, certification
profiles."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry

from graph.store import Record
from schema.enums import LayerCode, LevelCode, of, of_opt, value
from schema.types import Proficiency


@strawberry.enum(description="What a competency is: 知识 knowledge, 技能 skill or 素养 "
                             "professional quality.")
class CompetencyKind(Enum):
    KNOWLEDGE = strawberry.enum_value(
        "knowledge", description="知识 knowledge: what one knows and understands")
    SKILL = strawberry.enum_value("skill", description="技能 skill: what one can do")
    QUALITY = strawberry.enum_value(
        "quality", description="素养 professional quality: attitudes, ethics, habits")


@strawberry.enum(description="The kind of evidence an observable behaviour is judged on.")
class EvidenceType(Enum):
    WRITTEN = strawberry.enum_value("written", description="笔试 a written test")
    PRACTICAL = strawberry.enum_value("practical", description="实操 a practical test")
    PROJECT = strawberry.enum_value("project", description="项目 a project")
    PORTFOLIO = strawberry.enum_value("portfolio", description="作品集 a portfolio")
    CERTIFICATION = strawberry.enum_value(
        "certification", description="企业认证 an enterprise certification")
    OBSERVATION = strawberry.enum_value(
        "observation", description="观察 observation in class or at work")


@strawberry.enum(description="The form of a sample assessment item.")
class ItemKind(Enum):
    CHOICE = strawberry.enum_value("choice", description="选择题 multiple choice")
    SHORT_ANSWER = strawberry.enum_value("short-answer", description="简答题 short answer")
    TASK = strawberry.enum_value("task", description="操作任务 a hands-on task")
    CASE = strawberry.enum_value("case", description="案例分析 a case analysis")
    PROJECT = strawberry.enum_value("project", description="项目 a project")


@strawberry.enum(description="How close a crosswalk link is (SKOS mapping relations).")
class MatchKind(Enum):
    EXACT_MATCH = strawberry.enum_value(
        "exactMatch", description="skos:exactMatch — the same competency")
    PARTIAL_MATCH = strawberry.enum_value(
        "partialMatch", description="Overlapping in part (skos:closeMatch)")
    RELATED = strawberry.enum_value("related", description="skos:related — related, not the same")


@strawberry.enum(description="International frameworks the seed is crosswalked to.")
class ExternalScheme(Enum):
    UNESCO_AI_CFS_2024 = strawberry.enum_value(
        "UNESCO-AI-CFS-2024", description="UNESCO AI competency framework for students (2024)")
    UNESCO_AI_CFT_2024 = strawberry.enum_value(
        "UNESCO-AI-CFT-2024", description="UNESCO AI competency framework for teachers (2024)")


@strawberry.enum(description="What the side of a crosswalk link in this framework is.")
class CrosswalkSource(Enum):
    COMPETENCY = strawberry.enum_value(
        "Competency", description="A competency 能力 of this framework")
    TEACHER_TIER = strawberry.enum_value(
        "TeacherTier", description="A teacher tier 教师胜任力层级 of this framework")


@strawberry.enum(description="A job title as the 国家职业分类大典 sees it: an occupation (职业), "
                             "a work type under one (工种), or a market title.")
class JobTitleKind(Enum):
    OCCUPATION = strawberry.enum_value("occupation", description="职业 an occupation of the 大典")
    WORK_TYPE = strawberry.enum_value(
        "workType", description="工种 a work type under an occupation")
    MARKET = strawberry.enum_value(
        "market", description="市场岗位 a title used by the market, not in the 大典")


@strawberry.enum(description="What a certification is: 1+X certificate, occupational skill-"
                             "level recognition, a vendor's or an industry body's "
                             "certification, or a statutory licence.")
class CertificationKind(Enum):
    X_CERTIFICATE = strawberry.enum_value(
        "x-certificate", description="1+X 职业技能等级证书 certificate")
    SKILL_LEVEL = strawberry.enum_value(
        "skill-level", description="职业技能等级认定 occupational skill-level recognition")
    VENDOR = strawberry.enum_value("vendor", description="厂商认证 a vendor's certification")
    INDUSTRY = strawberry.enum_value(
        "industry", description="行业认证 an industry body's certification")
    LICENCE = strawberry.enum_value("licence", description="执业资格 a statutory licence")


def _enum(kind: type[Enum], value: Any) -> Any:
    try:
        return kind(value)
    except ValueError:
        return None


def _target(value: Any) -> Proficiency:
    proficiency = Proficiency.of(int(value or 1))
    assert proficiency is not None
    return proficiency


@strawberry.type(description="What students show at one level for an indicator (可观察的行为表现).")
class ObservableBehaviour:
    level_code: LevelCode = strawberry.field(description="ZZ, GZ or BK")
    target: Proficiency = strawberry.field(description="The level's graded standard")
    descriptor_zh: str = strawberry.field(description="The behaviour, in Chinese")
    descriptor_en: str = strawberry.field(description="The behaviour, in English")
    evidence: EvidenceType | None = strawberry.field(description="What it is judged on")
    weight: float = strawberry.field(description="Share of the indicator at this level (the "
                                                 "level's weights add up to 1)")

    @staticmethod
    def of(row: Record) -> ObservableBehaviour:
        return ObservableBehaviour(
            level_code=of(LevelCode, row["level"]), target=_target(row.get("proficiency")),
            descriptor_zh=row.get("descriptorZh") or "", descriptor_en=row.get("descriptorEn")
            or "", evidence=_enum(EvidenceType, row.get("evidence")),
            weight=float(row.get("weight") or 0))


@strawberry.type(description="A competency with its kind, as an indicator or a listing shows it.")
class TypedCompetency:
    code: str = strawberry.field(description="Competency code")
    name_zh: str = strawberry.field(description="Name in Chinese")
    name_en: str = strawberry.field(description="Name in English")
    layer_code: LayerCode | None = strawberry.field(description="GEN, PRO or IND")
    kind: CompetencyKind | None = strawberry.field(description="知识 / 技能 / 素养")
    strands: list[str] = strawberry.field(description="Strands it is on, e.g. ETH")

    @staticmethod
    def of(row: Record) -> TypedCompetency:
        return TypedCompetency(code=row["code"], name_zh=row.get("nameZh") or "",
                               name_en=row.get("nameEn") or "",
                               layer_code=of_opt(LayerCode, row.get("layer")),
                               kind=_enum(CompetencyKind, row.get("kind")),
                               strands=list(row.get("strands") or []))


@strawberry.type(description="An indicator (评价指标) of one evaluation dimension.")
class Indicator:
    code: str = strawberry.field(description="Indicator code, e.g. IDX-GEN-01")
    dimension_code: str = strawberry.field(description="The dimension it belongs to")
    name_zh: str = strawberry.field(description="Name in Chinese")
    name_en: str = strawberry.field(description="Name in English")
    description_zh: str | None = strawberry.field(description="What it judges, in Chinese")
    description_en: str | None = strawberry.field(description="What it judges, in English")
    weight: float = strawberry.field(description="Share of its dimension (they add up to 1)")
    source: str | None = strawberry.field(description="Citation of the policy text")
    competencies: list[TypedCompetency] = strawberry.field(
        description="The competencies it judges")
    _behaviours: strawberry.Private[list[Record]]

    @strawberry.field(description="Observable behaviours, ZZ → GZ → BK; one level if given.")
    def behaviours(self, level: Annotated[LevelCode | None, strawberry.argument(
            description="Only this level (ZZ, GZ or BK)")] = None) -> list[ObservableBehaviour]:
        return [ObservableBehaviour.of(row) for row in self._behaviours
                if level is None or row["level"] == value(level)]

    @staticmethod
    def of(row: Record, behaviours: list[Record], judged: list[Record]) -> Indicator:
        return Indicator(code=row["code"], dimension_code=row["dimension"],
                         name_zh=row["nameZh"], name_en=row["nameEn"],
                         description_zh=row.get("descriptionZh"),
                         description_en=row.get("descriptionEn"),
                         weight=float(row.get("weight") or 0), source=row.get("source"),
                         competencies=[TypedCompetency.of(c) for c in judged],
                         _behaviours=behaviours)


@strawberry.type(description="An evaluation dimension (评价维度): 通识素养, 专业技能, 行业能力 or "
                             "伦理安全意识.")
class EvaluationDimension:
    code: str = strawberry.field(description="Dimension code, e.g. DIM-ETH")
    order: int = strawberry.field(description="Position in the indicator system")
    name_zh: str = strawberry.field(description="Name in Chinese")
    name_en: str = strawberry.field(description="Name in English")
    description_zh: str | None = strawberry.field(description="Scope, in Chinese")
    description_en: str | None = strawberry.field(description="Scope, in English")
    layer_code: LayerCode | None = strawberry.field(description="The layer it is anchored on")
    strand_code: str | None = strawberry.field(description="Or the strand (ETH)")
    weight: float = strawberry.field(description="Share of the overall result")
    source: str | None = strawberry.field(description="Citation of the policy text")
    indicators: list[Indicator] = strawberry.field(description="Its indicators")


@strawberry.type(description="A sample item or task of an assessment, with its scoring rule: "
                             "what a proficiency at a level means in practice.")
class SampleItem:
    code: str = strawberry.field(description="Item code")
    assessment_code: str = strawberry.field(description="The assessment it belongs to")
    competency_code: str = strawberry.field(description="The competency it probes")
    level_code: LevelCode = strawberry.field(description="The assessment's level")
    kind: ItemKind | None = strawberry.field(description="Form of the item")
    target: Proficiency = strawberry.field(description="The proficiency it shows (the "
                                                       "competency's target at the level)")
    points: int = strawberry.field(description="Points the item is worth")
    stem_zh: str = strawberry.field(description="The item or task, in Chinese")
    stem_en: str = strawberry.field(description="The item or task, in English")
    scoring_zh: str = strawberry.field(description="Scoring rule, in Chinese")
    scoring_en: str = strawberry.field(description="Scoring rule, in English")
    source: str | None = strawberry.field(description="Citation")

    @staticmethod
    def of(row: Record) -> SampleItem:
        return SampleItem(code=row["code"], assessment_code=row["assessment"],
                          competency_code=row["competency"], level_code=of(LevelCode, row["level"]),
                          kind=_enum(ItemKind, row.get("kind")),
                          target=_target(row.get("proficiency")),
                          points=int(row.get("points") or 0), stem_zh=row["stemZh"],
                          stem_en=row["stemEn"], scoring_zh=row["scoringZh"],
                          scoring_en=row["scoringEn"], source=row.get("source"))


@strawberry.type(description="A competency of an international framework (UNESCO AI CFS or "
                             "AI CFT, 2024).")
class ExternalCompetency:
    code: str = strawberry.field(description="Code in this framework, e.g. CFS-ET-A")
    scheme: ExternalScheme | None = strawberry.field(description="The framework it is from")
    dimension_zh: str = strawberry.field(description="Its dimension, in Chinese (our "
                                                     "translation)")
    dimension_en: str = strawberry.field(description="Its dimension, as UNESCO names it")
    level_rank: int = strawberry.field(description="Progression level 1–3")
    level_zh: str = strawberry.field(description="Progression level, in Chinese")
    level_en: str = strawberry.field(description="Progression level, as UNESCO names it")
    name_zh: str = strawberry.field(description="Name in Chinese (our translation)")
    name_en: str = strawberry.field(description="Name, as UNESCO publishes it")
    source: str | None = strawberry.field(description="Citation of the UNESCO publication")

    @staticmethod
    def of(row: Record) -> ExternalCompetency:
        return ExternalCompetency(
            code=row["code"], scheme=_enum(ExternalScheme, row.get("scheme")),
            dimension_zh=row["dimensionZh"], dimension_en=row["dimensionEn"],
            level_rank=int(row.get("levelRank") or 0), level_zh=row["levelZh"],
            level_en=row["levelEn"], name_zh=row["nameZh"], name_en=row["nameEn"],
            source=row.get("source"))


@strawberry.type(description="A typed link from a competency or teacher tier to an "
                             "international framework's competency, with its reason.")
class CrosswalkLink:
    code: str = strawberry.field(description="Link code")
    from_code: str = strawberry.field(description="Competency or teacher-tier code here")
    from_kind: CrosswalkSource | None = strawberry.field(description="What from_code names")
    match: MatchKind | None = strawberry.field(description="How close the two are")
    reason_zh: str = strawberry.field(description="Why, in Chinese")
    reason_en: str = strawberry.field(description="Why, in English")
    source: str | None = strawberry.field(description="Citation")
    external: ExternalCompetency = strawberry.field(description="The linked competency")


@strawberry.type(description="A major (专业) at one level: its name there and its catalogue "
                             "code, verified or not.")
class MajorOffering:
    major_code: str = strawberry.field(description="Major code")
    level_code: LevelCode = strawberry.field(description="ZZ, GZ or BK")
    name_zh: str = strawberry.field(description="The major's name at this level")
    name_en: str = strawberry.field(description="The name in English")
    category_zh: str = strawberry.field(description="专业大类")
    category_en: str = strawberry.field(description="专业大类, in English")
    catalog_code: str | None = strawberry.field(
        description="职业教育专业目录（2021年）code, if known")
    verified: bool = strawberry.field(description="Whether the code was checked against a "
                                                  "source")
    catalog_source: str | None = strawberry.field(description="Where it was checked")

    @staticmethod
    def of(row: Record) -> MajorOffering:
        return MajorOffering(major_code=row["major"], level_code=of(LevelCode, row["level"]),
                             name_zh=row.get("nameZh") or "", name_en=row.get("nameEn") or "",
                             category_zh=row.get("categoryZh") or "",
                             category_en=row.get("categoryEn") or "",
                             catalog_code=row.get("catalogCode"),
                             verified=bool(row.get("verified")),
                             catalog_source=row.get("catalogSource"))


@strawberry.type(description="A requirement that holds the earlier level's target on purpose "
                             "(巩固), with its cited reason; the pathway report shows it as "
                             "CONSOLIDATION, not REPEATED.")
class Consolidation:
    competency_code: str = strawberry.field(description="Competency code")
    level_code: LevelCode = strawberry.field(description="The level that consolidates")
    target: Proficiency = strawberry.field(description="The target it holds")
    reason: str = strawberry.field(description="Citation and reason")


@strawberry.type(description="How a job role sits in the 国家职业分类大典.")
class JobClassification:
    job_code: str = strawberry.field(description="Job role code")
    name_zh: str = strawberry.field(description="Job title in Chinese")
    name_en: str = strawberry.field(description="Job title in English")
    level_code: LevelCode | None = strawberry.field(description="Typical entry level")
    classification: JobTitleKind | None = strawberry.field(description="Occupation, work type "
                                                                       "or market title")
    occupation_code: str | None = strawberry.field(description="大典 code of the (nearest) "
                                                               "occupation")
    occupation_zh: str | None = strawberry.field(description="That occupation's name")
    verified: bool = strawberry.field(description="Whether the code was checked")
    occupation_source: str | None = strawberry.field(description="Where it was checked")

    @staticmethod
    def of(row: Record) -> JobClassification:
        return JobClassification(
            job_code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"],
            level_code=of_opt(LevelCode, row.get("level")),
            classification=_enum(JobTitleKind, row.get("classification")),
            occupation_code=row.get("occupationCode"), occupation_zh=row.get("occupationZh"),
            verified=bool(row.get("occupationVerified")),
            occupation_source=row.get("occupationSource"))


@strawberry.type(description="What kind of certification an enterprise certification is, and "
                             "whether it was verified.")
class CertificationProfile:
    code: str = strawberry.field(description="Certification code")
    name_zh: str = strawberry.field(description="Name in Chinese")
    name_en: str = strawberry.field(description="Name in English")
    issuer_zh: str | None = strawberry.field(description="Issuer in Chinese")
    kind: CertificationKind | None = strawberry.field(description="Kind of certification")
    verified: bool = strawberry.field(description="Whether it was found in a public source")
    verification_source: str | None = strawberry.field(description="Where it was found")

    @staticmethod
    def of(row: Record) -> CertificationProfile:
        return CertificationProfile(
            code=row["code"], name_zh=row["nameZh"], name_en=row["nameEn"],
            issuer_zh=row.get("issuerZh"), kind=_enum(CertificationKind, row.get("kind")),
            verified=bool(row.get("verified")),
            verification_source=row.get("verificationSource"))
