"""Designers' edits of a draft framework version: checked as a whole batch, then written.

The embedded engine has no multi-statement transactions, so every batch is validated in
Python against what the store holds plus the batch itself before the first write; the
writes are idempotent ``UNWIND $rows`` queries (MERGE + SET, and "relink" queries that
merge the wanted edges and prune the others in one statement), so a write interrupted
half-way is completed by sending the same batch again. Each accepted change leaves an
``(:AuditEntry)``: who, when, what.

Rows are plain dicts keyed as in the API (camelCase). A key that is absent keeps the stored
value; a list that is given replaces the stored list (requirements, prerequisites, ...).

One module per aggregate (``competencies``, ``courses``, ``assessments``, ``job_roles``,
``majors``, ``programs``) on the shared validation kit (``batch``), the audit trail
(``audit``) and the error codes (``errors``); the public names are re-exported here.
"""

from __future__ import annotations

from graph.dag import find_cycle
from graph.editing.assessments import upsert_assessments
from graph.editing.audit import Actor, audit_count, audit_page, now_iso, record_audit
from graph.editing.competencies import remove_competencies, upsert_competencies
from graph.editing.courses import upsert_courses
from graph.editing.errors import (
    DUPLICATE_CODE,
    FRAMEWORK_FROZEN,
    FRAMEWORK_NOT_FOUND,
    IN_USE,
    INVALID_CODE,
    INVALID_VALUE,
    MISSING_FIELD,
    PREREQUISITE_CYCLE,
    PROFICIENCY_ABOVE_LEVEL_MAX,
    PROFICIENCY_OUT_OF_RANGE,
    UNKNOWN_CODE,
    EditError,
    EditResult,
)
from graph.editing.job_roles import upsert_job_roles
from graph.editing.majors import upsert_majors
from graph.editing.programs import upsert_programs

__all__ = [
    "DUPLICATE_CODE",
    "FRAMEWORK_FROZEN",
    "FRAMEWORK_NOT_FOUND",
    "INVALID_CODE",
    "INVALID_VALUE",
    "IN_USE",
    "MISSING_FIELD",
    "PREREQUISITE_CYCLE",
    "PROFICIENCY_ABOVE_LEVEL_MAX",
    "PROFICIENCY_OUT_OF_RANGE",
    "UNKNOWN_CODE",
    "Actor",
    "EditError",
    "EditResult",
    "audit_count",
    "audit_page",
    "find_cycle",
    "now_iso",
    "record_audit",
    "remove_competencies",
    "upsert_assessments",
    "upsert_competencies",
    "upsert_courses",
    "upsert_job_roles",
    "upsert_majors",
    "upsert_programs",
]
