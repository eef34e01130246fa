"""Where one student stands: attained vs required per competency, readiness, placement.

The rules (also in the README):
- gap(c) = max(0, required(c) − attained(c));
- readiness of a layer (and of the ethics strand, the 伦理安全意识 dimension) =
  Σ min(attained, required) / Σ required over the student's required competencies in it;
- placement in a layer = the highest level (ZZ < GZ < BK) all of whose requirements in that
  layer, within the student's scope, the student meets; none if not even ZZ's.
A student costs one store query: attainment and targets are maintained on write.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from graph.cypher import Cypher, OneRow
from graph.ids import LEVEL_ORDER
from graph.scope import ProgramScope, decode_scope
from graph.store import GraphStore, Record

__all__ = [
    "DIMENSIONS", "LAYERS", "PLACES", "DimensionReadiness", "Standing", "StudentReport",
    "gaps_against", "placement", "readiness", "report_of", "standings_of", "student_evidence",
    "student_record", "student_report", "student_with_standing",
]

DIMENSIONS = ("GEN", "PRO", "IND", "ETH")
LAYERS = ("GEN", "PRO", "IND")
PLACES = (*LEVEL_ORDER, "NONE")  # where a layer places a student, in the stored counts' order
_DESCENDING = tuple(reversed(LEVEL_ORDER))

STUDENT = OneRow(
    "MATCH (s:Student {uid: $student}) "
    "RETURN s {.uid, .code, .college, .program, .programCode, .fw, .level, .major, "
    ".classLabel, .enrolledOn} AS student"
)
# One row: the program's scope (targets, as text: graph.scope) and the student's attainment,
# which exists only where evidence does.
STUDENT_STANDING = OneRow(
    "MATCH (s:Student {uid: $student}) "
    "OPTIONAL MATCH (s)-[:ENROLLED_IN]->(p:Program) "
    "OPTIONAL MATCH (s)-[a:STANDS]->(c:Competency) "
    "RETURN p.scope AS scope, collect([c.uid, c.code, c.layer, 'ETH' IN c.strands, "
    "a.attained, a.evidenceKind, a.evidenceCode, a.evidenceAt]) AS attained"
)
# The student and its standing in one round trip, for a caller that will show both.
STUDENT_WITH_STANDING = OneRow(
    "MATCH (s:Student {uid: $student}) "
    "OPTIONAL MATCH (s)-[:ENROLLED_IN]->(p:Program) "
    "OPTIONAL MATCH (s)-[a:STANDS]->(c:Competency) "
    "WITH s, p, collect([c.uid, c.code, c.layer, 'ETH' IN c.strands, a.attained, "
    "a.evidenceKind, a.evidenceCode, a.evidenceAt]) AS attained "
    "RETURN s {.uid, .code, .college, .program, .programCode, .fw, .level, .major, "
    ".classLabel, .enrolledOn} AS student, p.scope AS scope, attained"
)
STUDENT_EVIDENCE = Cypher(
    "MATCH (s:Student {uid: $student})-[r:TOOK]->(a:Assessment)-[m:MEASURES]->(c:Competency) "
    "RETURN c.code AS competency, 'assessment' AS kind, a.code AS code, r.takenAt AS at, "
    "r.score AS score, r.maxScore AS maxScore, r.passed AS passed, "
    "m.proficiency AS proficiency "
    "UNION ALL "
    "MATCH (s:Student {uid: $student})-[h:HOLDS]->(e:Certification)-[v:EVIDENCES]->"
    "(c:Competency) "
    "RETURN c.code AS competency, 'certification' AS kind, e.code AS code, h.heldOn AS at, "
    "null AS score, null AS maxScore, true AS passed, v.proficiency AS proficiency"
)
PROGRAM_TARGET_MAP = Cypher(
    "MATCH (p:Program {uid: $program})-[t:TARGETS]->(c:Competency) "
    "RETURN c.uid AS uid, c.code AS code, c.layer AS layer, 'ETH' IN c.strands AS eth, "
    "t.proficiency AS required"
)
JOB_ROLE_TARGET_MAP = Cypher(
    "MATCH (j:JobRole {uid: $job})-[n:NEEDS]->(c:Competency) "
    "RETURN c.uid AS uid, c.code AS code, c.layer AS layer, 'ETH' IN c.strands AS eth, "
    "n.proficiency AS required, n.essential AS essential"
)
LEVEL_TARGET_MAP = Cypher(
    "MATCH (s:Student {uid: $student})-[:ENROLLED_IN]->(:Program)-[:IN_SCOPE]->(c:Competency)"
    "-[:HAS_REQUIREMENT]->(r:Requirement {level: $level}) "
    "RETURN c.uid AS uid, c.code AS code, c.layer AS layer, 'ETH' IN c.strands AS eth, "
    "r.proficiency AS required"
)


class Standing(NamedTuple):
    """A student's position on one competency. Immutable (a scope's blank standings are
    shared by every report of it) and a tuple: ~30 are built per report, and a frozen
    dataclass's ``__init__`` (an ``object.__setattr__`` per field) cost 8× a tuple's."""

    uid: str
    code: str
    layer: str
    eth: bool
    required: int
    attained: int
    in_scope: bool
    evidence_kind: str | None
    evidence_code: str | None
    evidence_at: str | None
    level_requirements: Mapping[str, int]

    @property
    def gap(self) -> int:
        return max(0, self.required - self.attained)


@dataclass(frozen=True, slots=True)
class DimensionReadiness:
    dimension: str
    required: int
    attained: int

    @property
    def ratio(self) -> float:
        return self.attained / self.required if self.required else 1.0


@dataclass
class StudentReport:
    student: Record
    standings: list[Standing]
    readiness: list[DimensionReadiness]
    placement: dict[str, str | None]


@dataclass(frozen=True, slots=True)
class _Blank:
    """A program scope's report with nothing attained: every in-scope competency's
    ``Standing`` (frozen, so shared by the requests), in code order, and the scope."""

    standings: tuple[Standing, ...]
    index: Mapping[str, int]
    scope: ProgramScope


@functools.lru_cache(maxsize=1024)
def _blank(scope_text: str | None) -> _Blank:
    scope = decode_scope(scope_text)
    standings = sorted((Standing(item.uid, item.code, item.layer, item.eth, item.required, 0,
                                 True, None, None, None, item.levels) for item in scope.items),
                       key=_code)
    return _Blank(tuple(standings), {s.uid: i for i, s in enumerate(standings)}, scope)


def _code(standing: Standing) -> str:
    return standing.code


def _standings(blank: _Blank, attained: Iterable[Sequence[Any]]
               ) -> tuple[list[Standing], list[Standing]]:
    """All standings in code order, and the in-scope ones with something attained."""
    have = {row[0]: row for row in attained if row[0] is not None}
    standings = list(blank.standings)
    touched, outside = [], []
    for uid, row in have.items():
        i = blank.index.get(uid)
        if i is None:
            _, code, layer, eth, value, kind, evidence, at = row
            outside.append(Standing(uid, code, layer, bool(eth), 0, int(value or 0), False,
                                    kind, evidence, at, {}))
        else:
            item = blank.standings[i]
            standings[i] = now = Standing(item.uid, item.code, item.layer, item.eth,
                                          item.required, int(row[4] or 0), True, row[5],
                                          row[6], row[7], item.level_requirements)
            touched.append(now)
    if outside:
        standings.extend(outside)
        standings.sort(key=_code)
    return standings, touched


def standings_of(scope_text: str | None, attained: Iterable[Sequence[Any]]) -> list[Standing]:
    """Every in-scope competency with what the student attained of it, and the attained
    competencies outside the scope (required 0), in code order."""
    return _standings(_blank(scope_text), attained)[0]


def _scoped_figures(scope: ProgramScope, touched: Iterable[Standing]
                    ) -> tuple[list[DimensionReadiness], dict[str, str | None]]:
    """``readiness`` and ``placement`` of the scope's standings when only ``touched`` have
    something attained: the scope's totals are precomputed (``graph.scope``), so the work is
    the student's evidence, not the ~90 competencies in scope (a property test holds the
    two equal)."""
    attained: dict[str, int] = {}
    met = dict(scope.met_by_nothing)
    for item in touched:
        if item.required > 0 and item.attained > 0:
            part = min(item.attained, item.required)
            attained[item.layer] = attained.get(item.layer, 0) + part
            if item.eth:
                attained["ETH"] = attained.get("ETH", 0) + part
        for level, needed in item.level_requirements.items():
            if 0 < needed <= item.attained:
                met[(item.layer, level)] = met.get((item.layer, level), 0) + 1
    total = scope.required_total
    ready = [DimensionReadiness(d, total[d], attained.get(d, 0)) for d in DIMENSIONS
             if total.get(d, 0) > 0]
    placed: dict[str, str | None] = {}
    for layer in LAYERS:
        placed[layer] = None
        for level in _DESCENDING:
            asked = scope.asked.get((layer, level), 0)
            if asked and met.get((layer, level), 0) == asked:
                placed[layer] = level
                break
    return ready, placed


def readiness(standings: Iterable[Standing]) -> list[DimensionReadiness]:
    """Σ min(attained, required) / Σ required per layer and for the ethics strand."""
    required: dict[str, int] = defaultdict(int)
    attained: dict[str, int] = defaultdict(int)
    for item in standings:
        if item.required <= 0:
            continue
        for dimension in (item.layer, "ETH") if item.eth else (item.layer,):
            required[dimension] += item.required
            attained[dimension] += min(item.attained, item.required)
    return [DimensionReadiness(d, required[d], attained[d]) for d in DIMENSIONS
            if required[d] > 0]


def placement(standings: Iterable[Standing]) -> dict[str, str | None]:
    """Per layer, the highest level whose every in-scope requirement is met (or None)."""
    items = [s for s in standings if s.in_scope]
    placed: dict[str, str | None] = {}
    for layer in LAYERS:
        in_layer = [s for s in items if s.layer == layer]
        placed[layer] = None
        for level in reversed(LEVEL_ORDER):
            asked = [s for s in in_layer if level in s.level_requirements]
            if asked and all(s.attained >= s.level_requirements[level] for s in asked):
                placed[layer] = level
                break
    return placed


async def student_record(store: GraphStore, student: str) -> Record | None:
    rows = await store.read(STUDENT, {"student": student})
    return rows[0]["student"] if rows else None


async def student_report(store: GraphStore, student: Record) -> StudentReport:
    rows = await store.read(STUDENT_STANDING, {"student": student["uid"]})
    return report_of(student, rows[0] if rows else None)


async def student_with_standing(store: GraphStore, student: str) -> Record | None:
    """One query: the student record, plus what ``report_of`` turns into its report."""
    rows = await store.read(STUDENT_WITH_STANDING, {"student": student})
    return rows[0] if rows else None


def report_of(student: Record, standing: Record | None) -> StudentReport:
    """The report from a STUDENT_STANDING (or STUDENT_WITH_STANDING) row."""
    if not standing:
        return StudentReport(student, [], readiness([]), placement([]))
    blank = _blank(standing["scope"])
    standings, touched = _standings(blank, standing["attained"])
    ready, placed = _scoped_figures(blank.scope, touched)
    return StudentReport(student, standings, ready, placed)


async def student_evidence(store: GraphStore, student: str) -> list[Record]:
    return await store.read(STUDENT_EVIDENCE, {"student": student})


async def gaps_against(store: GraphStore, student: Record, standings: Sequence[Standing], *,
                       program: str | None = None, job_role: str | None = None,
                       level: str | None = None) -> list[Standing]:
    """The student's standing against another target: a program, a job role or a level."""
    if program is not None:
        targets = await store.read(PROGRAM_TARGET_MAP, {"program": program})
    elif job_role is not None:
        targets = await store.read(JOB_ROLE_TARGET_MAP, {"job": job_role})
    elif level is not None:
        targets = await store.read(LEVEL_TARGET_MAP, {"student": student["uid"],
                                                      "level": level})
    else:
        return list(standings)
    have = {s.uid: s for s in standings}
    result = []
    for target in targets:
        known = have.get(target["uid"])
        result.append(Standing(
            uid=target["uid"], code=target["code"], layer=target["layer"],
            eth=bool(target["eth"]), required=int(target["required"]),
            attained=known.attained if known else 0, in_scope=True,
            evidence_kind=known.evidence_kind if known else None,
            evidence_code=known.evidence_code if known else None,
            evidence_at=known.evidence_at if known else None,
            level_requirements=known.level_requirements if known else {}))
    return sorted(result, key=lambda s: s.code)
