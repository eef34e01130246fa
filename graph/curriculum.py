"""Checks a designer runs on a program (人才培养方案) and on a pathway of programs (中高本贯通).

The report reads a handful of small result sets (the program's courses, what they teach,
their prerequisites, the program's targets, the level's assessments) and does the checking
in Python: the rules are easier to read and test there than as one large query, and a
program has tens of courses, not thousands.

Checks:
- Coverage: a target (``TARGETS``) no course of the program teaches at its proficiency;
  reached through electives only; a competency taught that the program does not target.
- Order: a course in a semester before or together with one of its prerequisite courses (or
  whose prerequisite course is not in the program); a course teaching a competency in a
  semester before any course teaches that competency's prerequisite competency.
- Assessment: a target no assessment of the program's level measures (or only below the
  target). Assessments belong to the framework's level, not to a program.
- Balance: credits per layer and per semester, required against elective credits.
- Articulation: see ``pathway_report``.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from graph.cypher import Cypher
from graph.ids import LEVEL_ORDER, element_uid
from graph.programs import program_targets
from graph.store import GraphStore, Record

__all__ = [
    "Balance", "CreditShare", "Finding", "PathwayReport", "PathwayStep", "ProgramReport",
    "ReportError", "pathway_report", "program_report",
]

PROGRAM = Cypher("MATCH (p:Program {uid: $uid}) RETURN p {.*} AS node")
PROGRAM_COURSE_ROWS = Cypher(
    "MATCH (:Program {uid: $uid})-[i:INCLUDES]->(c:Course) "
    "RETURN c.code AS course, c.layer AS layer, c.credits AS credits, "
    "i.semester AS semester, i.required AS required ORDER BY semester, course"
)
PROGRAM_TEACHING = Cypher(
    "MATCH (:Program {uid: $uid})-[:INCLUDES]->(c:Course)-[t:TEACHES]->(k:Competency) "
    "RETURN c.code AS course, k.code AS competency, t.proficiency AS proficiency"
)
PROGRAM_COURSE_PREREQUISITES = Cypher(
    "MATCH (:Program {uid: $uid})-[:INCLUDES]->(c:Course)-[:REQUIRES]->(p:Course) "
    "RETURN c.code AS course, p.code AS prerequisite"
)
FRAMEWORK_PREREQUISITES = Cypher(
    "MATCH (a:Competency {fw: $fw})-[:REQUIRES]->(b:Competency) "
    "RETURN a.code AS competency, b.code AS prerequisite"
)
LEVEL_MEASURES = Cypher(
    "MATCH (a:Assessment {fw: $fw})-[m:MEASURES]->(c:Competency) WHERE a.level = $level "
    "RETURN a.code AS assessment, c.code AS competency, m.proficiency AS proficiency"
)
FRAMEWORK_PROGRESSIONS = Cypher(
    "MATCH (a:Requirement {fw: $fw})-[:PROGRESSES_TO]->(b:Requirement) "
    "RETURN a.competency AS fromCompetency, a.level AS fromLevel, "
    "b.competency AS toCompetency, b.level AS toLevel"
)
LEVEL_REQUIREMENT_PROFICIENCY = Cypher(
    "MATCH (r:Requirement {fw: $fw}) WHERE r.level = $level "
    "RETURN r.competency AS competency, r.proficiency AS proficiency, "
    "r.consolidation AS consolidation"
)
LAYER_ORDER = Cypher("MATCH (l:Layer) RETURN l.code AS code ORDER BY l.order")


class ReportError(LookupError):
    """The report cannot be made (unknown program, a pathway out of order); ``code`` is
    stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found; which fields are set depends on ``kind``."""

    check: str  # COVERAGE, ORDER, ASSESSMENT, ARTICULATION
    kind: str
    message: str
    competency: str | None = None
    course: str | None = None
    related: str | None = None  # the prerequisite (course or competency), or the assessment
    semester: int | None = None
    related_semester: int | None = None
    target: int | None = None  # the proficiency asked for
    reached: int | None = None  # the proficiency taught / measured / reached before


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


@dataclass
class _Program:
    """What both reports need of one program, read once."""

    node: Record
    courses: list[Record]
    teaching: list[Record]
    targets: dict[str, int]
    target_layers: dict[str, str]

    @property
    def code(self) -> str:
        return str(self.node["code"])

    @property
    def level(self) -> str:
        return str(self.node["level"])

    def taught(self) -> dict[str, int]:
        """Competency → the highest proficiency any course of the program teaches it at."""
        best: dict[str, int] = {}
        for row in self.teaching:
            best[row["competency"]] = max(best.get(row["competency"], 0), int(row["proficiency"]))
        return best


async def _load(store: GraphStore, fw: str, code: str) -> _Program:
    uid = element_uid(fw, code)
    rows = await store.read(PROGRAM, {"uid": uid})
    if not rows:
        raise ReportError("PROGRAM_NOT_FOUND", f"no program {code!r} in {fw}")
    targets = await program_targets(store, uid)
    return _Program(
        node=rows[0]["node"],
        courses=await store.read(PROGRAM_COURSE_ROWS, {"uid": uid}),
        teaching=await store.read(PROGRAM_TEACHING, {"uid": uid}),
        targets={t["code"]: int(t["proficiency"]) for t in targets},
        target_layers={t["code"]: t["layer"] for t in targets},
    )


async def program_report(store: GraphStore, fw: str, code: str) -> ProgramReport:
    """Coverage, order, assessment and balance of program ``code`` in version ``fw``."""
    program = await _load(store, fw, code)
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


def _coverage(program: _Program) -> list[Finding]:
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


def _order(program: _Program, course_prerequisites: list[Record],
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


def _assessment(program: _Program, measures: list[Record]) -> list[Finding]:
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


def _balance(program: _Program, layers: Sequence[str]) -> Balance:
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


# ---- articulation ----------------------------------------------------------------------------
@dataclass
class PathwayStep:
    source: Record  # the earlier program
    target: Record  # the next program
    gaps: list[Finding] = field(default_factory=list)
    repetitions: list[Finding] = field(default_factory=list)


@dataclass
class PathwayReport:
    programs: list[Record]
    steps: list[PathwayStep]


async def pathway_report(store: GraphStore, fw: str, codes: Sequence[str]) -> PathwayReport:
    """Articulation (中高本贯通) along programs ZZ → GZ → BK, in level order.

    Gaps: a target of the next program builds on a competency (its own earlier-level
    requirement or one it progresses from, or a prerequisite the earlier level asks for)
    that the earlier program does not teach, or teaches below that level's requirement.
    Repetitions: a competency the next program teaches no higher than the earlier one did;
    where the next level's requirement is a cited consolidation (it holds the earlier target
    on purpose) the finding is a CONSOLIDATION, not a REPEATED.
    """
    if len(codes) < 2:
        raise ReportError("PATHWAY_TOO_SHORT", "a pathway needs two programs at least")
    if len(set(codes)) != len(codes):
        raise ReportError("PATHWAY_ORDER", "a program appears twice in the pathway")
    programs = [await _load(store, fw, code) for code in codes]
    rank = {level: position for position, level in enumerate(LEVEL_ORDER)}
    programs.sort(key=lambda p: rank.get(p.level, 99))
    levels = [p.level for p in programs]
    if len(set(levels)) != len(levels):
        raise ReportError("PATHWAY_ORDER", "a pathway has one program per level "
                          f"(got {', '.join(levels)})")
    progressions = await store.read(FRAMEWORK_PROGRESSIONS, {"fw": fw})
    prerequisites = await store.read(FRAMEWORK_PREREQUISITES, {"fw": fw})
    steps = []
    for earlier, later in itertools.pairwise(programs):
        asked = {row["competency"]: int(row["proficiency"]) for row in await store.read(
            LEVEL_REQUIREMENT_PROFICIENCY, {"fw": fw, "level": earlier.level})}
        consolidations = {row["competency"]: str(row["consolidation"]) for row in
                          await store.read(LEVEL_REQUIREMENT_PROFICIENCY,
                                           {"fw": fw, "level": later.level})
                          if row.get("consolidation")}
        steps.append(PathwayStep(
            source=earlier.node, target=later.node,
            gaps=_gaps(earlier, later, asked, progressions, prerequisites),
            repetitions=_repetitions(earlier, later, consolidations)))
    return PathwayReport(programs=[p.node for p in programs], steps=steps)


def _foundations(competency: str, level: str, earlier_level: str,
                 progressions: list[Record]) -> set[str]:
    """Competencies whose ``earlier_level`` requirements lead (via PROGRESSES_TO, possibly
    through a skipped level) to ``competency`` at ``level``."""
    back: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for row in progressions:
        back[(row["toCompetency"], row["toLevel"])].append(
            (row["fromCompetency"], row["fromLevel"]))
    found: set[str] = set()
    todo = [(competency, level)]
    seen: set[tuple[str, str]] = set()
    while todo:
        node = todo.pop()
        for previous in back.get(node, []):
            if previous in seen:
                continue
            seen.add(previous)
            if previous[1] == earlier_level:
                found.add(previous[0])
            else:
                todo.append(previous)
    return found


def _gaps(earlier: _Program, later: _Program, asked: dict[str, int],
          progressions: list[Record], prerequisites: list[Record]) -> list[Finding]:
    taught = earlier.taught()
    requires: dict[str, set[str]] = defaultdict(set)
    for row in prerequisites:
        requires[row["competency"]].add(row["prerequisite"])
    found: list[Finding] = []
    for competency in sorted(later.targets):
        basis = {c: "PROGRESSION" for c in _foundations(competency, later.level, earlier.level,
                                                        progressions)}
        for prerequisite in requires.get(competency, set()):
            if prerequisite in asked:  # only what the earlier level asks for
                basis.setdefault(prerequisite, "PREREQUISITE")
        for basis_code, via in sorted(basis.items()):
            need = asked.get(basis_code)
            have = taught.get(basis_code, 0)
            requirement = f"{competency}@{later.level}"
            if have == 0:
                found.append(Finding(
                    "ARTICULATION", "NOT_TAUGHT_BEFORE",
                    f"{requirement} builds on {basis_code} ({via.lower()}), which "
                    f"{earlier.code} does not teach", competency=competency,
                    related=basis_code, target=need, reached=0))
            elif need is not None and have < need:
                found.append(Finding(
                    "ARTICULATION", "TAUGHT_BELOW_BEFORE",
                    f"{requirement} builds on {basis_code} ({via.lower()}), which "
                    f"{earlier.code} teaches up to {have}, below the {earlier.level} "
                    f"requirement {need}", competency=competency, related=basis_code,
                    target=need, reached=have))
    return found


def _repetitions(earlier: _Program, later: _Program,
                 consolidations: dict[str, str]) -> list[Finding]:
    before, after = earlier.taught(), later.taught()
    courses: dict[str, list[str]] = defaultdict(list)
    for row in later.teaching:
        courses[row["competency"]].append(row["course"])
    found = []
    for competency in sorted(set(before) & set(after)):
        if after[competency] <= before[competency] and competency in consolidations:
            found.append(Finding(
                "ARTICULATION", "CONSOLIDATION",
                f"{competency} is consolidated in {later.code} "
                f"({', '.join(sorted(courses[competency]))}) at {after[competency]}, as the "
                f"{later.level} requirement asks: {consolidations[competency]}",
                competency=competency, course=sorted(courses[competency])[0],
                target=before[competency], reached=after[competency]))
        elif after[competency] <= before[competency]:
            found.append(Finding(
                "ARTICULATION", "REPEATED",
                f"{competency} is taught again in {later.code} "
                f"({', '.join(sorted(courses[competency]))}) up to {after[competency]}, not "
                f"above {earlier.code}'s {before[competency]}", competency=competency,
                course=sorted(courses[competency])[0], target=before[competency],
                reached=after[competency]))
    return found
