"""Demand against a program and a draft: the input to the next framework version (动态迭代).

``program_demand_report``: the program's jobs are the job roles of its framework version in
the industry of its major at the program's level. A need (job role, competency) of those jobs
is *rising* when its records' slope over periods is at least ``min_slope`` (RISING_TREND), when
its current aggregate asks more than the version's NEEDS edge (ABOVE_FRAMEWORK), or when the
version has no such NEEDS edge at all (NEW_NEED). It is listed when no course of the program
teaches the competency at the demanded proficiency (the highest TEACHES proficiency of the
program's courses is lower, or there is none).

``apply_demand_to_draft``: a published version is frozen, so the aggregate only enters a
framework through a draft, explicitly: each named job role's NEEDS edges become the
aggregate where records exist (proficiency capped at the job level's maximum, reported), and
stay as they are where none do. The edit goes through ``graph.editing.upsert_job_roles`` —
the same checks, the same refusal of a frozen version, the same audit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from graph import editing
from graph.cypher import Cypher
from graph.demand_analysis import Aggregate, job_demand, job_slopes
from graph.framework import FrameworkRepository
from graph.store import GraphStore, Record

__all__ = ["AppliedNeed", "ApplyOutcome", "DemandGap", "ProgramDemand",
           "apply_demand_to_draft", "program_demand_report"]

PROGRAM_JOBS = Cypher(
    "MATCH (p:Program {uid: $program})-[:FOR_MAJOR]->(m:Major) "
    "MATCH (j:JobRole) WHERE j.fw = p.fw AND j.industry = m.industry AND j.level = p.level "
    "OPTIONAL MATCH (j)-[n:NEEDS]->(c:Competency) "
    "RETURN j.code AS code, collect([c.code, n.proficiency, n.essential]) AS needs "
    "ORDER BY code"
)
PROGRAM_TEACHING = Cypher(
    "MATCH (p:Program {uid: $program})-[:INCLUDES]->(c:Course)-[t:TEACHES]->(k:Competency) "
    "RETURN k.code AS competency, c.code AS course, t.proficiency AS proficiency"
)
VERSION_COMPETENCIES = Cypher("MATCH (c:Competency {fw: $fw}) RETURN c.code AS code")
DRAFT_JOBS = Cypher(
    "MATCH (j:JobRole {fw: $fw}) MATCH (l:Level) WHERE l.code = j.level "
    "OPTIONAL MATCH (j)-[n:NEEDS]->(c:Competency) "
    "RETURN j.code AS code, l.maxProficiency AS top, "
    "collect([c.code, n.proficiency, n.essential]) AS needs ORDER BY code"
)

RISING_TREND = "RISING_TREND"
ABOVE_FRAMEWORK = "ABOVE_FRAMEWORK"
NEW_NEED = "NEW_NEED"


def _needs(row: Record) -> dict[str, tuple[int, bool]]:
    return {str(code): (int(p), bool(e)) for code, p, e in row["needs"] or [] if code}


@dataclass(frozen=True, slots=True)
class DemandGap:
    """A rising need of one of the program's jobs that no program course teaches enough."""

    job_role: str
    competency: str
    demand: Aggregate
    slope: Fraction | None
    reasons: tuple[str, ...]
    framework_proficiency: int | None  # the version's NEEDS edge, if any
    taught_proficiency: int  # the highest TEACHES proficiency in the program (0: none)
    teaching_courses: tuple[str, ...]  # program courses teaching it below the demand
    in_framework: bool  # the competency exists in the program's version


@dataclass
class ProgramDemand:
    program: str
    framework: str
    job_roles: list[str] = field(default_factory=list)
    gaps: list[DemandGap] = field(default_factory=list)
    needs_considered: int = 0


