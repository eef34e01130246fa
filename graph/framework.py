"""Reading the competency framework: levels, layers, strands, competencies and their web.

Writes of framework content live in ``graph.content``; reads used per GraphQL field are
batched (``UNWIND $uids``) so a DataLoader answers a whole level of a query in one round trip.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.cypher import Cypher, OneRow
from graph.store import GraphStore, Record

__all__ = ["NODE_LABELS", "CompetencyFilter", "FrameworkRepository"]

LIST_LEVELS = Cypher("MATCH (l:Level) RETURN l {.*} AS node ORDER BY l.rank")
LIST_LAYERS = Cypher("MATCH (l:Layer) RETURN l {.*} AS node ORDER BY l.order")
LIST_STRANDS = Cypher("MATCH (s:Strand) RETURN s {.*} AS node ORDER BY s.code")
LIST_COLLEGES = Cypher("MATCH (c:College) RETURN c {.*} AS node ORDER BY c.code")

LIST_FRAMEWORKS = Cypher(
    "MATCH (f:Framework) RETURN f {.*} AS node ORDER BY f.code, f.createdAt, f.version"
)
FRAMEWORK_BY_UID = OneRow("MATCH (f:Framework {uid: $uid}) RETURN f {.*} AS node")
LATEST_PUBLISHED_FRAMEWORK = OneRow(
    "MATCH (f:Framework {status: 'published'}) "
    "RETURN f {.*} AS node ORDER BY coalesce(f.publishedAt, '') DESC, f.version DESC LIMIT 1"
)

# Filters are null-tolerant parameters, so one text serves every combination.
_COMPETENCY_WHERE = (
    "MATCH (c:Competency {fw: $fw}) "
    "WHERE ($level IS NULL OR $level IN c.levels) "
    "AND ($layer IS NULL OR c.layer = $layer) "
    "AND ($strand IS NULL OR $strand IN c.strands) "
    "AND ($major IS NULL OR c.major = $major) "
    "AND ($industry IS NULL OR c.industry = $industry) "
    "AND ($search IS NULL OR toLower(c.code) CONTAINS $search "
    "OR toLower(c.nameEn) CONTAINS $search OR c.nameZh CONTAINS $search) "
)
COMPETENCY_PAGE = Cypher(
    _COMPETENCY_WHERE
    + "AND ($after IS NULL OR c.code > $after) "
    "RETURN c {.*} AS node ORDER BY c.code LIMIT $limit"
)
COMPETENCY_COUNT = Cypher(_COMPETENCY_WHERE + "RETURN count(c) AS total")

# One page query and one count query per listable label. Labels cannot be parameters,
# so each is its own constant; filters on fields a label lacks are simply null.
_SIMPLE_WHERE = (
    "WHERE ($level IS NULL OR n.level = $level OR $level IN coalesce(n.levels, [])) "
    "AND ($layer IS NULL OR n.layer = $layer) "
    "AND ($major IS NULL OR n.major = $major) "
    "AND ($industry IS NULL OR n.industry = $industry) "
    "AND ($search IS NULL OR toLower(n.code) CONTAINS $search "
    "OR toLower(n.nameEn) CONTAINS $search OR n.nameZh CONTAINS $search) "
)
_PAGE_TAIL = (
    "AND ($after IS NULL OR n.code > $after) "
    "RETURN n {.*} AS node ORDER BY n.code LIMIT $limit"
)
_COUNT_TAIL = "RETURN count(n) AS total"

COURSE_PAGE = Cypher("MATCH (n:Course {fw: $fw}) " + _SIMPLE_WHERE + _PAGE_TAIL)
COURSE_COUNT = Cypher("MATCH (n:Course {fw: $fw}) " + _SIMPLE_WHERE + _COUNT_TAIL)
MAJOR_PAGE = Cypher("MATCH (n:Major {fw: $fw}) " + _SIMPLE_WHERE + _PAGE_TAIL)
MAJOR_COUNT = Cypher("MATCH (n:Major {fw: $fw}) " + _SIMPLE_WHERE + _COUNT_TAIL)
ASSESSMENT_PAGE = Cypher("MATCH (n:Assessment {fw: $fw}) " + _SIMPLE_WHERE + _PAGE_TAIL)
ASSESSMENT_COUNT = Cypher("MATCH (n:Assessment {fw: $fw}) " + _SIMPLE_WHERE + _COUNT_TAIL)
JOB_ROLE_PAGE = Cypher("MATCH (n:JobRole {fw: $fw}) " + _SIMPLE_WHERE + _PAGE_TAIL)
JOB_ROLE_COUNT = Cypher("MATCH (n:JobRole {fw: $fw}) " + _SIMPLE_WHERE + _COUNT_TAIL)
INDUSTRY_PAGE = Cypher("MATCH (n:Industry {fw: $fw}) " + _SIMPLE_WHERE + _PAGE_TAIL)
INDUSTRY_COUNT = Cypher("MATCH (n:Industry {fw: $fw}) " + _SIMPLE_WHERE + _COUNT_TAIL)
CERTIFICATION_PAGE = Cypher("MATCH (n:Certification {fw: $fw}) " + _SIMPLE_WHERE + _PAGE_TAIL)
CERTIFICATION_COUNT = Cypher("MATCH (n:Certification {fw: $fw}) " + _SIMPLE_WHERE + _COUNT_TAIL)
PROGRAM_PAGE = Cypher("MATCH (n:Program {fw: $fw}) " + _SIMPLE_WHERE + _PAGE_TAIL)
PROGRAM_COUNT = Cypher("MATCH (n:Program {fw: $fw}) " + _SIMPLE_WHERE + _COUNT_TAIL)
TEACHER_TIER_PAGE = Cypher("MATCH (n:TeacherTier {fw: $fw}) " + _SIMPLE_WHERE + _PAGE_TAIL)
TEACHER_TIER_COUNT = Cypher("MATCH (n:TeacherTier {fw: $fw}) " + _SIMPLE_WHERE + _COUNT_TAIL)

_PAGES: dict[str, tuple[Cypher, Cypher]] = {
    "Competency": (COMPETENCY_PAGE, COMPETENCY_COUNT),
    "Course": (COURSE_PAGE, COURSE_COUNT),
    "Major": (MAJOR_PAGE, MAJOR_COUNT),
    "Assessment": (ASSESSMENT_PAGE, ASSESSMENT_COUNT),
    "JobRole": (JOB_ROLE_PAGE, JOB_ROLE_COUNT),
    "Industry": (INDUSTRY_PAGE, INDUSTRY_COUNT),
    "Certification": (CERTIFICATION_PAGE, CERTIFICATION_COUNT),
    "Program": (PROGRAM_PAGE, PROGRAM_COUNT),
    "TeacherTier": (TEACHER_TIER_PAGE, TEACHER_TIER_COUNT),
}

NODES_BY_UID: dict[str, Cypher] = {
    "Competency": Cypher(
        "UNWIND $uids AS uid MATCH (n:Competency {uid: uid}) RETURN uid, n {.*} AS node"),
    "Requirement": Cypher(
        "UNWIND $uids AS uid MATCH (n:Requirement {uid: uid}) RETURN uid, n {.*} AS node"),
    "Course": Cypher("UNWIND $uids AS uid MATCH (n:Course {uid: uid}) RETURN uid, n {.*} AS node"),
    "Major": Cypher("UNWIND $uids AS uid MATCH (n:Major {uid: uid}) RETURN uid, n {.*} AS node"),
    "Industry": Cypher(
        "UNWIND $uids AS uid MATCH (n:Industry {uid: uid}) RETURN uid, n {.*} AS node"),
    "Assessment": Cypher(
        "UNWIND $uids AS uid MATCH (n:Assessment {uid: uid}) RETURN uid, n {.*} AS node"),
    "Certification": Cypher(
        "UNWIND $uids AS uid MATCH (n:Certification {uid: uid}) RETURN uid, n {.*} AS node"),
    "JobRole": Cypher(
        "UNWIND $uids AS uid MATCH (n:JobRole {uid: uid}) RETURN uid, n {.*} AS node"),
    "Program": Cypher(
        "UNWIND $uids AS uid MATCH (n:Program {uid: uid}) RETURN uid, n {.*} AS node"),
    "TeacherTier": Cypher(
        "UNWIND $uids AS uid MATCH (n:TeacherTier {uid: uid}) RETURN uid, n {.*} AS node"),
}
NODE_LABELS = tuple(NODES_BY_UID)

# Edges fanning out from a batch of nodes: each row is (uid, the node at the other end,
# edge properties), so one round trip answers a whole level of a nested query.
REQUIREMENTS_OF = Cypher(
    "UNWIND $uids AS uid MATCH (:Competency {uid: uid})-[:HAS_REQUIREMENT]->(r:Requirement) "
    "RETURN uid, r {.*} AS node, r.rank AS rank ORDER BY rank"
)
PREREQUISITES_OF = Cypher(
    "UNWIND $uids AS uid MATCH (:Competency {uid: uid})-[:REQUIRES]->(p:Competency) "
    "RETURN uid, p {.*} AS node ORDER BY p.code"
)
ALL_PREREQUISITES_OF = Cypher(
    "UNWIND $uids AS uid MATCH (:Competency {uid: uid})-[:REQUIRES*1..]->(p:Competency) "
    "WITH uid, collect(DISTINCT p) AS found "
    "UNWIND found AS p2 RETURN uid, p2 {.*} AS node ORDER BY p2.code"
)
DEPENDENTS_OF = Cypher(
    "UNWIND $uids AS uid MATCH (:Competency {uid: uid})<-[:REQUIRES]-(d:Competency) "
    "RETURN uid, d {.*} AS node ORDER BY d.code"
)
ALL_DEPENDENTS_OF = Cypher(
    "UNWIND $uids AS uid MATCH (:Competency {uid: uid})<-[:REQUIRES*1..]-(d:Competency) "
    "WITH uid, collect(DISTINCT d) AS found "
    "UNWIND found AS d2 RETURN uid, d2 {.*} AS node ORDER BY d2.code"
)
TAUGHT_BY = Cypher(
    "UNWIND $uids AS uid MATCH (co:Course)-[t:TEACHES]->(:Competency {uid: uid}) "
    "RETURN uid, co {.*} AS node, t.proficiency AS proficiency ORDER BY co.code"
)
MEASURED_BY = Cypher(
    "UNWIND $uids AS uid MATCH (a:Assessment)-[m:MEASURES]->(:Competency {uid: uid}) "
    "RETURN uid, a {.*} AS node, m.proficiency AS proficiency, m.weight AS weight "
    "ORDER BY a.code"
)
EVIDENCED_BY = Cypher(
    "UNWIND $uids AS uid MATCH (ce:Certification)-[e:EVIDENCES]->(:Competency {uid: uid}) "
    "RETURN uid, ce {.*} AS node, e.proficiency AS proficiency ORDER BY ce.code"
)
NEEDED_BY = Cypher(
    "UNWIND $uids AS uid MATCH (j:JobRole)-[n:NEEDS]->(:Competency {uid: uid}) "
    "RETURN uid, j {.*} AS node, n.proficiency AS proficiency, n.essential AS essential "
    "ORDER BY j.code"
)
PROGRESSES_TO = Cypher(
    "UNWIND $uids AS uid MATCH (:Requirement {uid: uid})-[:PROGRESSES_TO]->(r:Requirement) "
    "RETURN uid, r {.*} AS node ORDER BY r.rank, r.competency"
)
PROGRESSES_FROM = Cypher(
    "UNWIND $uids AS uid MATCH (:Requirement {uid: uid})<-[:PROGRESSES_TO]-(r:Requirement) "
    "RETURN uid, r {.*} AS node ORDER BY r.rank, r.competency"
)
COURSE_TEACHES = Cypher(
    "UNWIND $uids AS uid MATCH (:Course {uid: uid})-[t:TEACHES]->(c:Competency) "
    "RETURN uid, c {.*} AS node, t.proficiency AS proficiency ORDER BY c.code"
)
COURSE_PREREQUISITES = Cypher(
    "UNWIND $uids AS uid MATCH (:Course {uid: uid})-[:REQUIRES]->(p:Course) "
    "RETURN uid, p {.*} AS node ORDER BY p.code"
)
ASSESSMENT_MEASURES = Cypher(
    "UNWIND $uids AS uid MATCH (:Assessment {uid: uid})-[m:MEASURES]->(c:Competency) "
    "RETURN uid, c {.*} AS node, m.proficiency AS proficiency, m.weight AS weight "
    "ORDER BY c.code"
)
CERTIFICATION_EVIDENCES = Cypher(
    "UNWIND $uids AS uid MATCH (:Certification {uid: uid})-[e:EVIDENCES]->(c:Competency) "
    "RETURN uid, c {.*} AS node, e.proficiency AS proficiency ORDER BY c.code"
)
JOB_ROLE_NEEDS = Cypher(
    "UNWIND $uids AS uid MATCH (:JobRole {uid: uid})-[n:NEEDS]->(c:Competency) "
    "RETURN uid, c {.*} AS node, n.proficiency AS proficiency, n.essential AS essential "
    "ORDER BY c.code"
)
PROGRAM_COURSES = Cypher(
    "UNWIND $uids AS uid MATCH (:Program {uid: uid})-[i:INCLUDES]->(co:Course) "
    "RETURN uid, co {.*} AS node, i.semester AS semester, i.required AS required "
    "ORDER BY semester, co.code"
)
MAJOR_COMPETENCIES = Cypher(
    "UNWIND $uids AS uid MATCH (:Major {uid: uid})<-[:FOR_MAJOR]-(c:Competency) "
    "RETURN uid, c {.*} AS node ORDER BY c.code"
)
TEACHER_TIER_COMPETENCIES = Cypher(
    "UNWIND $uids AS uid MATCH (:TeacherTier {uid: uid})-[:NEEDS_COMPETENCY]->(c:Competency) "
    "RETURN uid, c {.*} AS node ORDER BY c.code"
)

EDGES: dict[str, Cypher] = {
    "requirements": REQUIREMENTS_OF,
    "prerequisites": PREREQUISITES_OF,
    "allPrerequisites": ALL_PREREQUISITES_OF,
    "dependents": DEPENDENTS_OF,
    "allDependents": ALL_DEPENDENTS_OF,
    "taughtBy": TAUGHT_BY,
    "measuredBy": MEASURED_BY,
    "evidencedBy": EVIDENCED_BY,
    "neededBy": NEEDED_BY,
    "progressesTo": PROGRESSES_TO,
    "progressesFrom": PROGRESSES_FROM,
    "courseTeaches": COURSE_TEACHES,
    "coursePrerequisites": COURSE_PREREQUISITES,
    "assessmentMeasures": ASSESSMENT_MEASURES,
    "certificationEvidences": CERTIFICATION_EVIDENCES,
    "jobRoleNeeds": JOB_ROLE_NEEDS,
    "programCourses": PROGRAM_COURSES,
    "majorCompetencies": MAJOR_COMPETENCIES,
    "teacherTierCompetencies": TEACHER_TIER_COMPETENCIES,
}


@dataclass(frozen=True, slots=True)
class CompetencyFilter:
    """Optional filters shared by the list queries (a ``None`` field does not filter)."""

    level: str | None = None
    layer: str | None = None
    strand: str | None = None
    major: str | None = None
    industry: str | None = None
    search: str | None = None

    def params(self) -> dict[str, Any]:
        search = self.search.strip().lower() if self.search and self.search.strip() else None
        return {"level": self.level, "layer": self.layer, "strand": self.strand,
                "major": self.major, "industry": self.industry, "search": search}


class FrameworkRepository:
    """Framework reads; every method is one store round trip."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    async def _nodes(self, query: Cypher) -> list[Record]:
        return [row["node"] for row in await self._store.read(query)]

    async def levels(self) -> list[Record]:
        return await self._nodes(LIST_LEVELS)

    async def layers(self) -> list[Record]:
        return await self._nodes(LIST_LAYERS)

    async def strands(self) -> list[Record]:
        return await self._nodes(LIST_STRANDS)

    async def colleges(self) -> list[Record]:
        return await self._nodes(LIST_COLLEGES)

    async def frameworks(self) -> list[Record]:
        return await self._nodes(LIST_FRAMEWORKS)

    async def framework(self, uid: str) -> Record | None:
        rows = await self._store.read(FRAMEWORK_BY_UID, {"uid": uid})
        return rows[0]["node"] if rows else None

    async def latest_published(self) -> Record | None:
        rows = await self._store.read(LATEST_PUBLISHED_FRAMEWORK)
        return rows[0]["node"] if rows else None

    async def page(self, label: str, fw: str, flt: CompetencyFilter,
                   after: str | None, limit: int) -> list[Record]:
        """Nodes of ``label`` ordered by code, after the code ``after`` (keyset paging)."""
        page_query, _ = _PAGES[label]
        params = {"fw": fw, "after": after, "limit": limit, **flt.params()}
        return [row["node"] for row in await self._store.read(page_query, params)]

    async def count(self, label: str, fw: str, flt: CompetencyFilter) -> int:
        """Counted in the store: no node is sent back."""
        _, count_query = _PAGES[label]
        rows = await self._store.read(count_query, {"fw": fw, **flt.params()})
        return int(rows[0]["total"]) if rows else 0

    async def nodes_by_uid(self, label: str, uids: Sequence[str]) -> list[Record | None]:
        """Aligned to ``uids``; ``None`` where no node exists."""
        rows = await self._store.read(NODES_BY_UID[label], {"uids": list(uids)})
        found = {row["uid"]: row["node"] for row in rows}
        return [found.get(uid) for uid in uids]

    async def edges(self, name: str, uids: Sequence[str]) -> list[list[Record]]:
        """Outgoing rows of the named edge query per uid, aligned to ``uids``."""
        rows = await self._store.read(EDGES[name], {"uids": list(uids)})
        grouped: dict[str, list[Record]] = defaultdict(list)
        for row in rows:
            grouped[row["uid"]].append(row)
        return [grouped.get(uid, []) for uid in uids]


LEVEL_REQUIREMENTS = Cypher(
    "MATCH (c:Competency {fw: $fw})-[:HAS_REQUIREMENT]->(r:Requirement {level: $level}) "
    "WHERE c.layer = 'GEN' "
    "OR (c.layer = 'PRO' AND c.major = $major) "
    "OR (c.layer = 'IND' AND c.industry = $industry) "
    "RETURN r {.*} AS node ORDER BY r.layer, r.competency"
)


async def level_requirements(store: GraphStore, fw: str, level: str, major: str | None,
                             industry: str | None) -> list[Record]:
    """What a level asks of a student of ``major``: all 通识素养, the major's 专业技能 and
    its industry's 行业能力 requirements (the default targets of a program)."""
    rows = await store.read(LEVEL_REQUIREMENTS, {"fw": fw, "level": level, "major": major,
                                                 "industry": industry})
    return [row["node"] for row in rows]
