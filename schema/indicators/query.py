"""Evaluation reads: dimensions, sample items, crosswalks, offerings, classifications
(public, per framework version)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.indicators import EvaluationRepository
from schema.context import Context
from schema.enums import LayerCode, LevelCode, code, of, of_opt
from schema.indicators.types import (
    CertificationKind,
    CertificationProfile,
    CompetencyKind,
    Consolidation,
    CrosswalkLink,
    CrosswalkSource,
    EvaluationDimension,
    ExternalCompetency,
    ExternalScheme,
    Indicator,
    JobClassification,
    JobTitleKind,
    MajorOffering,
    MatchKind,
    SampleItem,
    TypedCompetency,
    _enum,
    _target,
)
from schema.relay import Connection, build_connection, decode_cursor, page_size

FwArg = Annotated[strawberry.ID | None, strawberry.argument(
    description="Framework version id (CODE@VERSION); default: the latest published")]


async def _fw(info: Info[Context, Any], framework: str | None) -> str:
    return str((await info.context.resolve_framework(framework))["uid"])


def _repository(info: Info[Context, Any]) -> EvaluationRepository:
    return EvaluationRepository(info.context.store)


@strawberry.type
class EvaluationQuery:
    @strawberry.field(description="The indicator system (评价指标体系): the four dimensions with "
                                  "their indicators and observable behaviours per level.")
    async def evaluation_dimensions(self, info: Info[Context, Any],
                                    framework: FwArg = None) -> list[EvaluationDimension]:
        fw, repository = await _fw(info, framework), _repository(info)
        behaviours, judged = await repository.behaviours(fw), await repository.judged(fw)
        by_dimension: dict[str, list[Indicator]] = {}
        for row in await repository.indicators(fw):
            by_dimension.setdefault(row["dimension"], []).append(
                Indicator.of(row, behaviours.get(row["code"], []), judged.get(row["code"], [])))
        return [EvaluationDimension(
            code=row["code"], order=int(row.get("order") or 0), name_zh=row["nameZh"],
            name_en=row["nameEn"], description_zh=row.get("descriptionZh"),
            description_en=row.get("descriptionEn"), layer_code=of_opt(LayerCode, row.get("layer")),
            strand_code=row.get("strand"), weight=float(row.get("weight") or 0),
            source=row.get("source"), indicators=by_dimension.get(row["code"], []))
            for row in await repository.dimensions(fw)]

    @strawberry.field(description="Sample items of assessments, ordered by code; filter by "
                                  "competency, level or assessment.")
    async def sample_items(
        self, info: Info[Context, Any], framework: FwArg = None,
        competency: Annotated[str | None, strawberry.argument(
            description="Only items probing this competency")] = None,
        level: Annotated[LevelCode | None, strawberry.argument(
            description="Only items of this level's assessments")] = None,
        assessment: Annotated[str | None, strawberry.argument(
            description="Only items of this assessment")] = None,
        first: Annotated[int | None, strawberry.argument(
            description="Page size (default 20, at most the server's cap)")] = None,
        after: Annotated[str | None, strawberry.argument(
            description="endCursor of the previous page")] = None,
    ) -> Connection[SampleItem]:
        fw, repository = await _fw(info, framework), _repository(info)
        size = page_size(info.context, first)
        after_code = decode_cursor(after)
        rows = await repository.sample_items(fw, competency=competency, level=code(level),
                                             assessment=assessment, after=after_code,
                                             limit=size + 1)

        async def count() -> int:
            return await repository.sample_item_count(fw, competency=competency, level=code(level),
                                                      assessment=assessment)

        return build_connection(rows, size, after_code, SampleItem.of, count)

    @strawberry.field(description="Competencies of UNESCO's AI competency frameworks that the "
                                  "seed is crosswalked to.")
    async def external_competencies(
        self, info: Info[Context, Any], framework: FwArg = None,
        scheme: Annotated[ExternalScheme | None, strawberry.argument(
            description="Only this framework")] = None,
    ) -> list[ExternalCompetency]:
        rows = await _repository(info).externals(await _fw(info, framework),
                                                 code(scheme))
        return [ExternalCompetency.of(row) for row in rows]

    @strawberry.field(description="Typed crosswalk links (exactMatch / partialMatch / related) "
                                  "from competencies and teacher tiers to UNESCO's frameworks.")
    async def crosswalk(
        self, info: Info[Context, Any], framework: FwArg = None,
        scheme: Annotated[ExternalScheme | None, strawberry.argument(
            description="Only links into this framework")] = None,
        from_code: Annotated[str | None, strawberry.argument(
            name="from", description="Only links from this competency or tier")] = None,
    ) -> list[CrosswalkLink]:
        fw, repository = await _fw(info, framework), _repository(info)
        externals = {row["code"]: ExternalCompetency.of(row)
                     for row in await repository.externals(fw, None)}
        rows = await repository.crosswalk(fw, code(scheme), from_code)
        return [CrosswalkLink(
            code=row["link"].get("code") or "", from_code=row["fromCode"],
            from_kind=next((k for k in CrosswalkSource if k.value in row["fromLabels"]), None),
            match=_enum(MatchKind, row["link"].get("match")),
            reason_zh=row["link"].get("reasonZh") or "",
            reason_en=row["link"].get("reasonEn") or "", source=row["link"].get("citation"),
            external=externals[row["external"]]) for row in rows
            if row["external"] in externals]

    @strawberry.field(description="Majors level by level: the name at each level, 专业大类 and "
                                  "catalogue code with its verification.")
    async def major_offerings(
        self, info: Info[Context, Any], framework: FwArg = None,
        major: Annotated[str | None, strawberry.argument(
            description="Only this major")] = None,
    ) -> list[MajorOffering]:
        rows = await _repository(info).offerings(await _fw(info, framework), major)
        return [MajorOffering.of(row) for row in rows]

    @strawberry.field(description="Requirements that are cited consolidations of the earlier "
                                  "level's target.")
    async def consolidations(self, info: Info[Context, Any],
                             framework: FwArg = None) -> list[Consolidation]:
        rows = await _repository(info).consolidations(await _fw(info, framework))
        return [Consolidation(competency_code=row["competency"],
                              level_code=of(LevelCode, row["level"]),
                              target=_target(row.get("proficiency")),
                              reason=row["consolidation"]) for row in rows]

    @strawberry.field(description="Job roles with their 国家职业分类大典 occupation and "
                                  "whether the code was verified.")
    async def job_classifications(
        self, info: Info[Context, Any], framework: FwArg = None,
        classification: Annotated[JobTitleKind | None, strawberry.argument(
            description="Only this kind of title")] = None,
    ) -> list[JobClassification]:
        rows = await _repository(info).job_roles(
            await _fw(info, framework), code(classification))
        return [JobClassification.of(row) for row in rows]

    @strawberry.field(description="Enterprise certifications by kind (1+X, skill level, vendor, "
                                  "industry, licence), verified or not.")
    async def certification_profiles(
        self, info: Info[Context, Any], framework: FwArg = None,
        kind: Annotated[CertificationKind | None, strawberry.argument(
            description="Only this kind")] = None,
    ) -> list[CertificationProfile]:
        rows = await _repository(info).certifications(await _fw(info, framework),
                                                      code(kind))
        return [CertificationProfile.of(row) for row in rows]

    @strawberry.field(description="Competencies typed 知识 / 技能 / 素养, ordered by code.")
    async def typed_competencies(
        self, info: Info[Context, Any], framework: FwArg = None,
        kind: Annotated[CompetencyKind | None, strawberry.argument(
            description="Only this kind")] = None,
        layer: Annotated[LayerCode | None, strawberry.argument(
            description="Only this layer (GEN, PRO or IND)")] = None,
    ) -> list[TypedCompetency]:
        rows = await _repository(info).competencies(
            await _fw(info, framework), kind=code(kind), layer=code(layer),
            limit=1000)
        return [TypedCompetency.of(row) for row in rows]
