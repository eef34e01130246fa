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

One module per report (``checks``, ``articulation``) on what both read of a program
(``program``); the public names are re-exported here.
"""

from __future__ import annotations

from graph.curriculum.articulation import PathwayReport, PathwayStep, pathway_report
from graph.curriculum.checks import Balance, CreditShare, ProgramReport, program_report
from graph.curriculum.program import Finding, ReportError

__all__ = [
    "Balance", "CreditShare", "Finding", "PathwayReport", "PathwayStep", "ProgramReport",
    "ReportError", "pathway_report", "program_report",
]
