"""Where students stand: attained vs required, readiness, placement, paths and cohorts.

The rules (also in the README):
- gap(c) = max(0, required(c) − attained(c));
- readiness of a layer (and of the ethics strand, the 伦理安全意识 dimension) =
  Σ min(attained, required) / Σ required over the student's required competencies in it;
- placement in a layer = the highest level (ZZ < GZ < BK) all of whose requirements in that
  layer, within the student's scope, the student meets; none if not even ZZ's.
Everything reads maintained data, so a student costs one store query and a cohort one
aggregation over summaries, never a pass over every (student, competency):
- ``STANDS`` edges hold each student's attained and required proficiency per competency;
- each Student node holds its placement per layer and its readiness sums per dimension
  (``placeGEN``, ``reqGEN``, ``attGEN``, ...);
- a ``Cohort`` node per (program, class label) holds ``TALLY`` edges per competency: how many
  of its students the program asks for it, how many meet it, and their total gap. Each
  ``STANDS`` edge records what it last contributed (``tKey``, ``tMeet``, ``tGap``), so a sync
  moves only differences and is exact whichever write changed the edge.
``refresh_summaries`` brings both up to date for some students; every write path that changes
``STANDS`` calls it. Measured on 20,000 students (bench/): the cohort of everyone fell from
seconds (an aggregation over ~1.8 million edges) to a read of 20,000 nodes and the tallies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from graph.cypher import Cypher
from graph.ids import LEVEL_ORDER
from graph.store import GraphStore, Record

__all__ = [
    "DIMENSIONS",
    "CohortReport",
    "LearningPath",
    "Standing",
    "StudentReport",
    "cohort_report",
    "cohort_report_by_scan",
    "learning_path",
    "placement",
    "readiness",
    "refresh_summaries",
    "student_report",
]

DIMENSIONS = ("GEN", "PRO", "IND", "ETH")
LAYERS = ("GEN", "PRO", "IND")

STUDENT = Cypher(
    "MATCH (s:Student {uid: $student}) "
    "RETURN s {.uid, .code, .college, .program, .programCode, .fw, .level, .major, "
    ".classLabel, .enrolledOn} AS student"
)
STUDENT_STANDING = Cypher(
    "MATCH (:Student {uid: $student})-[a:STANDS]->(c:Competency) "
    "RETURN c.uid AS uid, c.code AS code, a.layer AS layer, a.eth AS eth, "
    "a.required AS required, a.attained AS attained, a.reqZZ AS reqZZ, a.reqGZ AS reqGZ, "
    "a.reqBK AS reqBK, a.inScope AS inScope, a.evidenceKind AS evidenceKind, "
    "a.evidenceCode AS evidenceCode, a.evidenceAt AS evidenceAt ORDER BY c.code"
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
PATH_INPUTS = Cypher(
    "MATCH (s:Student {uid: $student}) "
    "MATCH (co:Course {fw: s.fw})-[t:TEACHES]->(c:Competency) "
    "OPTIONAL MATCH (s)-[done:COMPLETED]->(co) "
    "RETURN co.code AS course, co.uid AS uid, co.level AS level, co.credits AS credits, "
    "co.nameZh AS nameZh, co.nameEn AS nameEn, done IS NOT NULL AS completed, "
    "c.code AS competency, t.proficiency AS proficiency"
)
COURSE_PREREQUISITES_OF_FRAMEWORK = Cypher(
    "MATCH (a:Course {fw: $fw})-[:REQUIRES]->(b:Course) RETURN a.code AS course, "
    "b.code AS prerequisite"
)
COMPETENCY_PREREQUISITES_OF_FRAMEWORK = Cypher(
    "MATCH (a:Competency {fw: $fw})-[:REQUIRES]->(b:Competency) RETURN a.code AS competency, "
    "b.code AS prerequisite"
)

# The reference: a cohort aggregated from every STANDS edge of its students. Too slow to serve
# (seconds for a province), it is what the maintained summaries must always equal.
_COHORT_BODY = (
    "MATCH (s)-[a:STANDS]->(c:Competency) WHERE a.required > 0 "
    "WITH c, count(a) AS students, "
    "sum(CASE WHEN a.attained >= a.required THEN 1 ELSE 0 END) AS meeting, "
    "sum(a.required - CASE WHEN a.attained < a.required THEN a.attained ELSE a.required END) "
    "AS gapTotal "
    "RETURN 'competency' AS kind, c.code AS key, c.layer AS dimension, students AS n, "
    "meeting AS m, gapTotal AS g "
    "UNION ALL {scope} "
    "MATCH (s)-[a:STANDS]->(:Competency) WHERE a.inScope "
    "WITH s, a.layer AS layer, "
    "sum(CASE WHEN a.reqZZ IS NULL THEN 0 ELSE 1 END) AS nZZ, "
    "sum(CASE WHEN a.reqZZ IS NOT NULL AND a.attained >= a.reqZZ THEN 1 ELSE 0 END) AS okZZ, "
    "sum(CASE WHEN a.reqGZ IS NULL THEN 0 ELSE 1 END) AS nGZ, "
    "sum(CASE WHEN a.reqGZ IS NOT NULL AND a.attained >= a.reqGZ THEN 1 ELSE 0 END) AS okGZ, "
    "sum(CASE WHEN a.reqBK IS NULL THEN 0 ELSE 1 END) AS nBK, "
    "sum(CASE WHEN a.reqBK IS NOT NULL AND a.attained >= a.reqBK THEN 1 ELSE 0 END) AS okBK "
    "WITH layer, CASE WHEN nBK > 0 AND okBK = nBK THEN 'BK' "
    "WHEN nGZ > 0 AND okGZ = nGZ THEN 'GZ' WHEN nZZ > 0 AND okZZ = nZZ THEN 'ZZ' "
    "ELSE 'NONE' END AS placed "
    "RETURN 'placement' AS kind, placed AS key, layer AS dimension, count(*) AS n, 0 AS m, "
    "0 AS g "
    "UNION ALL {scope} "
    "MATCH (s)-[a:STANDS]->(:Competency) WHERE a.required > 0 "
    "UNWIND (CASE WHEN a.eth THEN [a.layer, 'ETH'] ELSE [a.layer] END) AS dimension "
    "WITH s, dimension, sum(a.required) AS required, "
    "sum(CASE WHEN a.attained < a.required THEN a.attained ELSE a.required END) AS attained "
    "WITH dimension, CASE WHEN attained >= required THEN 5 "
    "ELSE toInteger(floor(5.0 * attained / required)) END AS bucket "
    "RETURN 'readiness' AS kind, toString(bucket) AS key, dimension, count(*) AS n, 0 AS m, "
    "0 AS g "
    "UNION ALL {scope} "
    "RETURN 'students' AS kind, '' AS key, '' AS dimension, count(s) AS n, 0 AS m, 0 AS g"
)
_COLLEGE_SCOPE = (
    "MATCH (s:Student {college: $college}) "
    "WHERE ($program IS NULL OR s.program = $program) "
    "AND ($classLabel IS NULL OR s.classLabel = $classLabel) "
)
_PROGRAM_SCOPE = (
    "MATCH (s:Student {program: $program}) "
    "WHERE ($classLabel IS NULL OR s.classLabel = $classLabel) "
)
_ALL_SCOPE = "MATCH (s:Student) WHERE ($classLabel IS NULL OR s.classLabel = $classLabel) "
COHORT_SCAN_OF_COLLEGE = Cypher(
    _COLLEGE_SCOPE + _COHORT_BODY.replace("{scope}", _COLLEGE_SCOPE))
COHORT_SCAN_OF_PROGRAM = Cypher(
    _PROGRAM_SCOPE + _COHORT_BODY.replace("{scope}", _PROGRAM_SCOPE))
COHORT_SCAN_OF_ALL = Cypher(_ALL_SCOPE + _COHORT_BODY.replace("{scope}", _ALL_SCOPE))

# What is served: competency shares from the tallies of the cohort's (program, class) groups,
# placement and readiness from the students' summary properties, and the head count.
_SUMMARY_BODY = (
    "MATCH (k)-[t:TALLY]->(c:Competency) "
    "WITH c, sum(t.students) AS students, sum(t.meeting) AS meeting, "
    "sum(t.gapTotal) AS gapTotal WHERE students > 0 "
    "RETURN 'competency' AS kind, c.code AS key, c.layer AS dimension, students AS n, "
    "meeting AS m, gapTotal AS g "
    "UNION ALL {students} "
    "UNWIND [['GEN', s.placeGEN], ['PRO', s.placePRO], ['IND', s.placeIND]] AS placed "
    "WITH placed WHERE placed[1] IS NOT NULL "
    "RETURN 'placement' AS kind, placed[1] AS key, placed[0] AS dimension, count(*) AS n, "
    "0 AS m, 0 AS g "
    "UNION ALL {students} "
    "UNWIND [['GEN', s.reqGEN, s.attGEN], ['PRO', s.reqPRO, s.attPRO], "
    "['IND', s.reqIND, s.attIND], ['ETH', s.reqETH, s.attETH]] AS ready "
    "WITH ready WHERE ready[1] > 0 "
    "WITH ready[0] AS dimension, CASE WHEN ready[2] >= ready[1] THEN 5 "
    "ELSE toInteger(floor(5.0 * ready[2] / ready[1])) END AS bucket "
    "RETURN 'readiness' AS kind, toString(bucket) AS key, dimension, count(*) AS n, 0 AS m, "
    "0 AS g "
    "UNION ALL {students} "
    "RETURN 'students' AS kind, '' AS key, '' AS dimension, count(s) AS n, 0 AS m, 0 AS g"
)
_COLLEGE_GROUPS = (
    "MATCH (k:Cohort {college: $college}) "
    "WHERE ($program IS NULL OR k.program = $program) "
    "AND ($classLabel IS NULL OR k.classLabel = $classLabel) "
)
_PROGRAM_GROUPS = (
    "MATCH (k:Cohort {program: $program}) "
    "WHERE ($classLabel IS NULL OR k.classLabel = $classLabel) "
)
_ALL_GROUPS = "MATCH (k:Cohort) WHERE ($classLabel IS NULL OR k.classLabel = $classLabel) "
COHORT_OF_COLLEGE = Cypher(_COLLEGE_GROUPS + _SUMMARY_BODY.replace("{students}", _COLLEGE_SCOPE))
COHORT_OF_PROGRAM = Cypher(_PROGRAM_GROUPS + _SUMMARY_BODY.replace("{students}", _PROGRAM_SCOPE))
COHORT_OF_ALL = Cypher(_ALL_GROUPS + _SUMMARY_BODY.replace("{students}", _ALL_SCOPE))

# A student's summary, recomputed whole from its STANDS edges: placement per layer (null
# without any in-scope competency there) and readiness sums per dimension. The rules are
# the ones ``placement`` and ``readiness`` below apply to one student. Grouping by layer
# first keeps the work per edge small (ten sums instead of one per layer and level).
_PLACED = "CASE WHEN inScope = 0 THEN null " + " ".join(
    f"WHEN n{level} > 0 AND ok{level} = n{level} THEN '{level}'"
    for level in reversed(LEVEL_ORDER)) + " ELSE 'NONE' END"
_LAYER_SETS = ", ".join(
    f"s.place{layer} = head([x IN layers WHERE x[0] = '{layer}' | x[1]]), "
    f"s.req{layer} = coalesce(head([x IN layers WHERE x[0] = '{layer}' | x[2]]), 0), "
    f"s.att{layer} = coalesce(head([x IN layers WHERE x[0] = '{layer}' | x[3]]), 0)"
    for layer in LAYERS)
SUMMARIZE_STUDENTS = Cypher(
    "UNWIND $students AS sid MATCH (s:Student {uid: sid}) "
    "OPTIONAL MATCH (s)-[a:STANDS]->(:Competency) "
    "WITH s, a.layer AS layer, sum(CASE WHEN a.inScope THEN 1 ELSE 0 END) AS inScope, "
    + ", ".join(
        f"sum(CASE WHEN a.inScope AND a.req{level} IS NOT NULL THEN 1 ELSE 0 END) AS n{level}, "
        f"sum(CASE WHEN a.inScope AND a.attained >= a.req{level} THEN 1 ELSE 0 END) "
        f"AS ok{level}" for level in LEVEL_ORDER) + ", "
    "sum(CASE WHEN a.required > 0 THEN a.required ELSE 0 END) AS req, "
    "sum(CASE WHEN a.required > 0 THEN (CASE WHEN a.attained < a.required THEN a.attained "
    "ELSE a.required END) ELSE 0 END) AS att, "
    "sum(CASE WHEN a.required > 0 AND a.eth THEN a.required ELSE 0 END) AS reqEth, "
    "sum(CASE WHEN a.required > 0 AND a.eth THEN (CASE WHEN a.attained < a.required "
    "THEN a.attained ELSE a.required END) ELSE 0 END) AS attEth "
    f"WITH s, collect([layer, {_PLACED}, toInteger(req), toInteger(att)]) AS layers, "
    "toInteger(sum(reqEth)) AS reqEth, toInteger(sum(attEth)) AS attEth "
    f"SET {_LAYER_SETS}, s.reqETH = reqEth, s.attETH = attEth "
    "RETURN count(s) AS summarized"
)
# Moves each changed contribution of the students' STANDS edges into the tallies of their
# (program, class) group: the old contribution out of the group it was counted in, the new
# one into the current group, summed per (group, competency) so each tally is set once.
# Every read happens before the aggregation and every write after it, in one query, so a
# tally and the marks on its edges never disagree.
SYNC_COHORT_TALLIES = Cypher(
    "UNWIND $students AS sid MATCH (s:Student {uid: sid}) "
    "WITH s, s.program + '|' + coalesce(s.classLabel, '') AS group "
    "MATCH (s)-[a:STANDS]->(c:Competency) "
    "WITH s, a, c, CASE WHEN a.required > 0 THEN group ELSE null END AS key, "
    "CASE WHEN a.required > 0 AND a.attained >= a.required THEN 1 ELSE 0 END AS meet, "
    "CASE WHEN a.required > a.attained THEN a.required - a.attained ELSE 0 END AS gap "
    "WHERE coalesce(a.tKey, '') <> coalesce(key, '') OR coalesce(a.tMeet, 0) <> meet "
    "OR coalesce(a.tGap, 0) <> gap "
    "UNWIND [[a.tKey, -1, -coalesce(a.tMeet, 0), -coalesce(a.tGap, 0), null, null, null], "
    "[key, 1, meet, gap, s.college, s.program, s.classLabel]] AS part "
    "WITH a, c, key, meet, gap, part WHERE part[0] IS NOT NULL "
    "WITH c, part[0] AS cohort, sum(part[1]) AS dn, sum(part[2]) AS dm, sum(part[3]) AS dg, "
    "head(collect(part[4])) AS college, head(collect(part[5])) AS program, "
    "head(collect(part[6])) AS classLabel, collect([a, key, meet, gap]) AS marks "
    "MERGE (k:Cohort {key: cohort}) "
    "ON CREATE SET k.college = college, k.program = program, k.classLabel = classLabel "
    "MERGE (k)-[t:TALLY]->(c) "
    "ON CREATE SET t.students = 0, t.meeting = 0, t.gapTotal = 0 "
    "SET t.students = toInteger(t.students + dn), t.meeting = toInteger(t.meeting + dm), "
    "t.gapTotal = toInteger(t.gapTotal + dg) "
    "WITH marks UNWIND marks AS mark "
    "WITH mark[0] AS a, mark[1] AS key, mark[2] AS meet, mark[3] AS gap "
    "SET a.tKey = key, a.tMeet = meet, a.tGap = gap "
    "RETURN count(*) AS moved"
)
_SUMMARY_BATCH = 2000


@dataclass(frozen=True, slots=True)
class Standing:
    """A student's position on one competency."""

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