async def program_demand_report(store: GraphStore, program: Record, *, as_of: date,
                                region: str | None = None, period: str = "year",
                                min_slope: Fraction = Fraction(1, 4)) -> ProgramDemand:
    """See the module docstring; ``program`` is the program's node."""
    report = ProgramDemand(program=str(program["code"]), framework=str(program["fw"]))
    jobs = {str(r["code"]): _needs(r)
            for r in await store.read(PROGRAM_JOBS, {"program": program["uid"]})}
    report.job_roles = sorted(jobs)
    if not jobs:
        return report
    aggregates, records = await job_demand(store, report.job_roles, as_of, region)
    slopes = job_slopes(records, period)
    taught: dict[str, list[tuple[int, str]]] = {}
    for row in await store.read(PROGRAM_TEACHING, {"program": program["uid"]}):
        taught.setdefault(str(row["competency"]), []).append(
            (int(row["proficiency"]), str(row["course"])))
    known = {r["code"] for r in await store.read(VERSION_COMPETENCIES, {"fw": program["fw"]})}
    report.needs_considered = len(aggregates)
    for need in aggregates:
        key = (need.job_role, need.competency)
        stored = jobs[need.job_role].get(need.competency)
        slope = slopes.get(key)
        reasons = []
        if slope is not None and slope >= min_slope:
            reasons.append(RISING_TREND)
        if stored is None:
            reasons.append(NEW_NEED)
        elif need.proficiency > stored[0]:
            reasons.append(ABOVE_FRAMEWORK)
        teaching = taught.get(need.competency, [])
        best = max((p for p, _ in teaching), default=0)
        if not reasons or best >= need.proficiency:
            continue
        report.gaps.append(DemandGap(
            job_role=need.job_role, competency=need.competency, demand=need, slope=slope,
            reasons=tuple(reasons), framework_proficiency=stored[0] if stored else None,
            taught_proficiency=best, teaching_courses=tuple(sorted(c for _, c in teaching)),
            in_framework=need.competency in known))
    report.gaps.sort(key=lambda g: (not g.demand.essential,
                                    -(g.demand.proficiency - g.taught_proficiency),
                                    -(g.slope or 0), g.job_role, g.competency))
    return report


@dataclass(frozen=True, slots=True)
class AppliedNeed:
    job_role: str
    competency: str
    before: tuple[int, bool] | None
    after: tuple[int, bool]
    capped: bool  # the aggregate was above the job level's maximum proficiency


@dataclass
class ApplyOutcome:
    errors: list[editing.EditError] = field(default_factory=list)
    changes: list[AppliedNeed] = field(default_factory=list)
    # (job, competency, why): NOT_IN_FRAMEWORK, or ABOVE_LEVEL_MAX when the demand exceeds
    # the job level's maximum and the need already stands at that maximum
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    audit: str | None = None


async def apply_demand_to_draft(store: GraphStore, fw: str, actor: editing.Actor, *,
                                job_roles: Sequence[str] | None, as_of: date,
                                region: str | None = None) -> ApplyOutcome:
    """Write the current aggregate into the NEEDS edges of draft ``fw``'s job roles."""
    outcome = ApplyOutcome()
    framework = await FrameworkRepository(store).framework(fw)
    if framework is None or framework.get("status") != "draft":
        code = editing.FRAMEWORK_NOT_FOUND if framework is None else editing.FRAMEWORK_FROZEN
        outcome.errors.append(editing.EditError(code, (
            f"no framework version {fw!r}" if framework is None else
            f"framework {fw} is {framework.get('status')} and frozen: apply demand to a draft "
            "made with createFrameworkVersion"), None, "framework"))
        return outcome
    drafts = {str(r["code"]): r for r in await store.read(DRAFT_JOBS, {"fw": fw})}
    wanted = sorted(set(job_roles)) if job_roles else sorted(drafts)
    for code in wanted:
        if code not in drafts:
            outcome.errors.append(editing.EditError(
                editing.UNKNOWN_CODE, f"unknown job role code {code!r} in {fw}", None,
                "jobRoles"))
    if outcome.errors:
        return outcome
    known = {r["code"] for r in await store.read(VERSION_COMPETENCIES, {"fw": fw})}
    aggregates, _ = await job_demand(store, wanted, as_of, region)
    by_job: dict[str, list[Aggregate]] = {}
    for need in aggregates:
        if need.competency not in known:
            outcome.skipped.append((need.job_role, need.competency, "NOT_IN_FRAMEWORK"))
        else:
            by_job.setdefault(need.job_role, []).append(need)
    rows: list[dict[str, Any]] = []
    for code in wanted:
        if code not in by_job:
            continue
        current = _needs(drafts[code])
        top = int(drafts[code]["top"])
        needs = dict(current)
        for need in by_job[code]:
            after = (min(need.proficiency, top), need.essential)
            needs[need.competency] = after
            if current.get(need.competency) != after:
                outcome.changes.append(AppliedNeed(code, need.competency,
                                                   current.get(need.competency), after,
                                                   need.proficiency > top))
            elif need.proficiency > top:
                outcome.skipped.append((code, need.competency, "ABOVE_LEVEL_MAX"))
        rows.append({"code": code, "needs": [
            {"competency": c, "proficiency": p, "essential": e}
            for c, (p, e) in sorted(needs.items())]})
    if not rows:
        return outcome
    result = await editing.upsert_job_roles(
        store, fw, rows, actor, mutation="applyDemandToDraft",
        summary={"asOf": as_of.isoformat(), "region": region,
                 "changed": [f"{c.job_role}:{c.competency}" for c in outcome.changes]})
    outcome.errors, outcome.audit = result.errors, result.audit
    if result.errors:
        outcome.changes = []
    return outcome
