"""What the cohort dashboard needs beyond one cohort report: the classes of a college.

A class × competency heatmap is one ``analytics.cohort_report`` per class (each reads the
maintained summaries), so its shares are exactly the ones ``cohort(classLabel: …)`` gives.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from graph.cohorts import CohortReport, cohort_report
from graph.cypher import Cypher
from graph.store import GraphStore

__all__ = ["ClassReport", "class_reports", "classes_of"]

# Students without a class label belong to no class row.
CLASSES_OF_COLLEGE = Cypher(
    "MATCH (s:Student {college: $college}) "
    "WHERE s.classLabel IS NOT NULL AND ($program IS NULL OR s.program = $program) "
    "RETURN s.program AS program, s.programCode AS programCode, s.classLabel AS classLabel, "
    "count(s) AS students ORDER BY programCode, classLabel"
)


@dataclass(frozen=True, slots=True)
class ClassReport:
    program: str  # uid
    program_code: str
    class_label: str
    report: CohortReport


async def classes_of(store: GraphStore, college: str,
                     program: str | None = None) -> list[tuple[str, str, str, int]]:
    """(program uid, program code, class label, students) of a college's classes."""
    rows = await store.read(CLASSES_OF_COLLEGE, {"college": college, "program": program})
    return [(str(r["program"]), str(r["programCode"]), str(r["classLabel"]),
             int(r["students"])) for r in rows]


async def class_reports(store: GraphStore, college: str,
                        program: str | None = None) -> list[ClassReport]:
    """The cohort report of every class of a college (or of one of its programs)."""
    classes = await classes_of(store, college, program)
    reports = await asyncio.gather(*(
        cohort_report(store, college=college, program=uid, class_label=label)
        for uid, _, label, _ in classes))
    return [ClassReport(uid, code, label, report)
            for (uid, code, label, _), report in zip(classes, reports, strict=True)]
