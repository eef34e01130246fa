"""Idempotent schema set-up with a recorded schema version.

Versioned framework content is keyed by ``uid`` (framework version + code) so that a new
framework version can hold a copy of every element under the same ``code``.
"""

from __future__ import annotations

from graph.cypher import Cypher
from graph.store import GraphStore, UniqueKey

__all__ = ["INDEXED", "SCHEMA_VERSION", "UNIQUE", "current_version", "migrate"]

# 2: Cohort.key is unique (it was a plain index): MERGE (k:Cohort {key: …}) from two concurrent
#    imports could otherwise create two groups with the same key and split their tallies.
SCHEMA_VERSION = 2

VERSIONED_LABELS = (
    "Competency", "Requirement", "Industry", "Major", "Course", "Assessment",
    "Certification", "JobRole", "Program", "TeacherTier", "TeacherStandard",
    # the evaluation side (graph.indicators)
    "Dimension", "Indicator", "Behaviour", "SampleItem", "ExternalCompetency", "MajorOffering",
    "CrosswalkLink",
)

UNIQUE: tuple[UniqueKey, ...] = (
    UniqueKey("Framework", "uid"),
    UniqueKey("Level", "code"),
    UniqueKey("Layer", "code"),
    UniqueKey("Strand", "code"),
    UniqueKey("College", "code"),
    UniqueKey("SchemaInfo", "key"),
    UniqueKey("Student", "uid"),
    *(UniqueKey(label, "uid") for label in VERSIONED_LABELS),
    UniqueKey("AuditEntry", "uid"),
    UniqueKey("Cohort", "key"),  # a (program, class) group's tallies (graph.analytics)
    UniqueKey("DemandRecord", "uid"),
    UniqueKey("Teacher", "uid"),
    UniqueKey("TeacherEvidence", "uid"),
)

INDEXED: tuple[UniqueKey, ...] = (
    *(UniqueKey(label, "fw") for label in VERSIONED_LABELS),
    UniqueKey("Framework", "code"),
    UniqueKey("Student", "college"),
    UniqueKey("Student", "program"),
    UniqueKey("AuditEntry", "fw"),
    UniqueKey("Cohort", "college"),
    UniqueKey("Cohort", "program"),
    UniqueKey("DemandRecord", "jobRole"),  # graph.demand: records are read per job role
    UniqueKey("DemandRecord", "competency"),
    UniqueKey("DemandRecord", "industry"),
    UniqueKey("Teacher", "college"),  # graph.teachers: same tenancy as students
)

RECORD_SCHEMA_VERSION = Cypher(
    "MERGE (s:SchemaInfo {key: 'schema'}) "
    "SET s.version = $version, s.appliedAt = $appliedAt "
    "RETURN s.version AS version"
)
READ_SCHEMA_VERSION = Cypher("MATCH (s:SchemaInfo {key: 'schema'}) RETURN s.version AS version")


async def migrate(store: GraphStore, applied_at: str) -> int:
    """Bring the store's schema to ``SCHEMA_VERSION``; safe to run on every start."""
    await store.ensure_schema(UNIQUE, INDEXED)
    await store.write(RECORD_SCHEMA_VERSION, {"version": SCHEMA_VERSION, "appliedAt": applied_at})
    return SCHEMA_VERSION


async def current_version(store: GraphStore) -> int | None:
    rows = await store.read(READ_SCHEMA_VERSION)
    return int(rows[0]["version"]) if rows else None