def _standing(row: Mapping[str, Any], required: int | None = None) -> Standing:
    levels = {level: int(row[f"req{level}"]) for level in LEVEL_ORDER
              if row.get(f"req{level}") is not None}
    return Standing(
        uid=row["uid"], code=row["code"], layer=row["layer"], eth=bool(row.get("eth")),
        required=int(row["required"] if required is None else required),
        attained=int(row.get("attained") or 0), in_scope=bool(row.get("inScope")),
        evidence_kind=row.get("evidenceKind"), evidence_code=row.get("evidenceCode"),
        evidence_at=row.get("evidenceAt"), level_requirements=levels)


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
    standings = [_standing(row) for row in rows]
    return StudentReport(student, standings, readiness(standings), placement(standings))


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


@dataclass
class PathStep:
    course: str
    uid: str
    name_zh: str
    name_en: str
    credits: float
    closes: list[str]
    reason: str  # "gap" (closes a gap) or "prerequisite" (needed before a chosen course)


@dataclass(frozen=True, slots=True)
class OrderConflict:
    """The competency order wanted ``course`` after ``wanted_after``, but the order already
    fixed puts ``wanted_after`` after ``course``: ``won_by`` says which order that was
    (``course-prerequisite``: a course REQUIRES edge, which always wins; ``competency-order``:
    an earlier competency-order edge, added in course-code order)."""

    course: str
    wanted_after: str
    won_by: str


