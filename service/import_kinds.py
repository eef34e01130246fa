"""Import kinds whose writers live in their own modules: skills-demand records, teachers and
teacher evidence. ``service.importer`` reads them like its own kinds (columns, writer), and
templates take their sample rows from here; each writer validates a batch whole and accepts
the importer's ``dry_run`` (pass 1) and ignores what it does not use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from graph import demand, teachers
from graph.learners import BatchOutcome

__all__ = ["IMPORT_KINDS", "ImportKind"]


@dataclass(frozen=True, slots=True)
class ImportKind:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    writer: Callable[..., Awaitable[BatchOutcome]]
    sample: dict[str, Any] = field(default_factory=dict)  # one valid row against the seed


IMPORT_KINDS: dict[str, ImportKind] = {
    "demand": ImportKind(
        ("jobRole", "competency", "proficiency", "importance", "sourceKind", "sourceName",
         "region", "observedOn"), (), demand.record_demand,
        {"jobRole": "JOB-IT-02", "competency": "PRO-AI-05", "proficiency": 3, "importance": 5,
         "sourceKind": "企业", "sourceName": "云帆智能科技有限公司", "region": "云帆市",
         "observedOn": "2025-03-15"}),
    "teachers": ImportKind(
        ("teacher", "college"), ("subjects", "courses"), teachers.record_teachers,
        {"teacher": "T0001", "college": "COL-DEMO-GZ", "subjects": "人工智能技术应用",
         "courses": "C-GEN-GZ-01; C-PRO-AI-GZ-01"}),
    "teacherEvidence": ImportKind(
        ("teacher", "college", "kind", "layer", "title", "completedOn"),
        ("hours", "role", "provider"), teachers.record_teacher_evidence,
        {"teacher": "T0001", "college": "COL-DEMO-GZ", "kind": "培训", "layer": "通识素养",
         "title": "人工智能通识教学能力研修", "completedOn": "2025-07-20", "hours": 24,
         "provider": "信息化教指委"}),
}
