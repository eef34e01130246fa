"""The Student type: one report per student per request, whichever fields ask for it."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import analytics
from graph.evidence import counted_proficiency
from graph.ids import element_uid
from graph.standing import Standing
from graph.store import Record
from schema.context import Context
from schema.enums import (
    EvidenceKind,
    LayerCode,
    LevelCode,
    PathStepReason,
    of,
    of_opt,
    value,
)
from schema.errors import ApiError
from schema.learners.records import (
    _day,
)
from schema.learners.standing import (
    CompetencyStanding,
    DimensionReadiness,
    EvidenceItem,
    GapReport,
    GapTarget,
    LayerPlacement,
    LearningPath,
    PathOrderConflict,
    PathStep,
    _context,
)
from schema.programs import Program


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
        done: analytics.StudentReport | None = self._report.get("done")
        if done is not None:
            return done
        if "standing" in self._report:  # read with the student: no waiting, no race
            done = self._report["done"] = analytics.report_of(self._row,
                                                              self._report["standing"])
            return done
        if "task" not in self._report:
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
