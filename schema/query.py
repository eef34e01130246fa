"""The root Query: framework browsing for curriculum designers and frontends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from graph.framework import CompetencyFilter, level_requirements
from graph.ids import element_uid
from graph.store import Record
from schema.context import Context
from schema.enums import LayerCode, LevelCode, code, value
from schema.errors import ApiError
from schema.programs import Program, TeacherTier
from schema.relay import Connection, build_connection, decode_cursor, page_size
from schema.types import (
    Assessment,
    Certification,
    College,
    Competency,
    Course,
    Framework,
    Industry,
    JobRole,
    Layer,
    Level,
    Major,
    Requirement,
    Strand,
)

__all__ = ["FrameworkQuery"]

NodeT = TypeVar("NodeT")


async def _page(info: Info[Context, Any], label: str, make: Callable[[Record], NodeT],
                framework: str | None, first: int | None, after: str | None,
                flt: CompetencyFilter) -> Connection[NodeT]:
    context: Context = info.context
    size = page_size(context, first)
    fw = (await context.resolve_framework(framework))["uid"]
    after_code = decode_cursor(after)
    rows = await context.framework.page(label, fw, flt, after_code, size + 1)

    async def count() -> int:
        return await context.framework.count(label, fw, flt)

    return build_connection(rows, size, after_code, make, count)


async def _one(info: Info[Context, Any], label: str, code: str,
               framework: str | None) -> Record | None:
    context: Context = info.context
    fw = (await context.resolve_framework(framework))["uid"]
    return await context.nodes[label].load(element_uid(fw, code))


FwArg = Annotated[strawberry.ID | None, strawberry.argument(
    description="Framework version id (CODE@VERSION); default: the latest published")]
FirstArg = Annotated[int | None, strawberry.argument(
    description="Page size (default 20, at most the server's cap)")]
AfterArg = Annotated[str | None, strawberry.argument(description="endCursor of the previous page")]
LevelArg = Annotated[LevelCode | None, strawberry.argument(description="Only this level")]
LayerArg = Annotated[LayerCode | None, strawberry.argument(description="Only this layer")]
SearchArg = Annotated[str | None, strawberry.argument(
    description="Substring of code, nameZh or nameEn")]


@strawberry.type(description="What a level asks in one layer.")
class LayerRequirements:
    layer: Layer
    requirements: list[Requirement] = strawberry.field(
        description="The layer's requirements at the level, by competency code")


@strawberry.type
class FrameworkQuery:
    @strawberry.field(description="Education levels 层次, in order ZZ → GZ → BK.")
    async def levels(self, info: Info[Context, Any]) -> list[Level]:
        return [Level.of(r) for r in await info.context.global_list("levels")]

    @strawberry.field(description="Competency layers 通识素养 / 专业技能 / 行业能力.")
    async def layers(self, info: Info[Context, Any]) -> list[Layer]:
        return [Layer.of(r) for r in await info.context.global_list("layers")]

    @strawberry.field(description="Strands through all layers (安全伦理).")
    async def strands(self, info: Info[Context, Any]) -> list[Strand]:
        return [Strand.of(r) for r in await info.context.global_list("strands")]

    @strawberry.field(description="Colleges 院校.")
    async def colleges(self, info: Info[Context, Any]) -> list[College]:
        return [College.of(r) for r in await info.context.global_list("colleges")]

    @strawberry.field(description="Framework versions you may see (drafts: designers only).")
    async def frameworks(self, info: Info[Context, Any]) -> list[Framework]:
        context: Context = info.context
        rows = await context.framework.frameworks()
        return [Framework.of(r) for r in rows
                if r.get("status") in {"published", "deprecated"}
                or context.principal.can_see_drafts]

    @strawberry.field(description="One framework version; default: the latest published.")
    async def framework(self, info: Info[Context, Any],
                        id: Annotated[strawberry.ID | None, strawberry.argument(
                            description="CODE@VERSION; default: the latest published")] = None,
                        ) -> Framework:
        return Framework.of(await info.context.resolve_framework(id))

    @strawberry.field(description="Competencies, filtered; ordered by code.")
    async def competencies(
        self, info: Info[Context, Any], framework: FwArg = None,
        level: LevelArg = None, layer: LayerArg = None, strand: str | None = None,
        major: str | None = None, industry: str | None = None, search: SearchArg = None,
        first: FirstArg = None, after: AfterArg = None,
    ) -> Connection[Competency]:
        flt = CompetencyFilter(level=code(level), layer=code(layer), strand=strand, major=major,
                               industry=industry, search=search)
        return await _page(info, "Competency", Competency.of, framework, first, after, flt)

    @strawberry.field(description="One competency by code.")
    async def competency(self, info: Info[Context, Any], code: str,
                         framework: FwArg = None) -> Competency | None:
        row = await _one(info, "Competency", code, framework)
        return Competency.of(row) if row else None

    @strawberry.field(description="What a level asks of a student of a major, layer by layer "
                                  "(each requirement links to the earlier level's via "
                                  "progressesFrom).")
    async def level_requirements(self, info: Info[Context, Any], level_code: Annotated[
            LevelCode, strawberry.argument(name="level", description="The level")],
                                 major: str | None = None,
                                 framework: FwArg = None) -> list[LayerRequirements]:
        context: Context = info.context
        level = value(level_code)
        fw = (await context.resolve_framework(framework))["uid"]
        industry = None
        if major is not None:
            major_row = await context.nodes["Major"].load(element_uid(fw, major))
            if major_row is None:
                raise ApiError("UNKNOWN_MAJOR", f"no major {major!r} in {fw}", major=major)
            if level not in (major_row.get("levels") or []):
                raise ApiError("MAJOR_NOT_AT_LEVEL", f"major {major} is not offered at {level}",
                               major=major, level=level)
            industry = major_row.get("industry")
        if await context.global_by_code("levels", level) is None:
            raise ApiError("UNKNOWN_LEVEL", f"no level {level!r}", level=level)
        rows = await level_requirements(context.store, fw, level, major, industry)
        result = []
        for layer_row in await context.global_list("layers"):
            reqs = [Requirement.of(r) for r in rows if r.get("layer") == layer_row["code"]]
            result.append(LayerRequirements(layer=Layer.of(layer_row), requirements=reqs))
        return result

    @strawberry.field(description="Courses 课程, filtered; ordered by code.")
    async def courses(
        self, info: Info[Context, Any], framework: FwArg = None,
        level: LevelArg = None, layer: LayerArg = None, major: str | None = None,
        industry: str | None = None, search: SearchArg = None,
        first: FirstArg = None, after: AfterArg = None,
    ) -> Connection[Course]:
        flt = CompetencyFilter(level=code(level), layer=code(layer), major=major, industry=industry,
                               search=search)
        return await _page(info, "Course", Course.of, framework, first, after, flt)

    @strawberry.field
    async def course(self, info: Info[Context, Any], code: str,
                     framework: FwArg = None) -> Course | None:
        row = await _one(info, "Course", code, framework)
        return Course.of(row) if row else None

    @strawberry.field(description="Majors 专业.")
    async def majors(
        self, info: Info[Context, Any], framework: FwArg = None,
        level: LevelArg = None, industry: str | None = None, search: SearchArg = None,
        first: FirstArg = None, after: AfterArg = None,
    ) -> Connection[Major]:
        flt = CompetencyFilter(level=code(level), industry=industry, search=search)
        return await _page(info, "Major", Major.of, framework, first, after, flt)

    @strawberry.field
    async def major(self, info: Info[Context, Any], code: str,
                    framework: FwArg = None) -> Major | None:
        row = await _one(info, "Major", code, framework)
        return Major.of(row) if row else None

    @strawberry.field(description="Industries 行业.")
    async def industries(
        self, info: Info[Context, Any], framework: FwArg = None,
        search: SearchArg = None, first: FirstArg = None, after: AfterArg = None,
    ) -> Connection[Industry]:
        flt = CompetencyFilter(search=search)
        return await _page(info, "Industry", Industry.of, framework, first, after, flt)

    @strawberry.field(description="Assessments 评价工具.")
    async def assessments(
        self, info: Info[Context, Any], framework: FwArg = None,
        level: LevelArg = None, search: SearchArg = None,
        first: FirstArg = None, after: AfterArg = None,
    ) -> Connection[Assessment]:
        flt = CompetencyFilter(level=code(level), search=search)
        return await _page(info, "Assessment", Assessment.of, framework, first, after, flt)

    @strawberry.field
    async def assessment(self, info: Info[Context, Any], code: str,
                         framework: FwArg = None) -> Assessment | None:
        row = await _one(info, "Assessment", code, framework)
        return Assessment.of(row) if row else None

    @strawberry.field(description="Enterprise certifications 企业认证.")
    async def certifications(
        self, info: Info[Context, Any], framework: FwArg = None,
        search: SearchArg = None, first: FirstArg = None, after: AfterArg = None,
    ) -> Connection[Certification]:
        flt = CompetencyFilter(search=search)
        return await _page(info, "Certification", Certification.of, framework, first, after,
                           flt)

    @strawberry.field(description="Typical jobs 岗位.")
    async def job_roles(
        self, info: Info[Context, Any], framework: FwArg = None,
        level: LevelArg = None, industry: str | None = None, search: SearchArg = None,
        first: FirstArg = None, after: AfterArg = None,
    ) -> Connection[JobRole]:
        flt = CompetencyFilter(level=code(level), industry=industry, search=search)
        return await _page(info, "JobRole", JobRole.of, framework, first, after, flt)

    @strawberry.field
    async def job_role(self, info: Info[Context, Any], code: str,
                       framework: FwArg = None) -> JobRole | None:
        row = await _one(info, "JobRole", code, framework)
        return JobRole.of(row) if row else None

    @strawberry.field(description="Programs 人才培养方案.")
    async def programs(
        self, info: Info[Context, Any], framework: FwArg = None,
        level: LevelArg = None, major: str | None = None, search: SearchArg = None,
        first: FirstArg = None, after: AfterArg = None,
    ) -> Connection[Program]:
        flt = CompetencyFilter(level=code(level), major=major, search=search)
        return await _page(info, "Program", Program.of, framework, first, after, flt)

    @strawberry.field
    async def program(self, info: Info[Context, Any], code: str,
                      framework: FwArg = None) -> Program | None:
        row = await _one(info, "Program", code, framework)
        return Program.of(row) if row else None

    @strawberry.field(description="Teacher competency tiers 教师胜任力 (普及/深化/研发).")
    async def teacher_tiers(
        self, info: Info[Context, Any], framework: FwArg = None,
        first: FirstArg = None, after: AfterArg = None,
    ) -> Connection[TeacherTier]:
        return await _page(info, "TeacherTier", TeacherTier.of, framework, first, after,
                           CompetencyFilter())