@dataclass
class LearningPath:
    steps: list[PathStep] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)
    conflicts: list[OrderConflict] = field(default_factory=list)

    @property
    def total_credits(self) -> float:
        return sum(step.credits for step in self.steps)


async def learning_path(store: GraphStore, student: Record, gaps: Sequence[Standing],
                        standings: Sequence[Standing] = ()) -> LearningPath:
    """Uncompleted courses that close the gaps, greedy by gaps closed per credit, plus their
    prerequisites not yet satisfied, in an order respecting course and competency
    prerequisites. A prerequisite counts as satisfied when completed or when the student
    already attained everything it teaches (``standings``).

    Greedy choice: the most gaps closed per credit (an exact fraction), then the more gaps
    closed, then the smaller course code."""
    open_gaps = {g.code: g.required for g in gaps if g.gap > 0}
    rows = await store.read(PATH_INPUTS, {"student": student["uid"]})
    level_rank = {level: rank for rank, level in enumerate(LEVEL_ORDER)}
    student_rank = level_rank.get(student.get("level") or "BK", len(LEVEL_ORDER) - 1)
    courses: dict[str, dict[str, Any]] = {}
    for row in rows:
        course = courses.setdefault(row["course"], {
            "uid": row["uid"], "credits": float(row["credits"] or 1.0),
            "level": row["level"], "nameZh": row["nameZh"], "nameEn": row["nameEn"],
            "completed": bool(row["completed"]), "teaches": {}})
        course["teaches"][row["competency"]] = int(row["proficiency"])
    eligible = {code: c for code, c in courses.items()
                if not c["completed"] and level_rank.get(c["level"], 99) <= student_rank}

    chosen, remaining = _choose(eligible, open_gaps)

    fw = student["fw"]
    course_prereqs: dict[str, set[str]] = defaultdict(set)
    for row in await store.read(COURSE_PREREQUISITES_OF_FRAMEWORK, {"fw": fw}):
        course_prereqs[row["course"]].add(row["prerequisite"])
    reasons = {code: "gap" for code in chosen}
    attained = {s.code: s.attained for s in standings}

    def satisfied(code: str) -> bool:
        """Completed, or everything it teaches already attained (the student tested out)."""
        course = courses[code]
        return course["completed"] or all(attained.get(c, 0) >= p
                                          for c, p in course["teaches"].items())

    stack = list(chosen)
    while stack:  # pull in unsatisfied prerequisite courses, transitively
        for prerequisite in course_prereqs.get(stack.pop(), ()):
            if prerequisite in courses and not satisfied(prerequisite) and (
                    prerequisite not in reasons):
                reasons[prerequisite] = "prerequisite"
                chosen.setdefault(prerequisite, set())
                stack.append(prerequisite)

    competency_prereqs: dict[str, set[str]] = defaultdict(set)
    for row in await store.read(COMPETENCY_PREREQUISITES_OF_FRAMEWORK, {"fw": fw}):
        competency_prereqs[row["competency"]].add(row["prerequisite"])
    order, conflicts = _order(chosen, courses, course_prereqs, competency_prereqs, level_rank)
    steps = [PathStep(course=code, uid=courses[code]["uid"], name_zh=courses[code]["nameZh"],
                      name_en=courses[code]["nameEn"], credits=courses[code]["credits"],
                      closes=sorted(chosen[code]), reason=reasons[code]) for code in order]
    return LearningPath(steps=steps, uncovered=sorted(remaining), conflicts=conflicts)


