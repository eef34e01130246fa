"""Idempotent schema set-up with a recorded schema version.

Versioned framework content is keyed by ``uid`` (framework version + code) so that a new
framework version can hold a copy of every element under the same ``code``.
"""

from __future__ import annotations

from graph.cypher import Cypher
from graph.store import GraphStore, UniqueKey

__all__ = ["INDEXED", "READ_BEFORE_WRITTEN", "SCHEMA_VERSION", "UNIQUE", "current_version",
           "migrate"]

# 2: Cohort.key is unique (it was a plain index): MERGE (k:Cohort {key: …}) from two concurrent
#    imports could otherwise create two groups with the same key and split their tallies.
# 3: targets are program data: ``Program.scope`` (graph.scope); a STANDS edge exists only where
#    evidence does (no copy of each target per student); each Cohort node holds its group's
#    figures, rebuilt whole (graph.attainment) — no TALLY edges, no summaries on Student nodes.
# 4: ``Student.groupKey`` (program|class label), indexed: a cohort group's members are one
#    index seek instead of a scan of the program's students per group.
SCHEMA_VERSION = 4

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
    UniqueKey("Student", "groupKey"),  # graph.attainment: a cohort group's members
    UniqueKey("AuditEntry", "fw"),
    UniqueKey("Cohort", "college"),
    UniqueKey("Cohort", "program"),
    UniqueKey("DemandRecord", "jobRole"),  # graph.demand: records are read per job role
    UniqueKey("DemandRecord", "competency"),
    UniqueKey("DemandRecord", "industry"),
    UniqueKey("Teacher", "college"),  # graph.teachers: same tenancy as students
)

# Property keys read by queries on a store that may never write them: ``Student.standingBy``
# is written only where an import counts its own cohort figures (graph.cohort_tallies), so
# never on Neo4j, which would otherwise warn on every import batch.
READ_BEFORE_WRITTEN: tuple[str, ...] = ("standingBy",)

RECORD_SCHEMA_VERSION = Cypher(
    "MERGE (s:SchemaInfo {key: 'schema'}) "
    "SET s.version = $version, s.appliedAt = $appliedAt "
    "RETURN s.version AS version"
)
READ_SCHEMA_VERSION = Cypher("MATCH (s:SchemaInfo {key: 'schema'}) RETURN s.version AS version")


# Version 2 → 3, in bounded batches (a province is millions of edges; Neo4j caps the memory of
# one transaction): each query converts at most $limit items and says how many it did. One
# property per REMOVE clause: FalkorDB 4.16 cleared only the first of a list (graph.privacy).
DROP_TARGET_ONLY_STANDING = Cypher(
    "MATCH (:Student)-[a:STANDS]->(:Competency) WHERE a.evidenceKind IS NULL "
    "WITH a LIMIT $limit DELETE a RETURN count(*) AS n"
)
STRIP_STANDING = Cypher(
    "MATCH (:Student)-[a:STANDS]->(:Competency) "
    "WHERE a.inScope IS NOT NULL OR a.required IS NOT NULL OR a.tKey IS NOT NULL "
    "OR a.tMeet IS NOT NULL "
    "WITH a LIMIT $limit "
    + "".join(f"REMOVE a.{name} WITH a " for name in (
        "tGap", "tMeet", "tKey", "eth", "layer", "inScope", "reqBK", "reqGZ", "reqZZ",
        "required")) +
    "RETURN count(*) AS n"
)
DROP_TALLIES = Cypher(
    "MATCH (:Cohort)-[t:TALLY]->(:Competency) WITH t LIMIT $limit DELETE t RETURN count(*) AS n"
)
STRIP_STUDENT_SUMMARIES = Cypher(
    "MATCH (s:Student) WHERE s.reqGEN IS NOT NULL OR s.placeGEN IS NOT NULL "
    "OR s.reqETH IS NOT NULL "
    "WITH s LIMIT $limit "
    + "".join(f"REMOVE s.{name} WITH s " for name in (
        "attETH", "reqETH", "attIND", "reqIND", "attPRO", "reqPRO", "attGEN", "reqGEN",
        "placeIND", "placePRO", "placeGEN")) +
    "RETURN count(*) AS n"
)
SET_GROUP_KEYS = Cypher(
    "MATCH (s:Student) WHERE s.groupKey IS NULL AND s.program IS NOT NULL "
    "WITH s LIMIT $limit "
    "SET s.groupKey = s.program + '|' + coalesce(s.classLabel, '') "
    "RETURN count(*) AS n"
)
ALL_PROGRAMS = Cypher("MATCH (p:Program) RETURN p.uid AS uid ORDER BY uid")
_CONVERT_BATCH = 10_000


async def _in_batches(store: GraphStore, query: Cypher) -> None:
    while True:
        rows = await store.write(query, {"limit": _CONVERT_BATCH})
        if not rows or int(rows[0]["n"]) == 0:
            return


async def _to_version_3(store: GraphStore) -> None:
    from graph.programs import refresh_program_targets  # the model's own upkeep path

    for query in (DROP_TARGET_ONLY_STANDING, STRIP_STANDING, DROP_TALLIES,
                  STRIP_STUDENT_SUMMARIES):
        await _in_batches(store, query)
    programs = [row["uid"] for row in await store.read(ALL_PROGRAMS)]
    for start in range(0, len(programs), 50):  # scope text, then every group rebuilt
        await refresh_program_targets(store, programs[start:start + 50])


async def migrate(store: GraphStore, applied_at: str) -> int:
    """Bring the store's schema to ``SCHEMA_VERSION``; safe to run on every start. A store
    without a recorded version is new (nothing to convert)."""
    await store.ensure_schema(UNIQUE, INDEXED, READ_BEFORE_WRITTEN)
    found = await current_version(store)
    if found is not None and found < 4:
        await _in_batches(store, SET_GROUP_KEYS)  # first: version 3's rebuild reads them
    if found is not None and found < 3:
        await _to_version_3(store)
    await store.write(RECORD_SCHEMA_VERSION, {"version": SCHEMA_VERSION, "appliedAt": applied_at})
    return SCHEMA_VERSION


async def current_version(store: GraphStore) -> int | None:
    rows = await store.read(READ_SCHEMA_VERSION)
    return int(rows[0]["version"]) if rows else None
