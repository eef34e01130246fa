"""What the demand records say: a job's current needs, their history, and trends.

**Aggregate** of job role J and competency C as of day T (README "Skills demand"): of the
records observed on or before T, keep each source's latest (a source is its kind, name and
region); then

- ``proficiency`` = the importance-weighted mean of their proficiencies, rounded half up
  (Σ importance·proficiency / Σ importance; 2.5 → 3), computed on integers, no float ties;
- ``importance`` = the mean importance of those observations;
- ``essential`` = that mean is at least ``ESSENTIAL_IMPORTANCE`` (4 of 5).

The **history** is the aggregate as of every day a record was observed.

**Trend** of a competency over observation periods (years, half years or quarters): per job
role and period, the importance-weighted mean required proficiency of the records observed
in the period; the slope is the least-squares slope of those means over the period index,
measured within each job role and pooled over job roles (Σ(t−t̄ⱼ)(v−v̄ⱼ) / Σ(t−t̄ⱼ)²), so a
period that happened to survey more senior jobs does not read as a rise. RISING when the slope
is at least ``min_slope`` proficiency points per period, FALLING at most −``min_slope``, else
STEADY; a trend needs two periods of one job role at least. Computed with exact fractions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from graph.cypher import Cypher
from graph.demand import DemandFilter
from graph.store import GraphStore, Record

__all__ = [
    "ESSENTIAL_IMPORTANCE", "PERIODS", "Aggregate", "HistoryPoint", "Trend", "TrendPoint",
    "aggregate", "history", "job_demand", "period_of", "pooled_slope", "round_half_up",
    "trends",
]

ESSENTIAL_IMPORTANCE = 4
PERIODS = {"year": 1, "half": 2, "quarter": 4}  # periods per year

RECORDS_OF_JOBS = Cypher(
    "UNWIND $jobs AS job MATCH (r:DemandRecord {jobRole: job}) "
    "WHERE r.observedOn <= $asOf AND ($region IS NULL OR r.region = $region) "
    "RETURN r {.*} AS node ORDER BY r.observedOn, r.uid"
)
# Sums per (competency, job, industry, region, month): at most one row per record, usually
# far fewer; periods are assembled from months in Python.
TREND_SUMS = Cypher(
    "MATCH (r:DemandRecord) "
    "WHERE ($jobRole IS NULL OR r.jobRole = $jobRole) "
    "AND ($competency IS NULL OR r.competency = $competency) "
    "AND ($industry IS NULL OR r.industry = $industry) "
    "AND ($region IS NULL OR r.region = $region) "
    "AND ($sourceKinds IS NULL OR r.sourceKind IN $sourceKinds) "
    "AND ($since IS NULL OR r.observedOn >= $since) "
    "AND ($until IS NULL OR r.observedOn <= $until) "
    "RETURN r.competency AS competency, r.jobRole AS jobRole, r.industry AS industry, "
    "r.region AS region, substring(r.observedOn, 0, 7) AS month, "
    "sum(r.importance * r.proficiency) AS weighted, sum(r.importance) AS weight, "
    "count(r) AS records"
)


def round_half_up(value: Fraction) -> int:
    """2.5 → 3, 2.49 → 2: the rule people expect, on exact fractions."""
    return int((value + Fraction(1, 2)).__floor__())


@dataclass(frozen=True, slots=True)
class Aggregate:
    """The demand for one (job role, competency) as of a day."""

    job_role: str
    competency: str
    proficiency: int
    mean_proficiency: Fraction
    importance: Fraction
    essential: bool
    sources: int
    source_kinds: tuple[str, ...]
    latest: str  # the newest observation day counted
    records: tuple[Record, ...] = field(default=(), compare=False)


def _source(record: Record) -> tuple[str, str, str]:
    return (str(record["sourceKind"]), str(record["sourceName"]), str(record["region"]))


def aggregate(records: Iterable[Record], as_of: date) -> list[Aggregate]:
    """The aggregate of every (job role, competency) the records cover, as of ``as_of``."""
    day = as_of.isoformat()
    latest: dict[tuple[str, str], dict[tuple[str, str, str], Record]] = defaultdict(dict)
    for record in records:
        if str(record["observedOn"]) > day:
            continue
        key = (str(record["jobRole"]), str(record["competency"]))
        current = latest[key].get(_source(record))
        if current is None or str(record["observedOn"]) > str(current["observedOn"]):
            latest[key][_source(record)] = record
    result = []
    for (job, competency), by_source in sorted(latest.items()):
        chosen = sorted(by_source.values(), key=lambda r: (str(r["observedOn"]), _source(r)))
        weight = sum(int(r["importance"]) for r in chosen)
        mean = Fraction(sum(int(r["importance"]) * int(r["proficiency"]) for r in chosen),
                        weight)
        importance = Fraction(weight, len(chosen))
        result.append(Aggregate(
            job_role=job, competency=competency, proficiency=round_half_up(mean),
            mean_proficiency=mean, importance=importance,
            essential=importance >= ESSENTIAL_IMPORTANCE, sources=len(chosen),
            source_kinds=tuple(sorted({str(r["sourceKind"]) for r in chosen})),
            latest=max(str(r["observedOn"]) for r in chosen), records=tuple(chosen)))
    return result


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    on: str
    proficiency: int
    importance: Fraction
    essential: bool
    sources: int


def history(records: Sequence[Record], job_role: str, competency: str) -> list[HistoryPoint]:
    """The aggregate of one (job role, competency) as of each day it was observed."""
    own = [r for r in records if r["jobRole"] == job_role and r["competency"] == competency]
    points = []
    for day in sorted({str(r["observedOn"]) for r in own}):
        (value,) = aggregate(own, date.fromisoformat(day))
        points.append(HistoryPoint(day, value.proficiency, value.importance, value.essential,
                                   value.sources))
    return points


async def job_demand(store: GraphStore, jobs: Sequence[str], as_of: date,
                     region: str | None = None) -> tuple[list[Aggregate], list[Record]]:
    """The aggregates of job roles ``jobs`` as of ``as_of`` and the records behind them."""
    records = await store.read(RECORDS_OF_JOBS, {"jobs": list(jobs), "asOf": as_of.isoformat(),
                                                 "region": region})
    nodes = [row["node"] for row in records]
    return aggregate(nodes, as_of), nodes


def period_of(month: str, period: str) -> tuple[int, str]:
    """(index, label) of the period holding ``month`` (YYYY-MM): 2024, 2024-H2, 2024-Q3."""
    year, number = int(month[:4]), int(month[5:7])
    per_year = PERIODS[period]
    part = (number - 1) * per_year // 12
    label = {1: f"{year}", 2: f"{year}-H{part + 1}", 4: f"{year}-Q{part + 1}"}[per_year]
    return year * per_year + part, label


def pooled_slope(series: Iterable[Sequence[tuple[int, Fraction]]]) -> Fraction | None:
    """The within-series least-squares slope of (index, value) points, pooled over series;
    None when no series has two distinct indices."""
    numerator, denominator = Fraction(0), Fraction(0)
    for points in series:
        if len({t for t, _ in points}) < 2:
            continue
        mean_t = Fraction(sum(t for t, _ in points), len(points))
        mean_v = sum((v for _, v in points), Fraction(0)) / len(points)
        numerator += sum(((t - mean_t) * (v - mean_v) for t, v in points), Fraction(0))
        denominator += sum(((t - mean_t) ** 2 for t, _ in points), Fraction(0))
    return numerator / denominator if denominator else None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: str
    mean_proficiency: Fraction  # over all records of the period (all job roles)
    mean_importance: Fraction
    records: int


@dataclass(frozen=True, slots=True)
class Trend:
    competency: str
    industry: str | None
    region: str | None
    slope: Fraction
    direction: str  # rising | falling | steady
    job_roles: int
    points: tuple[TrendPoint, ...]

    @property
    def change(self) -> Fraction:
        return self.points[-1].mean_proficiency - self.points[0].mean_proficiency


def direction_of(slope: Fraction, min_slope: Fraction) -> str:
    if slope >= min_slope:
        return "rising"
    if slope <= -min_slope:
        return "falling"
    return "steady"


async def trends(store: GraphStore, flt: DemandFilter, *, period: str = "year",
                 min_slope: Fraction = Fraction(1, 4), by_industry: bool = False,
                 by_region: bool = False) -> list[Trend]:
    """Each competency's trend within the filter (per industry and/or region when asked),
    rising first; competencies without two periods of one job role are left out."""
    rows = await store.read(TREND_SUMS, {**flt.params()})
    # group → competency → job → period index → [weighted, weight]
    sums: dict[tuple[str, str | None, str | None], dict[str, dict[int, list[int]]]] = (
        defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: [0, 0]))))
    totals: dict[tuple[str, str | None, str | None], dict[int, list[Any]]] = (
        defaultdict(lambda: defaultdict(lambda: [0, 0, 0, ""])))
    for row in rows:
        group = (str(row["competency"]), str(row["industry"]) if by_industry else None,
                 str(row["region"]) if by_region else None)
        index, label = period_of(str(row["month"]), period)
        weighted, weight, count = int(row["weighted"]), int(row["weight"]), int(row["records"])
        cell = sums[group][str(row["jobRole"])][index]
        cell[0] += weighted
        cell[1] += weight
        total = totals[group][index]
        total[0] += weighted
        total[1] += weight
        total[2] += count
        total[3] = label
    result = []
    for group, jobs in sums.items():
        series = [[(t, Fraction(w, n)) for t, (w, n) in sorted(periods.items())]
                  for periods in jobs.values()]
        slope = pooled_slope(series)
        if slope is None:
            continue
        points = tuple(TrendPoint(label, Fraction(w, n), Fraction(n, c), c)
                       for _, (w, n, c, label) in sorted(totals[group].items()))
        contributing = sum(1 for s in series if len({t for t, _ in s}) > 1)
        result.append(Trend(group[0], group[1], group[2], slope,
                            direction_of(slope, min_slope), contributing, points))
    result.sort(key=lambda t: (-t.slope, t.competency, t.industry or "", t.region or ""))
    return result


def job_slopes(records: Sequence[Record], period: str) -> dict[tuple[str, str], Fraction]:
    """The slope of each (job role, competency) over periods (those with two periods)."""
    cells: dict[tuple[str, str], dict[int, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0]))
    for record in records:
        index, _ = period_of(str(record["observedOn"])[:7], period)
        cell = cells[(str(record["jobRole"]), str(record["competency"]))][index]
        cell[0] += int(record["importance"]) * int(record["proficiency"])
        cell[1] += int(record["importance"])
    slopes = {}
    for key, periods in cells.items():
        slope = pooled_slope([[(t, Fraction(w, n)) for t, (w, n) in sorted(periods.items())]])
        if slope is not None:
            slopes[key] = slope
    return slopes