def _choose(eligible: Mapping[str, Mapping[str, Any]],
            open_gaps: Mapping[str, int]) -> tuple[dict[str, set[str]], set[str]]:
    """Greedy: repeatedly the course closing the most remaining gaps per credit (an exact
    fraction), ties to the one closing more gaps, then to the smaller course code. Returns
    the courses chosen with the gaps each closes, and the gaps none closes."""
    def closes(code: str, remaining: set[str]) -> set[str]:
        teaches = eligible[code]["teaches"]
        return {g for g in remaining if teaches.get(g, 0) >= open_gaps[g]}

    remaining = set(open_gaps)
    chosen: dict[str, set[str]] = {}
    while remaining:
        scored = [(-Fraction(len(closing)) / Fraction(str(eligible[code]["credits"])),
                   -len(closing), code)
                  for code in eligible if code not in chosen
                  for closing in [closes(code, remaining)] if closing]
        if not scored:
            break
        best = min(scored)[2]
        chosen[best] = closes(best, remaining)
        remaining -= chosen[best]
    return chosen, remaining


def _order(chosen: Mapping[str, set[str]], courses: Mapping[str, dict[str, Any]],
           course_prereqs: Mapping[str, set[str]], competency_prereqs: Mapping[str, set[str]],
           level_rank: Mapping[str, int]) -> tuple[list[str], list[OrderConflict]]:
    """Topological order. Course prerequisites (REQUIRES) are hard edges. Then a course comes
    after the courses that teach the prerequisites of the gaps it closes (a course that
    closes none, pulled in as a prerequisite: of what it teaches); such an edge is added,
    course by course in code order, only where it keeps the order acyclic, and each one
    dropped is reported with the order that won. Among the courses ready, the lower level
    first, then the smaller code."""
    hard: dict[str, set[str]] = {
        code: {p for p in course_prereqs.get(code, ()) if p in chosen} for code in chosen}
    before: dict[str, set[str]] = {code: set(hard[code]) for code in chosen}
    teaches = {code: set(courses[code]["teaches"]) for code in chosen}
    conflicts: list[OrderConflict] = []
    for code in sorted(chosen):
        basis = chosen[code] or teaches[code]
        needed = set().union(*(competency_prereqs.get(c, set()) for c in basis))
        for other in sorted(chosen):
            if other == code or not teaches[other] & needed or other in before[code]:
                continue
            if _reaches(before, other, code):
                conflicts.append(OrderConflict(code, other, "course-prerequisite"
                                               if _reaches(hard, other, code)
                                               else "competency-order"))
            else:
                before[code].add(other)
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(chosen):
        ready = [c for c in chosen if c not in placed and before[c] <= placed]
        if not ready:  # cannot happen with hard edges from a validated DAG; stay total
            ready = [c for c in chosen if c not in placed]
        pick = min(ready, key=lambda c: (level_rank.get(courses[c]["level"], 99), c))
        order.append(pick)
        placed.add(pick)
    return order, conflicts


