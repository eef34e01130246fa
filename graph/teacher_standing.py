"""Where a teacher stands on the standard, and a college's teaching force at a glance.

Rules (README "Teachers"):

- an item of the standard is **met** when the teacher's evidence of the item's kind and layer
  (projects: in one of the item's roles, if it names any), completed on or before the day
  asked about and within the item's ``withinYears`` before it, adds up to the item's
  threshold: ``minHours`` total hours, or ``minCount`` pieces;
- the teacher's **tier** is the highest tier all of whose items, and all items of the tiers
  below it, are met (tiers are cumulative); none when not even 普及层's are;
- the **gaps** are the unmet items up to the next tier: what stands between the teacher and
  the tier above (unmet items of lower tiers come first);
- **the tier a course needs**: a 通识 (GEN) course needs 普及层 TT-1 (teaching with AI
  tools, 004 指引 六(一)1); a 专业技能 (PRO) or 行业能力 (IND) course needs 深化层 TT-2
  (teaching with the AI methods industry uses, 六(一)2); an IND course at 职业本科 (BK), which
  teaches building AI-enabled business models (二(一)), needs 研发层 TT-3 (六(一)3). A course
  **lacks a teacher at its tier** when none of the college's teachers who teach it has reached
  that tier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from graph.cypher import Cypher
from graph.store import GraphStore, Record
from graph.teacher_standards import StandardItem, TierInfo

__all__ = [
    "CourseCoverage",
    "ItemProgress",
    "Placement",
    "college_courses",
    "course_coverage",
    "course_tier",
    "place",
]

COLLEGE_COURSES = Cypher(
    "MATCH (:College {code: $college})-[:OFFERS]->(p:Program {fw: $fw})-[:INCLUDES]->(c:Course) "
    "RETURN c {.*} AS course, c.code AS code, collect(DISTINCT p.code) AS programs "
    "ORDER BY code"
)


def course_tier(layer: str, level: str) -> str:
    """The tier code a course of ``layer`` at ``level`` needs (see the module docstring)."""
    if layer == "GEN":
        return "TT-1"
    if layer == "IND" and level == "BK":
        return "TT-3"
    return "TT-2"


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True, slots=True)
class ItemProgress:
    item: StandardItem
    have: Decimal  # hours or pieces counted
    need: int
    met: bool
    evidence: tuple[str, ...]  # uids of the evidence counted


def progress(item: StandardItem, evidence: Sequence[Record], as_of: date) -> ItemProgress:
    """How far ``evidence`` goes toward ``item`` on ``as_of``."""
    earliest = _years_before(as_of, item.within_years) if item.within_years else None
    counted = [e for e in evidence
               if e["kind"] == item.evidence_kind and e["layer"] == item.layer
               and (not item.roles or e.get("role") in item.roles)
               and str(e["completedOn"]) <= as_of.isoformat()
               and (earliest is None or str(e["completedOn"]) >= earliest.isoformat())]
    if item.min_hours is not None:
        have = sum((Decimal(str(e.get("hours") or 0)) for e in counted), Decimal(0))
        need = item.min_hours
    else:
        have, need = Decimal(len(counted)), int(item.min_count or 0)
    return ItemProgress(item, have, need, have >= need, tuple(str(e["uid"]) for e in counted))


@dataclass(frozen=True, slots=True)
class Placement:
    tier: TierInfo | None
    items: tuple[ItemProgress, ...]  # every item of every tier, by tier then code
    gaps: tuple[ItemProgress, ...]
    next_tier: TierInfo | None


def place(tiers: Sequence[TierInfo], evidence: Sequence[Record], as_of: date) -> Placement:
    """The teacher's tier, progress on every item, and the gaps to the next tier."""
    items = tuple(progress(item, evidence, as_of) for tier in tiers for item in tier.items)
    met = {p.item.code for p in items if p.met}
    reached: TierInfo | None = None
    next_tier: TierInfo | None = None
    for tier in tiers:
        if tier.items and all(item.code in met for item in tier.items):
            reached = tier
            continue
        next_tier = tier
        break
    ceiling = next_tier.rank if next_tier else 0
    ranks = {tier.code: tier.rank for tier in tiers}
    gaps = tuple(p for p in items if not p.met and ranks.get(p.item.tier, 99) <= ceiling)
    return Placement(reached, items, gaps, next_tier)


@dataclass(frozen=True, slots=True)
class CourseCoverage:
    course: Record
    programs: tuple[str, ...]
    needed_tier: str
    teachers: tuple[tuple[str, str | None], ...]  # (teacher code, tier code) who teach it
    best_tier: str | None
    status: str  # covered, belowTier (taught, but by nobody at the tier) or noTeacher


async def college_courses(store: GraphStore, college: str, fw: str) -> list[Record]:
    """The courses of the college's programs in version ``fw``, with those programs."""
    return await store.read(COLLEGE_COURSES, {"college": college, "fw": fw})


def course_coverage(courses: Sequence[Record], tiers: Sequence[TierInfo],
                    placed: Mapping[str, tuple[Sequence[str], TierInfo | None]],
                    ) -> list[CourseCoverage]:
    """``placed``: teacher code → (course codes taught, tier reached or None)."""
    rank = {tier.code: tier.rank for tier in tiers}
    result = []
    for row in courses:
        course = row["course"]
        needed = course_tier(str(course["layer"]), str(course["level"]))
        teaching = sorted((code, tier) for code, (taught, tier) in placed.items()
                          if course["code"] in taught)
        best = max((tier for _, tier in teaching if tier is not None),
                   key=lambda tier: tier.rank, default=None)
        if not teaching:
            status = "noTeacher"
        elif best is not None and best.rank >= rank.get(needed, 99):
            status = "covered"
        else:
            status = "belowTier"
        result.append(CourseCoverage(
            course=course, programs=tuple(sorted(row["programs"])), needed_tier=needed,
            teachers=tuple((code, tier.code if tier else None) for code, tier in teaching),
            best_tier=best.code if best else None, status=status))
    return result
