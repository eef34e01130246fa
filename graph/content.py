"""Writing framework content: one ``UNWIND`` query per kind of node or edge.

The embedded engine has no multi-statement transactions, so callers validate the whole
content first; every query here is idempotent (MERGE + SET), so a load interrupted half-way
is completed by running it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.cypher import Cypher
from graph.indicators import EVALUATION_WRITE_STEPS
from graph.programs import refresh_program_targets
from graph.store import GraphStore, Record
from graph.teacher_standards import TEACHING_WRITE_STEPS

__all__ = ["WRITE_STEPS", "FrameworkContent", "LoadOutcome", "load_framework_content"]

UPSERT_FRAMEWORK = Cypher("MERGE (f:Framework {uid: $uid}) SET f += $props RETURN f.uid AS uid")
FRAMEWORK_STATE = Cypher(
    "MATCH (f:Framework {uid: $uid}) RETURN f.status AS status, f.contentHash AS contentHash"
)
DELETE_FRAMEWORK_CONTENT = Cypher(
    "MATCH (n) WHERE n.fw = $fw DETACH DELETE n RETURN count(*) AS deleted"
)

UPSERT_LEVELS = Cypher("UNWIND $rows AS row MERGE (n:Level {code: row.code}) SET n += row.props")
UPSERT_LAYERS = Cypher("UNWIND $rows AS row MERGE (n:Layer {code: row.code}) SET n += row.props")
UPSERT_STRANDS = Cypher(
    "UNWIND $rows AS row MERGE (n:Strand {code: row.code}) SET n += row.props"
)
UPSERT_COLLEGES = Cypher(
    "UNWIND $rows AS row MERGE (n:College {code: row.code}) SET n += row.props"
)
UPSERT_INDUSTRIES = Cypher(
    "UNWIND $rows AS row MERGE (n:Industry {uid: row.uid}) SET n += row.props"
)
UPSERT_MAJORS = Cypher(
    "UNWIND $rows AS row MERGE (n:Major {uid: row.uid}) SET n += row.props "
    "WITH n, row MATCH (i:Industry {uid: row.industry}) MERGE (n)-[:IN_INDUSTRY]->(i)"
)
UPSERT_COMPETENCIES = Cypher(
    "UNWIND $rows AS row MERGE (n:Competency {uid: row.uid}) SET n += row.props "
    "WITH n, row MATCH (y:Layer {code: row.layer}) MERGE (n)-[:IN_LAYER]->(y)"
)
LINK_COMPETENCY_STRANDS = Cypher(
    "UNWIND $rows AS row MATCH (c:Competency {uid: row.source}) "
    "MATCH (s:Strand {code: row.target}) MERGE (c)-[:IN_STRAND]->(s)"
)
LINK_COMPETENCY_MAJORS = Cypher(
    "UNWIND $rows AS row MATCH (c:Competency {uid: row.source}) "
    "MATCH (m:Major {uid: row.target}) MERGE (c)-[:FOR_MAJOR]->(m)"
)
LINK_COMPETENCY_INDUSTRIES = Cypher(
    "UNWIND $rows AS row MATCH (c:Competency {uid: row.source}) "
    "MATCH (i:Industry {uid: row.target}) MERGE (c)-[:FOR_INDUSTRY]->(i)"
)
UPSERT_REQUIREMENTS = Cypher(
    "UNWIND $rows AS row MATCH (c:Competency {uid: row.competencyUid}) "
    "MATCH (l:Level {code: row.level}) "
    "MERGE (r:Requirement {uid: row.uid}) SET r += row.props "
    "MERGE (c)-[:HAS_REQUIREMENT]->(r) MERGE (r)-[:AT_LEVEL]->(l)"
)
LINK_PREREQUISITES = Cypher(
    "UNWIND $rows AS row MATCH (a:Competency {uid: row.source}) "
    "MATCH (b:Competency {uid: row.target}) MERGE (a)-[:REQUIRES]->(b)"
)
LINK_PROGRESSIONS = Cypher(
    "UNWIND $rows AS row MATCH (a:Requirement {uid: row.source}) "
    "MATCH (b:Requirement {uid: row.target}) MERGE (a)-[:PROGRESSES_TO]->(b)"
)
UPSERT_COURSES = Cypher("UNWIND $rows AS row MERGE (n:Course {uid: row.uid}) SET n += row.props")
LINK_TEACHES = Cypher(
    "UNWIND $rows AS row MATCH (a:Course {uid: row.source}) "
    "MATCH (b:Competency {uid: row.target}) "
    "MERGE (a)-[t:TEACHES]->(b) SET t.proficiency = row.proficiency"
)
LINK_COURSE_PREREQUISITES = Cypher(
    "UNWIND $rows AS row MATCH (a:Course {uid: row.source}) "
    "MATCH (b:Course {uid: row.target}) MERGE (a)-[:REQUIRES]->(b)"
)
UPSERT_ASSESSMENTS = Cypher(
    "UNWIND $rows AS row MERGE (n:Assessment {uid: row.uid}) SET n += row.props"
)
LINK_MEASURES = Cypher(
    "UNWIND $rows AS row MATCH (a:Assessment {uid: row.source}) "
    "MATCH (b:Competency {uid: row.target}) "
    "MERGE (a)-[m:MEASURES]->(b) SET m.proficiency = row.proficiency, m.weight = row.weight"
)
UPSERT_CERTIFICATIONS = Cypher(
    "UNWIND $rows AS row MERGE (n:Certification {uid: row.uid}) SET n += row.props"
)
LINK_EVIDENCES = Cypher(
    "UNWIND $rows AS row MATCH (a:Certification {uid: row.source}) "
    "MATCH (b:Competency {uid: row.target}) "
    "MERGE (a)-[e:EVIDENCES]->(b) SET e.proficiency = row.proficiency"
)
UPSERT_JOB_ROLES = Cypher(
    "UNWIND $rows AS row MERGE (n:JobRole {uid: row.uid}) SET n += row.props"
)
LINK_NEEDS = Cypher(
    "UNWIND $rows AS row MATCH (a:JobRole {uid: row.source}) "
    "MATCH (b:Competency {uid: row.target}) "
    "MERGE (a)-[n:NEEDS]->(b) SET n.proficiency = row.proficiency, n.essential = row.essential"
)
UPSERT_PROGRAMS = Cypher(
    "UNWIND $rows AS row MERGE (p:Program {uid: row.uid}) SET p += row.props "
    "WITH p, row MATCH (m:Major {uid: row.majorUid}) MERGE (p)-[:FOR_MAJOR]->(m) "
    "WITH p, row MATCH (c:College {code: row.college}) MERGE (c)-[:OFFERS]->(p)"
)
LINK_PROGRAM_COURSES = Cypher(
    "UNWIND $rows AS row MATCH (a:Program {uid: row.source}) "
    "MATCH (b:Course {uid: row.target}) "
    "MERGE (a)-[i:INCLUDES]->(b) SET i.semester = row.semester, i.required = row.required"
)
LINK_PROGRAM_OVERRIDES = Cypher(
    "UNWIND $rows AS row MATCH (a:Program {uid: row.source}) "
    "MATCH (b:Competency {uid: row.target}) "
    "MERGE (a)-[o:OVERRIDES]->(b) SET o.proficiency = row.proficiency"
)
UPSERT_TEACHER_TIERS = Cypher(
    "UNWIND $rows AS row MERGE (n:TeacherTier {uid: row.uid}) SET n += row.props"
)
LINK_TEACHER_TIER_COMPETENCIES = Cypher(
    "UNWIND $rows AS row MATCH (a:TeacherTier {uid: row.source}) "
    "MATCH (b:Competency {uid: row.target}) MERGE (a)-[:NEEDS_COMPETENCY]->(b)"
)

# The order matters: an edge query only links nodes written by an earlier step.
WRITE_STEPS: tuple[tuple[str, Cypher], ...] = (
    ("levels", UPSERT_LEVELS),
    ("layers", UPSERT_LAYERS),
    ("strands", UPSERT_STRANDS),
    ("colleges", UPSERT_COLLEGES),
    ("industries", UPSERT_INDUSTRIES),
    ("majors", UPSERT_MAJORS),
    ("competencies", UPSERT_COMPETENCIES),
    ("competencyStrands", LINK_COMPETENCY_STRANDS),
    ("competencyMajors", LINK_COMPETENCY_MAJORS),
    ("competencyIndustries", LINK_COMPETENCY_INDUSTRIES),
    ("requirements", UPSERT_REQUIREMENTS),
    ("prerequisites", LINK_PREREQUISITES),
    ("progressions", LINK_PROGRESSIONS),
    ("courses", UPSERT_COURSES),
    ("teaches", LINK_TEACHES),
    ("coursePrerequisites", LINK_COURSE_PREREQUISITES),
    ("assessments", UPSERT_ASSESSMENTS),
    ("measures", LINK_MEASURES),
    ("certifications", UPSERT_CERTIFICATIONS),
    ("evidences", LINK_EVIDENCES),
    ("jobRoles", UPSERT_JOB_ROLES),
    ("needs", LINK_NEEDS),
    ("programs", UPSERT_PROGRAMS),
    ("programCourses", LINK_PROGRAM_COURSES),
    ("programOverrides", LINK_PROGRAM_OVERRIDES),
    ("teacherTiers", UPSERT_TEACHER_TIERS),
    ("teacherTierCompetencies", LINK_TEACHER_TIER_COMPETENCIES),
    *TEACHING_WRITE_STEPS,
    *EVALUATION_WRITE_STEPS,
)

_BATCH = 5000


@dataclass
class FrameworkContent:
    """A whole framework version, already validated, as rows for ``WRITE_STEPS``."""

    uid: str
    props: dict[str, Any]
    content_hash: str
    rows: dict[str, list[Record]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    uid: str
    status: str  # "created", "replaced" (a draft re-loaded) or "unchanged"
    counts: dict[str, int]


class FrozenFrameworkError(ValueError):
    """A published framework version cannot change; load the edit as a new version."""


async def load_framework_content(store: GraphStore, content: FrameworkContent) -> LoadOutcome:
    """Write ``content`` as framework version ``content.uid``.

    Published versions are frozen: the same content again is a no-op, different content is
    refused. A draft version is replaced whole, so nothing removed from the source lingers.
    """
    counts = {name: len(content.rows.get(name, [])) for name, _ in WRITE_STEPS}
    existing = await store.read(FRAMEWORK_STATE, {"uid": content.uid})
    status = "created"
    if existing:
        state = existing[0]
        if state["contentHash"] == content.content_hash:
            return LoadOutcome(content.uid, "unchanged", counts)
        if state["status"] == "published":
            raise FrozenFrameworkError(
                f"framework {content.uid} is published and frozen; its content differs from "
                "the source: give the edited framework a new version"
            )
        await store.write(DELETE_FRAMEWORK_CONTENT, {"fw": content.uid})
        status = "replaced"
    # The hash is written last, so an interrupted load never looks complete.
    props = {k: v for k, v in content.props.items() if k != "contentHash"}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    props["createdAt"] = now
    if props.get("status") == "published":
        props["publishedAt"] = now
    await store.write(UPSERT_FRAMEWORK, {"uid": content.uid, "props": props})
    for name, query in WRITE_STEPS:
        rows = content.rows.get(name, [])
        for start in range(0, len(rows), _BATCH):
            await store.write(query, {"rows": rows[start:start + _BATCH]})
    await refresh_program_targets(store, framework=content.uid)
    await store.write(
        UPSERT_FRAMEWORK, {"uid": content.uid, "props": {"contentHash": content.content_hash}}
    )
    return LoadOutcome(content.uid, status, counts)