def _reaches(before: Mapping[str, set[str]], start: str, target: str) -> bool:
    """True if ``start`` must already come after ``target`` (a path start → … → target)."""
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(before.get(node, ()))
    return False


@dataclass
class CohortReport:
    students: int
    competencies: list[Record]  # code, layer, students, meeting, gapTotal
    placement: dict[str, dict[str, int]]  # layer -> placed level ('NONE') -> students
    readiness: dict[str, dict[int, int]]  # dimension -> bucket 0..5 -> students


async def refresh_summaries(store: GraphStore, students: Sequence[str]) -> None:
    """Bring the students' summaries and their groups' tallies up to date with their STANDS
    edges. Idempotent, and exact after any write: a re-run after a crash completes it."""
    unique = sorted(set(students))
    for start in range(0, len(unique), _SUMMARY_BATCH):
        batch = unique[start:start + _SUMMARY_BATCH]
        await store.write(SUMMARIZE_STUDENTS, {"students": batch})
        await store.write(SYNC_COHORT_TALLIES, {"students": batch})


async def cohort_report(store: GraphStore, *, college: str | None = None,
                        program: str | None = None,
                        class_label: str | None = None) -> CohortReport:
    """One store query over the maintained summaries, never a loop over the students."""
    return await _cohort(store, (COHORT_OF_COLLEGE, COHORT_OF_PROGRAM, COHORT_OF_ALL),
                         college, program, class_label)


