"""The checks of one program (人才培养方案): coverage, order, assessment and balance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from graph.curriculum.program import (
    FRAMEWORK_PREREQUISITES,
    Finding,
    ProgramView,
    load_program,
)
from graph.cypher import Cypher
from graph.ids import element_uid
from graph.store import GraphStore, Record

__all__ = ["Balance", "CreditShare", "ProgramReport", "program_report"]

PROGRAM_COURSE_PREREQUISITES = Cypher(
    "MATCH (:Program {uid: $uid})-[:INCLUDES]->(c:Course)-[:REQUIRES]->(p:Course) "
    "RETURN c.code AS course, p.code AS prerequisite"
)
LEVEL_MEASURES = Cypher(
    "MATCH (a:Assessment {fw: $fw})-[m:MEASURES]->(c:Competency) WHERE a.level = $level "
    "RETURN a.code AS assessment, c.code AS competency, m.proficiency AS proficiency"
)
LAYER_ORDER = Cypher("MATCH (l:Layer) RETURN l.code AS code ORDER BY l.order")


@dataclass(frozen=True, slots=True)
class CreditShare:
    key: str  # a layer code or a semester number
    credits: float
    courses: int


@dataclass(frozen=True, slots=True)
class Balance:
    by_layer: list[CreditShare]
    by_semester: list[CreditShare]
    total_credits: float
    required_credits: float
    elective_credits: float

    @property
    def required_share(self) -> float:
        return round(self.required_credits / self.total_credits, 4) if self.total_credits else 0.0


@dataclass
class ProgramReport:
    program: Record
    coverage: list[Finding] = field(default_factory=list)
    order: list[Finding] = field(default_factory=list)
    assessment: list[Finding] = field(default_factory=list)
    balance: Balance | None = None

    @property
    def finding_count(self) -> int:
        return len(self.coverage) + len(self.order) + len(self.assessment)



async def program_report(store: GraphStore, fw: str, code: str) -> ProgramReport:
    """Coverage, order, assessment and balance of program ``code`` in version ``fw``."""
    program = await load_program(store, fw, code)
    report = ProgramReport(program=program.node)
    report.coverage = _coverage(program)
    course_prerequisites = await store.read(PROGRAM_COURSE_PREREQUISITES,
                                            {"uid": element_uid(fw, code)})
    competency_prerequisites = await store.read(FRAMEWORK_PREREQUISITES, {"fw": fw})
    report.order = _order(program, course_prerequisites, competency_prerequisites)
    measures = await store.read(LEVEL_MEASURES, {"fw": fw, "level": program.level})
    report.assessment = _assessment(program, measures)
    layers = [row["code"] for row in await store.read(LAYER_ORDER)]
    report.balance = _balance(program, layers)
    return report


def _coverage(program: ProgramView) -> list[Finding]:
    found: list[Finding] = []
    by_competency: dict[str, list[Record]] = defaultdict(list)
    required = {row["course"]: bool(row["required"]) for row in program.courses}
    for row in program.teaching:
        by_competency[row["competency"]].append(row)
    for competency, target in sorted(program.targets.items()):
        rows = by_competency.get(competency, [])
        best = max((int(r["proficiency"]) for r in rows), default=0)
        best_required = max((int(r["proficiency"]) for r in rows if required.get(r["course"])),
                            default=0)
        if not rows:
            found.append(Finding("COVERAGE", "NOT_TAUGHT",
                                 f"{competency} is a target ({target}) no course teaches",
                                 competency=competency, target=target, reached=0))
        elif best < target:
            top = max(rows, key=lambda r: int(r["proficiency"]))
            found.append(Finding("COVERAGE", "BELOW_TARGET",
                                 f"{competency} is taught up to {best} (by {top['course']}), "
                                 f"below its target {target}", competency=competency,
                                 course=top["course"], target=target, reached=best))
        elif best_required < target:
            found.append(Finding("COVERAGE", "ELECTIVE_ONLY",
                                 f"{competency} reaches its target {target} only in elective "
                                 "courses", competency=competency, target=target,
                                 reached=best_required))
    for competency in sorted(set(by_competency) - set(program.targets)):
        for row in sorted(by_competency[competency], key=lambda r: r["course"]):
            found.append(Finding("COVERAGE", "NOT_TARGETED",
                                 f"{row['course']} teaches {competency}, which the program's "
                                 f"level ({program.level}) does not ask of it",
                                 competency=competency, course=row["course"],
                                 reached=int(row["proficiency"])))
    return found


def _order(program: ProgramView, course_prerequisites: list[Record],
           competency_prerequisites: list[Record]) -> list[Finding]:
    found: list[Finding] = []
    semester = {row["course"]: int(row["semester"]) for row in program.courses}
    for row in sorted(course_prerequisites, key=lambda r: (r["course"], r["prerequisite"])):
        course, before = row["course"], row["prerequisite"]
        if before not in semester:
            found.append(Finding("ORDER", "PREREQUISITE_NOT_IN_PROGRAM",
                                 f"{course} requires {before}, which the program does not "
                                 "include", course=course, related=before,
                                 semester=semester[course]))
        elif semester[before] >= semester[course]:
            found.append(Finding("ORDER", "COURSE_BEFORE_PREREQUISITE",
                                 f"{course} (semester {semester[course]}) is not after its "
                                 f"prerequisite {before} (semester {semester[before]})",
                                 course=course, related=before, semester=semester[course],
                                 related_semester=semester[before]))
    first: dict[str, int] = {}
    for row in program.teaching:
        term = semester[row["course"]]
        first[row["competency"]] = min(first.get(row["competency"], term), term)
    requires: dict[str, list[str]] = defaultdict(list)
    for row in competency_prerequisites:
        requires[row["competency"]].append(row["prerequisite"])
    for row in sorted(program.teaching, key=lambda r: (r["course"], r["competency"])):
        term = semester[row["course"]]
        for prerequisite in sorted(requires.get(row["competency"], [])):
            if prerequisite in first and first[prerequisite] > term:
                found.append(Finding(
                    "ORDER", "COMPETENCY_BEFORE_PREREQUISITE",
                    f"{row['course']} teaches {row['competency']} in semester {term}, before "
                    f"its prerequisite {prerequisite} is first taught (semester "
                    f"{first[prerequisite]})", competency=row["competency"],
                    course=row["course"], related=prerequisite, semester=term,
                    related_semester=first[prerequisite]))
    return found


def _assessment(program: ProgramView, measures: list[Record]) -> list[Finding]:
    found: list[Finding] = []
    best: dict[str, tuple[int, str]] = {}
    for row in measures:
        measured = (int(row["proficiency"]), str(row["assessment"]))
        best[row["competency"]] = max(best.get(row["competency"], measured), measured)
    for competency, target in sorted(program.targets.items()):
        if competency not in best:
            found.append(Finding("ASSESSMENT", "UNMEASURED",
                                 f"no {program.level} assessment measures {competency}",
                                 competency=competency, target=target, reached=0))
        elif best[competency][0] < target:
            value, assessment = best[competency]
            found.append(Finding("ASSESSMENT", "MEASURED_BELOW_TARGET",
                                 f"{competency} is measured up to {value} (by {assessment}), "
                                 f"below its target {target}", competency=competency,
                                 related=assessment, target=target, reached=value))
    return found


def _balance(program: ProgramView, layers: Sequence[str]) -> Balance:
    by_layer: dict[str, list[float]] = {layer: [] for layer in layers}
    by_semester: dict[int, list[float]] = defaultdict(list)
    required = elective = 0.0
    for row in program.courses:
        credits = float(row["credits"] or 0)
        by_layer.setdefault(str(row["layer"]), []).append(credits)
        by_semester[int(row["semester"])].append(credits)
        if row["required"]:
            required += credits
        else:
            elective += credits
    return Balance(
        by_layer=[CreditShare(k, round(sum(v), 2), len(v)) for k, v in by_layer.items()],
        by_semester=[CreditShare(str(k), round(sum(v), 2), len(v))
                     for k, v in sorted(by_semester.items())],
        total_credits=round(required + elective, 2),
        required_credits=round(required, 2), elective_credits=round(elective, 2))

