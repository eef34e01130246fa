"""Root fields of the skills-demand database: records, a job's current demand, trends, the
program report, and the edits (designers and admins)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Annotated, Any

import strawberry
from strawberry.permission import BasePermission

from graph import demand, demand_analysis, demand_program
from graph.editing import Actor
from graph.ids import element_uid
from schema.batches import Info, RecordBatchPayload, batch_payload, batch_rows
from schema.context import Context
from schema.demand.types import (
    AppliedDemandNeed,
    ApplyDemandPayload,
    CompetencyTrend,
    DemandGrouping,
    DemandNeed,
    DemandPoint,
    DemandRecord,
    DemandRecordInput,
    DemandSourceKind,
    JobDemand,
    ProgramDemandGap,
    ProgramDemandReport,
    SkippedDemandNeed,
    TrendDirection,
    TrendPeriod,
    value_of,
)
from schema.enums import SkipReason, of
from schema.errors import ApiError, UserError
from schema.permissions import CanEditFrameworks
from schema.relay import Connection, build_connection, decode_cursor, page_size
from schema.types import Proficiency

__all__ = ["DemandMutation", "DemandQuery"]

MAX_TRENDS = 500


class CanReadDemand(BasePermission):
    """Demand records name the enterprises and bodies that gave them: any token reads them
    (admin, designer, college, reader); anonymous callers do not."""

    message = "skills-demand data needs a token"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 - strawberry reads it per instance

    def has_permission(self, source: Any, info: strawberry.Info[Context, Any],
                       **kwargs: Any) -> bool:
        return info.context.principal.role.value != "anonymous"


def _today() -> date:
    return datetime.now(UTC).date()


def _kinds(kinds: list[DemandSourceKind] | None) -> tuple[str, ...] | None:
    return tuple(value_of(k) for k in kinds) if kinds else None


def _slope(value: float) -> Fraction:
    if value < 0:
        raise ApiError("BAD_ARGUMENT", "minSlope must not be negative", argument="minSlope")
    return Fraction(str(value))


def _actor(info: Info) -> Actor:
    principal = info.context.principal
    return Actor(principal.subject, principal.role.value)


AsOf = Annotated[date | None, strawberry.argument(
    description="Count observations up to this day (default: today, UTC)")]
Region = Annotated[str | None, strawberry.argument(
    description="Only sources of this region (default: every region)")]
FrameworkArg = Annotated[strawberry.ID | None, strawberry.argument(
    description="Framework version to compare with (default: the latest published)")]
Period = Annotated[TrendPeriod, strawberry.argument(
    description="Length of an observation period")]
MinSlope = Annotated[float, strawberry.argument(
    description="Proficiency points per period from which a need counts as rising")]
Kinds = Annotated[list[DemandSourceKind] | None, strawberry.argument(
    description="Only these source kinds (default: all three)")]


@strawberry.type
class DemandQuery:
    @strawberry.field(description="Skills-demand records, newest observation first (any "
                                  "token).", permission_classes=[CanReadDemand])
    async def demand_records(
        self, info: Info,
        job_role: Annotated[str | None, strawberry.argument(description="Job-role code")] = None,
        competency: Annotated[str | None, strawberry.argument(
            description="Competency code")] = None,
        industry: Annotated[str | None, strawberry.argument(description="Industry code")] = None,
        region: Region = None, source_kinds: Kinds = None,
        since: Annotated[date | None, strawberry.argument(
            description="Observed on or after this day")] = None,
        until: Annotated[date | None, strawberry.argument(
            description="Observed on or before this day")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size")] = None,
        after: Annotated[str | None, strawberry.argument(
            description="Cursor of the last record of the previous page")] = None,
    ) -> Connection[DemandRecord]:
        context = info.context
        flt = demand.DemandFilter(job_role, competency, industry, region, _kinds(source_kinds),
                                  since, until)
        size = page_size(context, first)
        after_uid = decode_cursor(after)
        nodes = await demand.demand_page(context.store, flt, after_uid, size + 1)

        async def count() -> int:
            return await demand.demand_count(context.store, flt)

        return build_connection([{**n, "code": n["uid"]} for n in nodes], size, after_uid,
                                DemandRecord.of, count)

    @strawberry.field(description="A job role's current demand per competency, with its "
                                  "history, beside the framework version's NEEDS (any token).",
                      permission_classes=[CanReadDemand])
    async def job_demand(
        self, info: Info,
        job_role: Annotated[str, strawberry.argument(description="Job-role code")],
        as_of: AsOf = None, region: Region = None, framework: FrameworkArg = None,
    ) -> JobDemand:
        context = info.context
        if job_role not in await demand.DemandCatalog(context.store).job_industries():
            raise ApiError("UNKNOWN_JOB_ROLE", f"no job role {job_role} in any framework "
                           "version", jobRole=job_role)
        fw = str((await context.resolve_framework(framework))["uid"])
        day = as_of or _today()
        aggregates, records = await demand_analysis.job_demand(context.store, [job_role], day,
                                                               region)
        stored = {r["node"]["code"]: r for r in
                  await context.edges["jobRoleNeeds"].load(element_uid(fw, job_role))}
        needs = []
        for need in aggregates:
            edge = stored.get(need.competency)
            proficiency = Proficiency.of(need.proficiency)
            assert proficiency is not None
            needs.append(DemandNeed(
                job_role_code=job_role, competency_code=need.competency,
                proficiency=proficiency, mean_proficiency=round(float(need.mean_proficiency), 4),
                importance=round(float(need.importance), 4), essential=need.essential,
                sources=need.sources,
                source_kinds=[DemandSourceKind(k) for k in need.source_kinds],
                latest_observed_on=date.fromisoformat(need.latest),
                framework_proficiency=int(edge["proficiency"]) if edge else None,
                framework_essential=bool(edge["essential"]) if edge else None,
                records=[DemandRecord.of(r) for r in need.records],
                history=[DemandPoint.of(p) for p in demand_analysis.history(
                    records, job_role, need.competency)],
                _competency_uid=element_uid(fw, need.competency)))
        return JobDemand(job_role_code=job_role, as_of=day, region=region,
                         framework=strawberry.ID(fw), needs=needs,
                         _uid=element_uid(fw, job_role))

    @strawberry.field(description="Which competencies rise or fall over time: the slope of "
                                  "required proficiency over observation periods, within each "
                                  "job role, pooled; rising first (any token).",
                      permission_classes=[CanReadDemand])
    async def demand_trends(
        self, info: Info,
        industry: Annotated[str | None, strawberry.argument(
            description="Only job roles of this industry")] = None,
        region: Region = None,
        job_role: Annotated[str | None, strawberry.argument(
            description="Only this job role")] = None,
        competency: Annotated[str | None, strawberry.argument(
            description="Only this competency")] = None,
        source_kinds: Kinds = None,
        since: Annotated[date | None, strawberry.argument(
            description="Only observations on or after this day")] = None,
        until: Annotated[date | None, strawberry.argument(
            description="Only observations on or before this day")] = None,
        period: Period = TrendPeriod.YEAR, min_slope: MinSlope = 0.25,
        group_by: Annotated[list[DemandGrouping] | None, strawberry.argument(
            description="Trends per industry and/or region too (default: neither)")] = None,
        direction: Annotated[TrendDirection | None, strawberry.argument(
            description="Only trends of this direction")] = None,
        limit: Annotated[int, strawberry.argument(
            description=f"At most this many trends (≤ {MAX_TRENDS})")] = 50,
        framework: FrameworkArg = None,
    ) -> list[CompetencyTrend]:
        context = info.context
        if not 0 <= limit <= MAX_TRENDS:
            raise ApiError("BAD_ARGUMENT", f"limit must be within 0..{MAX_TRENDS}",
                           argument="limit")
        fw = str((await context.resolve_framework(framework))["uid"])
        groups = set(group_by or ())
        found = await demand_analysis.trends(
            context.store, demand.DemandFilter(job_role, competency, industry, region,
                                               _kinds(source_kinds), since, until),
            period=value_of(period), min_slope=_slope(min_slope),
            by_industry=DemandGrouping.INDUSTRY in groups,
            by_region=DemandGrouping.REGION in groups)
        chosen = [t for t in found if direction is None or t.direction == value_of(direction)]
        return [CompetencyTrend.of(t, fw) for t in chosen[:limit]]

    @strawberry.field(description="Rising needs of a program's jobs that no course of the "
                                  "program teaches at that proficiency (any token).",
                      permission_classes=[CanReadDemand])
    async def program_demand_report(
        self, info: Info,
        program: Annotated[str, strawberry.argument(description="Program code")],
        framework: Annotated[strawberry.ID | None, strawberry.argument(
            description="The program's framework version (default: the latest "
                        "published)")] = None,
        as_of: AsOf = None, region: Region = None, period: Period = TrendPeriod.YEAR,
        min_slope: MinSlope = 0.25,
    ) -> ProgramDemandReport:
        context = info.context
        fw = str((await context.resolve_framework(framework))["uid"])
        node = await context.nodes["Program"].load(element_uid(fw, program))
        if node is None:
            raise ApiError("UNKNOWN_PROGRAM", f"no program {program} in {fw}", program=program)
        day = as_of or _today()
        report = await demand_program.program_demand_report(
            context.store, node, as_of=day, region=region, period=value_of(period),
            min_slope=_slope(min_slope))
        return ProgramDemandReport(
            program_code=report.program, framework=strawberry.ID(report.framework), as_of=day,
            job_role_codes=report.job_roles, needs_considered=report.needs_considered,
            gaps=[ProgramDemandGap.of(g) for g in report.gaps])


@strawberry.type
class DemandMutation:
    @strawberry.mutation(description="Record skills-demand observations (designers and "
                                      "admins; up to 10,000 a call): checked whole, a batch "
                                      "with any bad row writes nothing; audited.",
                         permission_classes=[CanEditFrameworks])
    async def record_demand(
        self, info: Info,
        rows: Annotated[list[DemandRecordInput], strawberry.argument(
            description="The observations")],
    ) -> RecordBatchPayload:
        outcome = await demand.record_demand(info.context.store, batch_rows(rows),
                                             actor=_actor(info))
        return batch_payload(outcome, outcome.audit)

    @strawberry.mutation(description="Delete wrong observations by id (designers and admins); "
                                     "an unknown id deletes nothing; audited.",
                         permission_classes=[CanEditFrameworks])
    async def remove_demand_records(
        self, info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(
            description="Ids of DemandRecord")],
    ) -> RecordBatchPayload:
        outcome = await demand.remove_demand(info.context.store, [str(i) for i in ids],
                                             _actor(info))
        return batch_payload(outcome, outcome.audit)

    @strawberry.mutation(description="Write the current demand aggregate into a DRAFT's job "
                                     "roles' NEEDS edges (designers and admins): needs with "
                                     "records become the aggregate (capped at the job level's "
                                     "maximum), the others stay; audited as "
                                     "applyDemandToDraft.",
                         permission_classes=[CanEditFrameworks])
    async def apply_demand_to_draft(
        self, info: Info,
        framework: Annotated[strawberry.ID, strawberry.argument(
            description="A draft version (CODE@VERSION)")],
        job_roles: Annotated[list[str] | None, strawberry.argument(
            description="Only these job roles (default: every job role of the draft)")] = None,
        as_of: AsOf = None, region: Region = None,
    ) -> ApplyDemandPayload:
        context = info.context
        outcome = await demand_program.apply_demand_to_draft(
            context.store, str(framework), _actor(info), job_roles=job_roles,
            as_of=as_of or _today(), region=region)
        if outcome.audit:  # this request's loaders may hold the needs just changed
            for node_loader in context.nodes.values():
                node_loader.clear_all()
            for edge_loader in context.edges.values():
                edge_loader.clear_all()
        return ApplyDemandPayload(
            errors=[UserError(code=e.code, message=e.message, index=e.index, field=e.field)
                    for e in outcome.errors],
            changes=[AppliedDemandNeed.of(c) for c in outcome.changes],
            skipped=[SkippedDemandNeed(job_role_code=j, competency_code=c,
                                       reason=of(SkipReason, why))
                     for j, c, why in outcome.skipped],
            audit_entry_id=strawberry.ID(outcome.audit) if outcome.audit else None,
            framework=framework)