async def cohort_report_by_scan(store: GraphStore, *, college: str | None = None,
                                program: str | None = None,
                                class_label: str | None = None) -> CohortReport:
    """The same report aggregated from every STANDS edge: the reference ``cohort_report``
    must equal (tests and audits); too slow to serve a province."""
    return await _cohort(store, (COHORT_SCAN_OF_COLLEGE, COHORT_SCAN_OF_PROGRAM,
                                 COHORT_SCAN_OF_ALL), college, program, class_label)


async def _cohort(store: GraphStore, queries: tuple[Cypher, Cypher, Cypher],
                  college: str | None, program: str | None,
                  class_label: str | None) -> CohortReport:
    params = {"college": college, "program": program, "classLabel": class_label}
    of_college, of_program, of_all = queries
    if college is not None:
        rows = await store.read(of_college, params)
    elif program is not None:
        rows = await store.read(of_program, params)
    else:
        rows = await store.read(of_all, params)
    report = CohortReport(students=0, competencies=[], placement=defaultdict(dict),
                          readiness=defaultdict(dict))
    for row in rows:
        kind, count = row["kind"], int(row["n"])
        if kind == "students":
            report.students = count
        elif kind == "competency":
            report.competencies.append({"code": row["key"], "layer": row["dimension"],
                                        "students": count, "meeting": int(row["m"]),
                                        "gapTotal": int(row["g"])})
        elif kind == "placement":
            report.placement[row["dimension"]][row["key"]] = count
        elif kind == "readiness":
            report.readiness[row["dimension"]][int(row["key"])] = count
    report.competencies.sort(key=lambda r: r["code"])
    return report
