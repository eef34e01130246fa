"""Where students stand, re-exported from the modules that hold each part: one student
(``graph.standing``), learning paths (``graph.paths``), cohorts (``graph.cohorts``) and the
maintained attainment and summaries (``graph.attainment``)."""

from __future__ import annotations

from graph.attainment import refresh_summaries
from graph.cohorts import CohortReport, cohort_report, cohort_report_by_scan
from graph.paths import LearningPath, PathStep, learning_path
from graph.standing import (
    DIMENSIONS,
    LAYERS,
    DimensionReadiness,
    Standing,
    StudentReport,
    gaps_against,
    placement,
    readiness,
    report_of,
    student_evidence,
    student_record,
    student_report,
    student_with_standing,
)

__all__ = [
    "DIMENSIONS", "LAYERS", "CohortReport", "DimensionReadiness", "LearningPath", "PathStep",
    "Standing", "StudentReport", "cohort_report", "cohort_report_by_scan", "gaps_against",
    "learning_path", "placement", "readiness", "refresh_summaries", "report_of",
    "student_evidence", "student_record", "student_report", "student_with_standing",
]
