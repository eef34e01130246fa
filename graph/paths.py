"""A learning path: the uncompleted courses that close a student's gaps, in a valid order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from graph.cypher import Cypher
from graph.ids import LEVEL_ORDER
from graph.standing import Standing
from graph.store import GraphStore, Record

__all__ = ["LearningPath", "OrderConflict", "PathStep", "learning_path"]

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
