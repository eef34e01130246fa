"""Articulation along a pathway of programs ZZ → GZ → BK (中高本贯通): gaps and
repetitions between each program and the next."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from graph.curriculum.program import (
    FRAMEWORK_PREREQUISITES,
    Finding,
    ProgramView,
    ReportError,
    load_program,
)
from graph.cypher import Cypher
from graph.ids import LEVEL_ORDER
from graph.store import GraphStore, Record

__all__ = ["PathwayReport", "PathwayStep", "pathway_report"]

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
    programs = [await load_program(store, fw, code) for code in codes]
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


def _gaps(earlier: ProgramView, later: ProgramView, asked: dict[str, int],
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


def _repetitions(earlier: ProgramView, later: ProgramView,
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
